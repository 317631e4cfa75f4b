/**
 * Per-column summaries for the dataset page and the run page.
 *
 * `std` is the **sample** standard deviation (divisor n − 1), as pandas `describe()` reports it,
 * so our numbers match what a user sees in a notebook. It is absent when fewer than two values
 * are present (pandas shows NaN there).
 */
import { isMissingText } from './cells';
import type { ColumnProfile, DataTable } from './types';

/** How many distinct values a string column lists. */
export const TOP_DISTINCT = 20;

export function profileTable(table: DataTable): ColumnProfile[] {
  return table.columns.map((name, j) => {
    const col = table.data[j];
    return col instanceof Float64Array ? profileNumbers(name, col) : profileStrings(name, col);
  });
}

function profileNumbers(name: string, values: Float64Array): ColumnProfile {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const p: ColumnProfile = { name, type: 'number', count, missing: values.length - count };
  if (count === 0) return p;
  const mean = sum / count;
  // Second pass over deviations: steadier than the sum-of-squares formula for large offsets.
  let ss = 0;
  let drift = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const d = v - mean;
    ss += d * d;
    drift += d;
  }
  p.mean = mean + drift / count;
  p.min = min;
  p.max = max;
  if (count > 1) p.std = Math.sqrt((ss - (drift * drift) / count) / (count - 1));
  return p;
}

function profileStrings(name: string, values: string[]): ColumnProfile {
  // A Map, not an object: cell text such as `__proto__` is an ordinary value here.
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (isMissingText(v)) {
      missing++;
      continue;
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const distinct = [...counts].map(([value, count]) => ({ value, count }));
  // Most frequent first; ties in code-point order so the list is stable across runs.
  distinct.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return {
    name,
    type: 'string',
    count: values.length - missing,
    missing,
    distinct: distinct.slice(0, TOP_DISTINCT),
    distinctCount: counts.size,
  };
}
