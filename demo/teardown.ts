/**
 * What was started, stopped in reverse order — whether the demo ended well, failed half-way
 * or was interrupted. A step that fails to stop does not keep the others running.
 */
export class Teardown {
  private readonly steps: { what: string; stop: () => Promise<void> }[] = [];

  add(what: string, stop: () => Promise<void>): void {
    this.steps.push({ what, stop });
  }

  /** Runs every step, newest first; returns what could not be stopped (empty when all went). */
  async run(): Promise<string[]> {
    const problems: string[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.stop();
      } catch (err) {
        problems.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return problems;
  }
}
