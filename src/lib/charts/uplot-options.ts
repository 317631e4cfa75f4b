/**
 * uPlot options for a metric chart: one line per run (plus a faint raw line under each smoothed
 * one), x as step / wall time / relative time, linear or log y. Zoom is ours, not uPlot's: a drag
 * only reports its x range (`onZoom`), because zooming must re-bucket the data (downsample.ts).
 */
import type uPlot from 'uplot';
import type { XMode } from './prepare';

export interface ChartLine {
  label: string;
  color: string;
}

export interface ChartTheme {
  text: string;
  grid: string;
}

export interface ChartOptionsInput {
  width: number;
  height: number;
  lines: readonly ChartLine[];
  /** Draws each run twice: raw (faint) then smoothed. */
  smoothed: boolean;
  /**
   * Each line is a group of runs: three series, mean then min then max (group-band.ts), the
   * mean drawn, min and max only bounding a shaded band. Excludes `smoothed`.
   */
  bands?: boolean;
  xMode: XMode;
  logY: boolean;
  theme: ChartTheme;
  onZoom: (x0: number, x1: number) => void;
  hooks?: uPlot.Hooks.Arrays;
}

/** "45 s", "12 min", "3 h 5 min": relative-time axis labels. */
export function formatSeconds(s: number): string {
  const a = Math.abs(s);
  const sign = s < 0 ? '−' : '';
  if (a < 60) return `${sign}${Number(a.toPrecision(3))} s`;
  if (a < 3600) return `${sign}${Number((a / 60).toPrecision(3))} min`;
  const h = Math.floor(a / 3600);
  const m = Math.round((a % 3600) / 60);
  return `${sign}${h} h${m ? ` ${m} min` : ''}`;
}

/** With 8 hex digits of alpha, a run's colour for its faint raw line. */
export function faint(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}40` : color;
}

/** y tick labels that fit the 60 px axis: 4 significant digits, exponents for tiny or huge values. */
export function formatYTick(v: number | null): string {
  // Log axes pass null for the ticks they leave unlabelled.
  if (v === null || !Number.isFinite(v)) return '';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

/** Whether `col` holds at most one value in [i0, i1] (stops at the second). */
export function isLone(col: ArrayLike<number | null | undefined>, i0: number, i1: number): boolean {
  let n = 0;
  for (let i = i0; i <= i1; i++) if (col[i] != null && ++n > 1) return false;
  return n === 1;
}

/** Index in uPlot's series list (0 is x) of the line carrying the legend value of run (or group) `i`. */
export function legendSeriesIndex(i: number, smoothed: boolean, runs: number, bands = false): number {
  if (bands) return 1 + 3 * i;
  return smoothed ? 1 + runs + i : 1 + i;
}

/** A colour with alpha for a band's fill (`#RRGGBB` + 2 hex digits). */
export function bandFill(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}33` : color;
}

/**
 * The x range to draw for data spanning [min, max]. uPlot's default for a single x value is
 * 0..100, which puts a one-point metric (a final rmse at step 0) in a corner: instead the point
 * sits in the middle of a small range in the axis's unit (±1 step, ±1 min of wall time, ±1 s).
 * Applied by the chart with setScale after the data (an x range function on the scale would also
 * run for drag selections and broke them).
 */
export function xRange(min: number | null, max: number | null, mode: XMode): [number | null, number | null] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max) || max > min) return [min, max];
  const pad = mode === 'wall' ? 60 : 1;
  return [min - pad, max + pad];
}

export function buildChartOptions(p: ChartOptionsInput): uPlot.Options {
  const series: uPlot.Series[] = [{ label: p.xMode === 'step' ? 'Step' : 'Time' }];
  const line = (l: ChartLine, stroke: string, width: number): uPlot.Series => ({
    // Points only for a series with a single value in view (a metric logged once): a line needs two.
    label: l.label, stroke, width, spanGaps: true, points: { show: (u, si, i0, i1) => isLone(u.data[si], i0, i1), size: 6, fill: stroke },
  });
  const bands: uPlot.Band[] = [];
  if (p.bands) {
    p.lines.forEach((l, i) => {
      const edge = (which: string): uPlot.Series => ({ label: `${l.label} ${which}`, stroke: faint(l.color), width: 0.5, spanGaps: true, points: { show: false } });
      series.push(line(l, l.color, 2), edge('min'), edge('max'));
      // Filled from the max line down to the min line.
      bands.push({ series: [3 + 3 * i, 2 + 3 * i], fill: bandFill(l.color) });
    });
  } else {
    if (p.smoothed) for (const l of p.lines) series.push(line(l, faint(l.color), 1));
    // Hairlines when many runs overlap: cheaper to rasterise and easier to see through.
    const w = p.lines.length > 10 ? 1 : p.smoothed ? 2 : 1.5;
    for (const l of p.lines) series.push(line(l, l.color, w));
  }

  const axis = (extra: uPlot.Axis): uPlot.Axis => ({
    stroke: p.theme.text,
    grid: { stroke: p.theme.grid, width: 1 },
    ticks: { stroke: p.theme.grid, width: 1 },
    ...extra,
  });
  const xAxis: uPlot.Axis =
    p.xMode === 'relative' ? axis({ values: (_u, splits) => splits.map(formatSeconds) })
    : p.xMode === 'step' ? axis({ values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : '')) })
    : axis({});

  return {
    width: p.width,
    height: p.height,
    series,
    ...(bands.length ? { bands } : {}),
    legend: { show: false },
    scales: {
      x: { time: p.xMode === 'wall' },
      y: p.logY ? { distr: 3 } : {},
    },
    // Small values (a duality gap of 3e-5) need exponents, or every tick reads "0".
    axes: [xAxis, axis({ size: 60, values: (_u, splits) => splits.map(formatYTick) })],
    cursor: {
      drag: { x: true, y: false, setScale: false },
      // Double-click resets our zoom (handled by the component), not uPlot's scales.
      bind: { dblclick: () => null },
      points: { show: false },
      focus: { prox: -1 },
    },
    hooks: {
      ...p.hooks,
      setSelect: [
        ...(p.hooks?.setSelect ?? []),
        (u) => {
          const { left, width } = u.select;
          if (width > 2) p.onZoom(u.posToVal(left, 'x'), u.posToVal(left + width, 'x'));
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        },
      ],
    },
  };
}
