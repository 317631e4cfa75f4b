/**
 * The compare view's table: one row per param and per metric over the selected runs, flagged
 * when the runs disagree (a missing value counts as different), so "only differences" can hide
 * the rest (mlflow#7980).
 */
import type { Run } from '../tracking/types';
import { fieldKeys, fieldValue, type FieldRef } from './fields';

export interface DiffRow {
  field: FieldRef;
  /** One cell per run, in the runs' order; undefined when that run lacks the field. */
  values: (string | number | undefined)[];
  differs: boolean;
}

function same(a: string | number | undefined, b: string | number | undefined): boolean {
  // NaN metrics are equal to each other here: both runs logged the same thing.
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

export function diffRows(runs: readonly Run[], kind: FieldRef['kind']): DiffRow[] {
  return fieldKeys(runs, kind).map(({ key }) => {
    const field: FieldRef = { kind, key };
    const values = runs.map((r) => fieldValue(r, field));
    const differs = values.some((v) => !same(v, values[0]));
    return { field, values, differs };
  });
}
