// The runs table's column-wise filter (src/lib/search/columnar.ts) must keep exactly the runs the
// compiled per-run predicate keeps, for every filter the grammar can build and any runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterMask, RunColumns } from '../../src/lib/search/columnar';
import { compileFilter, parseFilter, type FilterNode } from '../../src/lib/search';
import type { MetricSummary, Run } from '../../src/lib/tracking/types';
import { dictSet } from '../../src/lib/util/dict';
import { filterArb, makeRun, runArb, summary } from './search-helpers';

const perRun = (tree: FilterNode | null, runs: readonly Run[]) => {
  const f = compileFilter(tree);
  return runs.map((r) => (f(r) ? 1 : 0));
};

describe('filterMask over run columns', () => {
  it('equals the compiled predicate on random runs and filters, columns shared between filters', () => {
    let hits = 0, total = 0;
    fc.assert(fc.property(fc.array(runArb, { minLength: 1, maxLength: 12 }), fc.array(filterArb, { minLength: 1, maxLength: 4 }), (runs, trees) => {
      // One RunColumns for all the filters: columns built for one filter serve the next.
      const cols = new RunColumns(runs);
      for (const tree of trees) {
        const want = perRun(tree, runs);
        expect([...filterMask(tree, cols)]).toEqual(want);
        total += want.length;
        hits += want.filter((x) => x === 1).length;
      }
    }), { numRuns: 1500 });
    expect(hits / total).toBeGreaterThan(0.1);
    expect(hits / total).toBeLessThan(0.9);
  });

  it('keeps every run for the empty filter', () => {
    const runs = [makeRun(), makeRun()];
    expect([...filterMask(null, new RunColumns(runs))]).toEqual([1, 1]);
  });

  it('matches imported oddities as the predicate does: a non-numeric latest value, an own undefined param, statistics', () => {
    const odd = makeRun({ params: [['p', 'x']] });
    dictSet(odd.params, 'q', undefined as unknown as string);
    dictSet(odd.metrics, 'm', { ...summary(0), latest: '0.5' as unknown as number } as MetricSummary);
    const runs = [odd, makeRun({ metrics: [['m', 0.2]], params: [['q', 'y']] }), makeRun({ metrics: [['m', Number.NaN]] })];
    const cols = new RunColumns(runs);
    for (const text of ['metrics.m < 0.8', 'metrics.m != 0.2', "params.q = 'y'", "params.q != 'y'", 'params.q IS NULL',
      'params.q IS NOT NULL', 'min(metrics.m) < 1', "params.p LIKE 'x%' OR metrics.m >= 0", 'attributes.end_time > 1000']) {
      const tree = parseFilter(text);
      expect([...filterMask(tree, cols)], text).toEqual(perRun(tree, runs));
    }
  });

  it('reads each column once per run list: a later filter on the same key reuses it', () => {
    const runs = [makeRun({ params: [['alpha', '0.5']] }), makeRun({ params: [['alpha', '0.1']] })];
    const cols = new RunColumns(runs);
    expect([...filterMask(parseFilter("params.alpha = '0.5'"), cols)]).toEqual([1, 0]);
    // Runs are replaced, never changed, in the lab; changing one here shows the column was kept.
    dictSet(runs[0].params, 'alpha', '0.1');
    expect([...filterMask(parseFilter("params.alpha = '0.1'"), cols)]).toEqual([0, 1]);
    expect([...filterMask(parseFilter("params.alpha = '0.1'"), new RunColumns(runs))]).toEqual([1, 1]);
  });
});
