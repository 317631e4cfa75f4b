/**
 * Equality of the runs table's derived lists, so a view keeps its previous value when a refresh
 * computes an equal one (state/runs-view). A Svelte $derived compares by identity: a new but
 * equal list re-runs everything that reads it (the table's header and every cell, the column
 * picker, the filter's key list), and while runs train the lab refreshes several times a second
 * with nothing but metric values changed.
 */
import { columnId, type AvailableKeys, type ColumnSpec } from './columns';

/** Same length, and the same item (===) at every index. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameKeys(a: AvailableKeys, b: AvailableKeys): boolean {
  return sameItems(a.params, b.params) && sameItems(a.metrics, b.metrics) && sameItems(a.tags, b.tags);
}

/** The same columns (by id: kind, key and statistic) in the same order. */
export function sameColumns(a: readonly ColumnSpec[], b: readonly ColumnSpec[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (columnId(a[i]) !== columnId(b[i])) return false;
  return true;
}

/**
 * A function that passes each value through, except one equal (by `same`) to the last it
 * returned: then that last value again. Used inside a $derived, whose value then stays identical.
 */
export function keeper<T>(same: (a: T, b: T) => boolean): (next: T) => T {
  let kept: { value: T } | null = null;
  return (next) => {
    if (kept && same(kept.value, next)) return kept.value;
    kept = { value: next };
    return next;
  };
}
