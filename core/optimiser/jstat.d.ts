/** The part of jstat (no types of its own) the optimiser uses: Beta quantiles for credible intervals. */
declare module 'jstat' {
  const jStat: {
    beta: {
      /** The p-quantile of Beta(alpha, beta). */
      inv(p: number, alpha: number, beta: number): number;
      mean(alpha: number, beta: number): number;
      variance(alpha: number, beta: number): number;
    };
  };
  export default jStat;
}
