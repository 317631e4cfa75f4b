/**
 * One axis of a parallel-coordinates or scatter plot over runs: numeric when every present value
 * is a finite number (params are text, so "0.5" counts), categorical otherwise. Each run gets a
 * position in [0, 1] (NaN when it lacks the value) and the axis gets labelled ticks.
 */

export interface Tick {
  pos: number;
  label: string;
}

export interface RunAxis {
  kind: 'numeric' | 'categorical';
  /** Position of each run along the axis, 0..1; NaN when the run has no value. */
  positions: Float64Array;
  ticks: Tick[];
  /** Numeric axes: the value range; categorical: 0 and categories − 1. */
  min: number;
  max: number;
  /** Categorical axes: the categories in axis order. */
  categories: string[];
}

function asNumber(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const t = v.trim();
  if (t === '') return NaN;
  return Number(t);
}

/** Up to ~`count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return Number.isFinite(min) ? [min] : [];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function formatTick(v: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(2);
  return String(Number(v.toPrecision(6)));
}

const collator = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Builds the axis for one value per run. */
export function runAxis(values: readonly (string | number | undefined)[]): RunAxis {
  const nums = values.map(asNumber);
  const numeric = nums.every((v) => v === undefined || Number.isFinite(v));
  const positions = new Float64Array(values.length).fill(NaN);
  if (numeric) {
    let min = Infinity;
    let max = -Infinity;
    for (const v of nums) if (v !== undefined) { if (v < min) min = v; if (v > max) max = v; }
    const span = max - min;
    nums.forEach((v, i) => { if (v !== undefined) positions[i] = span > 0 ? (v - min) / span : 0.5; });
    const ticks = min <= max
      ? (span > 0 ? niceTicks(min, max) : [min]).map((t) => ({ pos: span > 0 ? (t - min) / span : 0.5, label: formatTick(t) }))
      : [];
    return { kind: 'numeric', positions, ticks, min, max, categories: [] };
  }
  const categories = [...new Set(values.filter((v) => v !== undefined).map(String))].sort(collator);
  const index = new Map(categories.map((c, i) => [c, i]));
  const k = categories.length;
  const pos = (i: number) => (k > 1 ? i / (k - 1) : 0.5);
  values.forEach((v, i) => { if (v !== undefined) positions[i] = pos(index.get(String(v))!); });
  return { kind: 'categorical', positions, ticks: categories.map((c, i) => ({ pos: pos(i), label: c })), min: 0, max: k - 1, categories };
}
