/**
 * The equalities by which the runs view keeps a derived list when a refresh computes an equal
 * one (state/runs-view): a column differing only in its statistic, a key moved or added, is a change.
 */
import { describe, expect, it } from 'vitest';
import { keeper, sameColumns, sameItems, sameKeys } from '../../src/lib/ui-model/same';
import type { ColumnSpec } from '../../src/lib/ui-model/columns';

describe('same', () => {
  it('compares items by identity and order', () => {
    const a = { id: 1 }, b = { id: 2 };
    expect(sameItems([a, b], [a, b])).toBe(true);
    expect(sameItems([a, b], [b, a])).toBe(false);
    expect(sameItems([a], [{ id: 1 }])).toBe(false);
    expect(sameItems([a], [a, b])).toBe(false);
  });

  it('compares columns by id: kind, key and statistic', () => {
    const rmse: ColumnSpec = { kind: 'metric', key: 'rmse', agg: 'latest' };
    expect(sameColumns([{ kind: 'attr', key: 'name' }, rmse], [{ kind: 'attr', key: 'name' }, { ...rmse }])).toBe(true);
    expect(sameColumns([rmse], [{ ...rmse, agg: 'min' }])).toBe(false);
    expect(sameColumns([rmse], [{ kind: 'param', key: 'rmse' }])).toBe(false);
  });

  it('compares available keys list by list', () => {
    const keys = { params: ['alpha'], metrics: ['rmse'], tags: ['team'] };
    expect(sameKeys(keys, { params: ['alpha'], metrics: ['rmse'], tags: ['team'] })).toBe(true);
    expect(sameKeys(keys, { params: ['alpha'], metrics: ['rmse', 'mae'], tags: ['team'] })).toBe(false);
    expect(sameKeys(keys, { params: [], metrics: ['rmse'], tags: ['alpha', 'team'] })).toBe(false);
  });

  it('keeper returns the kept value for an equal one, and keeps the next different one', () => {
    const keep = keeper<string[]>(sameItems);
    const first = ['a'];
    expect(keep(first)).toBe(first);
    expect(keep(['a'])).toBe(first);
    const next = ['b'];
    expect(keep(next)).toBe(next);
    expect(keep(['b'])).toBe(next);
  });
});
