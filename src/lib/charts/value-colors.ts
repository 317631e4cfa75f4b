/**
 * Colours runs by a metric's value (parallel coordinates "coloured by the chosen metric"): a
 * perceptually ordered ramp (viridis stops, readable on light and dark backgrounds), the best
 * value at the bright end whichever way the metric improves; runs without a value are grey.
 */
const STOPS: readonly [number, number, number][] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];
export const MISSING_COLOR = '#9a9a9a';

/** The ramp's colour at t in [0, 1] (clamped), as #rrggbb. */
export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const hex = (k: number) => Math.round(STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * f).toString(16).padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
}

export interface ValueColors {
  colors: string[];
  /** The finite range coloured (undefined when no run has a finite value). */
  min?: number;
  max?: number;
}

/** One colour per value: linear in the finite range; `lowerIsBetter` puts the smallest at the bright end. */
export function valueColors(values: readonly (number | undefined)[], lowerIsBetter: boolean): ValueColors {
  let min = Infinity, max = -Infinity;
  for (const v of values) if (v !== undefined && Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
  if (min > max) return { colors: values.map(() => MISSING_COLOR) };
  const span = max - min;
  const colors = values.map((v) => {
    if (v === undefined || Number.isNaN(v)) return MISSING_COLOR;
    const t = span === 0 ? 1 : (Math.min(max, Math.max(min, v)) - min) / span;
    return rampColor(lowerIsBetter ? 1 - t : t);
  });
  return { colors, min, max };
}
