// A time series chart (uPlot) that fits its container, follows the colour scheme, and takes new
// data without being rebuilt.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { cssVar, useColorScheme } from '../hooks';

export interface ChartSeries {
  label: string;
  color: string; // a CSS custom property, e.g. --chart-1
  scale: string;
  format: (v: number) => string;
  fill?: boolean;
}

export interface ChartScale {
  key: string;
  format: (v: number) => string;
  min?: number;
  max?: number; // a fixed top (100 for percentages); else from the data
  side?: 'left' | 'right';
  incrs?: number[]; // tick steps to choose from (powers of two for bytes)
}

// 1, 2, 4 … 512 of each binary unit: ticks at 4 GB, 8 GB, not at 4.7 GB.
export const BYTE_STEPS = [0, 1, 2, 3, 4].flatMap((unit) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * 1024 ** unit),
);

function withAlpha(color: string, alpha: number): string {
  if (/^#[0-9a-f]{6}$/i.test(color))
    return (
      color +
      Math.round(alpha * 255)
        .toString(16)
        .padStart(2, '0')
    );
  return color;
}

export function Chart({
  data,
  series,
  scales,
  height = 200,
  windowSec,
  legend = true,
  label,
}: {
  data: uPlot.AlignedData;
  series: ChartSeries[];
  scales: ChartScale[];
  height?: number;
  windowSec?: number; // show the last windowSec seconds, however much data there is
  legend?: boolean;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useColorScheme();
  const latest = useRef(data);
  latest.current = data;
  const shape = series.map((s) => s.label + s.scale).join('|') + scales.map((s) => s.key).join('|');

  const xRange = (): [number, number] | undefined => {
    if (!windowSec) return undefined;
    const xs = latest.current[0];
    const end = xs.length ? xs[xs.length - 1] : Date.now() / 1000;
    return [end - windowSec, end];
  };

  useEffect(() => {
    const el = box.current!;
    const text = cssVar('--muted');
    const grid = cssVar('--grid');
    const axisFor = (s: ChartScale, i: number): uPlot.Axis => ({
      scale: s.key,
      side: s.side === 'right' ? 1 : 3,
      stroke: text,
      grid: { show: i === 0, stroke: grid, width: 1 },
      ticks: { show: false },
      size: 64,
      incrs: s.incrs,
      values: (_u, values) => values.map((v) => (v == null ? '' : s.format(v))),
    });
    const options: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height,
      padding: [12, 12, 0, 4],
      legend: { show: legend, live: true },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => xRange() ?? [min, max],
        },
        ...Object.fromEntries(
          scales.map((s) => [
            s.key,
            {
              range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [
                s.min ?? Math.min(0, min),
                s.max ?? (max > 0 ? max * 1.15 : 1),
              ],
            },
          ]),
        ),
      },
      axes: [
        {
          stroke: text,
          grid: { show: false },
          ticks: { show: false },
          size: 28,
          space: 70,
          values: (_u, values) =>
            values.map((v) => new Date(v * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
        },
        ...scales.map(axisFor),
      ],
      series: [
        { value: (_u, v) => (v == null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
        ...series.map((s) => {
          const color = cssVar(s.color) || '#888888';
          return {
            label: s.label,
            scale: s.scale,
            stroke: color,
            width: 2,
            fill: s.fill ? withAlpha(color, 0.14) : undefined,
            points: { show: false },
            value: (_u: uPlot, v: number | null) => (v == null ? '–' : s.format(v)),
          };
        }),
      ],
    };
    const u = new uPlot(options, latest.current, el);
    plot.current = u;
    const resize = new ResizeObserver(() => {
      const width = Math.max(100, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [scheme, height, shape, legend]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
