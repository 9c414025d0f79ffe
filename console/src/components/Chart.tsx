/**
 * A chart drawn by ECharts, loaded on first use (it is most of the console's weight, so pages
 * without a chart never fetch it). Only the chart types and components in use are bundled. The
 * chart is an image to assistive technology, labelled by `label`; pages show its numbers as text too.
 */
import { useEffect, useRef } from 'react';

type Option = Record<string, unknown>;

const loadEcharts = async () => (await import('./echarts.ts')).echarts;

export function Chart({ option, label, height = 240 }: { option: Option; label: string; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { setOption(o: Option): void; dispose(): void; resize(): void } | undefined;
    const onResize = () => chart?.resize();
    void loadEcharts().then((echarts) => {
      if (disposed || !ref.current) return;
      chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
      chart.setOption({ aria: { enabled: true }, animation: false, ...option });
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [option]);
  return <div ref={ref} role="img" aria-label={label} className="chart" style={{ height }} />;
}
