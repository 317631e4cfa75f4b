/**
 * From a DataTable and a resolved spec to what the trainers fit on: feature columns, a
 * numeric target (values, or class ids for classifiers), and the train/test row split.
 *
 * Rows with a missing feature or target are left out before splitting, so a table without
 * gaps splits exactly as `train_test_split` does on the same CSV.
 */
import type { DataTable } from '../data/types';
import { trainTestSplitNumpy, type Split } from '../ml/split';
import type { ResolvedTrainSpec } from './contract';

export interface PreparedData {
  featureNames: string[];
  /** Feature j over the kept rows. */
  columns: Float64Array[];
  /** Regression: the target; classification: class ids 0..k−1. */
  y: Float64Array;
  /** Classification: the class labels, index = class id. */
  classes?: string[];
  nRows: number;
  /** Rows left out for missing values. */
  dropped: number;
  /** Indices into the kept rows. */
  split: Split;
}

/** Class labels in a stable order: numbers ascending, text by code units (as numpy's unique). */
function classLabels(col: Float64Array | string[], keep: Int32Array): { classes: string[]; ids: Float64Array } {
  const ids = new Float64Array(keep.length);
  if (col instanceof Float64Array) {
    const values = [...new Set(Array.from(keep, (r) => col[r]))].sort((a, b) => a - b);
    const index = new Map(values.map((v, i) => [v, i] as const));
    for (let i = 0; i < keep.length; i++) ids[i] = index.get(col[keep[i]])!;
    return { classes: values.map((v) => String(v)), ids };
  }
  const values = [...new Set(Array.from(keep, (r) => col[r]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(values.map((v, i) => [v, i] as const));
  for (let i = 0; i < keep.length; i++) ids[i] = index.get(col[keep[i]])!;
  return { classes: values, ids };
}

export function prepareData(table: DataTable, spec: ResolvedTrainSpec): PreparedData {
  const colOf = (name: string) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new Error(`no column named "${name}"`);
    return table.data[i];
  };
  const featureCols = spec.features.map((f) => colOf(f) as Float64Array);
  const targetCol = colOf(spec.target);

  const keepList: number[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    let ok = true;
    for (const c of featureCols) if (Number.isNaN(c[r])) { ok = false; break; }
    const t = targetCol[r];
    if (typeof t === 'number' ? Number.isNaN(t) : t === '' || t === undefined) ok = false;
    if (ok) keepList.push(r);
  }
  const keep = Int32Array.from(keepList);
  const all = keep.length === table.rowCount;
  const gather = (c: Float64Array) => (all ? c : Float64Array.from(keep, (r) => c[r]));
  const columns = featureCols.map(gather);

  let y: Float64Array;
  let classes: string[] | undefined;
  if (spec.task === 'classification') {
    ({ classes, ids: y } = classLabels(targetCol, keep));
  } else {
    y = gather(targetCol as Float64Array);
  }
  if (keep.length < 2) throw new Error(`only ${keep.length} rows without missing values; nothing to train on`);

  const split = trainTestSplitNumpy(keep.length, {
    testSize: spec.split.testSize,
    seed: spec.split.seed,
    shuffle: spec.split.shuffle === 'numpy',
  });
  return {
    featureNames: [...spec.features], columns, y, classes,
    nRows: keep.length, dropped: table.rowCount - keep.length, split,
  };
}

/** Row-major float32 matrix of the given rows (TF.js input), optionally standardised. */
export function rowMajor(
  columns: readonly ArrayLike<number>[], rows: ArrayLike<number>,
  scaler?: { mean: ArrayLike<number>; scale: ArrayLike<number> },
): Float32Array {
  const p = columns.length;
  const out = new Float32Array(rows.length * p);
  for (let j = 0; j < p; j++) {
    const col = columns[j];
    const m = scaler ? scaler.mean[j] : 0;
    const s = scaler ? scaler.scale[j] : 1;
    for (let i = 0; i < rows.length; i++) out[i * p + j] = (col[rows[i]] - m) / s;
  }
  return out;
}

export function pick(values: ArrayLike<number>, rows: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: rows.length }, (_, i) => values[rows[i]]);
}
