// Metric columns and filters on last/min/max/mean (mlflow/mlflow#7790): the statistics come from
// summaries the store keeps as points are logged, checked against the histories it returns.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { compileFilterText, parseFilter, printFilter, SearchSyntaxError } from '../../src/lib/search';
import { summaryMean } from '../../src/lib/tracking/metric-stats';
import { columnValue, decodeColumnList, encodeColumnList, parseColumnId, sortRunsByColumn, type ColumnSpec } from '../../src/lib/ui-model/columns';
import { cols, uniqueDbName } from './storage-helpers';

const dbName = uniqueDbName('metric-stats');
let storePromise: Promise<TrackingStore> | null = null;
const getStore = () => (storePromise ??= TrackingStore.open({ dbName }));
afterAll(async () => (await getStore()).close());

/** Logs each value list as one run's `loss` history, in batches of up to 3 points. */
async function logRuns(histories: number[][]): Promise<string[]> {
  const s = await getStore();
  const ids: string[] = [];
  for (const h of histories) {
    const { runId } = await s.createRun({ experimentId: '0' });
    for (let i = 0; i < h.length; i += 3) {
      await s.logBatch(runId, { metrics: [cols('loss', h.slice(i, i + 3).map((v, j) => [i + j, v, 1000 + i + j]))] });
    }
    ids.push(runId);
  }
  return ids;
}

const mean = (xs: number[]) => {
  const f = xs.filter((v) => !Number.isNaN(v));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};
const meanCol: ColumnSpec = { kind: 'metric', key: 'loss', agg: 'mean' };

describe('metric statistics from stored summaries', () => {
  it('the mean of any logged history equals the mean of the history read back (NaN ignored)', async () => {
    const s = await getStore();
    const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN));
    await fc.assert(fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 12 }), async (h) => {
      const [id] = await logRuns([h]);
      const run = await s.getRun(id);
      const back = await s.getMetricHistory(id, 'loss');
      const want = mean([...back.values]);
      const got = columnValue(run, meanCol) as number;
      if (Number.isNaN(want)) expect(got).toBeNaN();
      else expect(got).toBeCloseTo(want, 6);
    }), { numRuns: 30 });
  });

  it('sorts and filters on the statistic shown: mean, min and max each give their own order', async () => {
    const s = await getStore();
    const ids = await logRuns([[9, 1, 1], [4, 4, 4], [0, 0, 12], [2, 6]]);
    const runs = await Promise.all(ids.map((id) => s.getRun(id)));
    const order = (agg: 'latest' | 'min' | 'max' | 'mean') =>
      sortRunsByColumn(runs, { kind: 'metric', key: 'loss', agg }, true).map((r) => ids.indexOf(r.info.runId));
    // means 11/3, 4, 4, 4 → ties keep the input order; last 1, 4, 12, 6; min 1, 4, 0, 2; max 9, 4, 12, 6
    expect(order('mean')).toEqual([0, 1, 2, 3]);
    expect(order('latest')).toEqual([0, 1, 3, 2]);
    expect(order('min')).toEqual([2, 0, 3, 1]);
    expect(order('max')).toEqual([1, 3, 0, 2]);
    const pick = (f: string) => runs.filter(compileFilterText(f)).map((r) => ids.indexOf(r.info.runId));
    expect(pick('mean(metrics.loss) < 4')).toEqual([0]);
    expect(pick('min(metrics.loss) = 0')).toEqual([2]);
    expect(pick('max(metrics.loss) >= 9 AND metrics.loss < 5')).toEqual([0]);
    expect(pick('MEAN(metrics.loss) = 4')).toEqual([1, 2, 3]);
  });

  it('parses, prints and refuses the statistic filters with positions', () => {
    expect(printFilter(parseFilter('mean( metrics.`a b` ) > 1'))).toBe('mean(metrics.`a b`) > 1');
    expect(printFilter(parseFilter(printFilter(parseFilter('max(metrics.x) <= 2 OR min(metrics.y) != 0'))))).toBe('max(metrics.x) <= 2 OR min(metrics.y) != 0');
    // A param named like a function is still a param: only `stat(` starts a statistic.
    expect(printFilter(parseFilter("params.mean = '1'"))).toBe("params.mean = '1'");
    const err = (f: string) => { try { parseFilter(f); } catch (e) { return e as SearchSyntaxError; } throw new Error('parsed'); };
    expect(err('mean(params.alpha) > 1').message).toMatch(/mean\(…\) takes a metric/);
    expect(err('mean(params.alpha) > 1').position).toBe(5);
    expect(err('mean(metrics.x > 1').message).toMatch(/Expected `\)` to close `mean\(`/);
  });

  it('column ids round-trip every statistic through the URL', () => {
    const list: ColumnSpec[] = ['latest', 'min', 'max', 'mean'].map((agg) => ({ kind: 'metric', key: 'a,b:c', agg } as ColumnSpec));
    expect(decodeColumnList(encodeColumnList(list))).toEqual(list);
    expect(parseColumnId('m.mean:rmse')).toEqual({ kind: 'metric', key: 'rmse', agg: 'mean' });
    expect(parseColumnId('m.median:rmse')).toBeNull();
  });

  it('summaries from before sums were kept give a mean only when min, max and count imply it', () => {
    const old = (min: number, max: number, count: number) => ({ latest: max, step: 0, timestamp: 0, min, max, count });
    expect(summaryMean(old(3, 3, 1))).toBe(3);
    expect(summaryMean(old(2, 6, 2))).toBe(4);
    expect(summaryMean(old(5, 5, 40))).toBe(5);
    expect(summaryMean(old(1, 9, 3))).toBeUndefined();
  });
});
