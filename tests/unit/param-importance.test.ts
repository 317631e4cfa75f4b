// Parameter importance against known answers: numpy's Pearson r and scikit-learn's
// DecisionTreeRegressor(max_depth=3).feature_importances_ on a 200-run sweep
// (fixtures/param-importance.py wrote fixtures/param-importance.json), plus analytic cases.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { correlationRatio, paramImportance } from '../../src/lib/charts/param-importance';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/param-importance.json', import.meta.url), 'utf8')) as {
  params: string[]; rows: string[][]; metric: number[]; pearson: number[]; importance: number[];
};

describe('parameter importance', () => {
  it('matches numpy (Pearson r) and scikit-learn (tree importances) on a 200-run sweep', () => {
    const out = paramImportance({ params: fixture.params, rows: fixture.rows, metric: fixture.metric });
    expect(out.metricRuns).toBe(200);
    expect(out.params.map((p) => p.param)).toEqual(['alpha', 'l1_ratio', 'seed']);
    fixture.params.forEach((name, j) => {
      const p = out.params.find((x) => x.param === name)!;
      expect(p.kind).toBe('numeric');
      expect(p.correlation).toBeCloseTo(fixture.pearson[j], 10);
      expect(p.importance).toBeCloseTo(fixture.importance[j], 10);
    });
  });

  it('analytic cases: a param equal to the metric has r = 1 and all the importance; runs without the metric are left out', () => {
    const rows = [['1', 'a', '7'], ['2', 'b', '7'], ['3', 'a', '7'], ['4', 'b', '7'], ['5', 'a', '7']];
    const out = paramImportance({ params: ['x', 'opt', 'const'], rows: [...rows, ['9', 'b', '7']], metric: [1, 2, 3, 4, 5, undefined] });
    expect(out.metricRuns).toBe(5);
    const by = Object.fromEntries(out.params.map((p) => [p.param, p]));
    expect(by.x.correlation).toBeCloseTo(1, 12);
    expect(by.x.importance).toBe(1);
    expect(by.opt.kind).toBe('text');
    expect(by.const.correlation).toBeNaN();
    expect(by.const.importance).toBe(0);
    // η for groups a = {1,3,5}, b = {2,4}: between SS = 3·(3−3)² + 2·(3−3)² = 0.
    expect(by.opt.correlation).toBe(0);
    // η = 1 when the groups explain everything.
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 5, 5])).toBe(1);
  });

  it('a reversed effect gives r = −1; too few runs give no numbers instead of an error', () => {
    const out = paramImportance({ params: ['lr'], rows: [['0.1'], ['0.2'], ['0.3']], metric: [3, 2, 1] });
    expect(out.params[0].correlation).toBeCloseTo(-1, 12);
    const one = paramImportance({ params: ['lr'], rows: [['0.1']], metric: [3] });
    expect(one.params[0].correlation).toBeNaN();
    expect(one.params[0].importance).toBe(0);
  });
});
