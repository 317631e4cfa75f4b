/** Test-only helpers for the training tests: wine as a DataTable, small synthetic tables. */
import type { DataTable } from '../../src/lib/data/types';
import { MT19937 } from '../../src/lib/ml/mt19937';
import { wineText, type WineFile } from '../data/wine';

/** The wine CSV as a DataTable (all columns numeric; a few lines of splitting, no CSV parser). */
export async function wineTable(file: WineFile = 'winequality-red.csv'): Promise<DataTable> {
  const sep = file === 'winequality-red.csv' ? ';' : ',';
  const lines = (await wineText(file)).trim().split('\n');
  const columns = lines[0].split(sep).map((h) => h.trim().replace(/^"|"$/g, ''));
  const rows = lines.slice(1).map((l) => l.split(sep).map(Number));
  return {
    columns,
    types: columns.map(() => 'number' as const),
    data: columns.map((_, j) => Float64Array.from(rows, (r) => r[j])),
    rowCount: rows.length,
  };
}

/** Uniform [0, 1) from MT19937 (53-bit, as numpy's random_sample). */
function uniform(rng: MT19937): number {
  const a = rng.nextUint32() >>> 5, b = rng.nextUint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/**
 * Three well-separated blobs in 2-D with a string label, plus a noisy linear target:
 * small enough for TF.js runs of a few epochs in Node.
 */
export function blobsTable(n = 150, seed = 7): DataTable {
  const rng = new MT19937(seed);
  const x1 = new Float64Array(n), x2 = new Float64Array(n), y = new Float64Array(n);
  const label: string[] = [];
  const centres = [[0, 0], [4, 4], [-4, 4]];
  const names = ['setosa', 'versicolor', 'virginica'];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x1[i] = centres[c][0] + (uniform(rng) - 0.5) * 2;
    x2[i] = centres[c][1] + (uniform(rng) - 0.5) * 2;
    y[i] = 3 * x1[i] - 2 * x2[i] + 1 + (uniform(rng) - 0.5) * 0.1;
    label.push(names[c]);
  }
  return {
    columns: ['x1', 'x2', 'y', 'species'],
    types: ['number', 'number', 'number', 'string'],
    data: [x1, x2, y, label],
    rowCount: n,
  };
}
