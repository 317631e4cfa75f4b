import { describe, expect, it } from 'vitest';
import { niceTicks, runAxis } from '../../src/lib/charts/axis-scale';
import { fieldName, parseField } from '../../src/lib/charts/fields';
import { brushFrom, brushedMask, brushesFromText, brushesToText, defaultParallelParams, parallelAxes } from '../../src/lib/charts/parallel';
import { diffRows } from '../../src/lib/charts/run-diff';
import type { MetricSummary, Run } from '../../src/lib/tracking/types';
import { dictFrom } from '../../src/lib/util/dict';

const summary = (v: number): MetricSummary => ({ latest: v, step: 0, timestamp: 0, min: v, max: v, count: 1 });
function run(id: string, params: Record<string, string>, metrics: Record<string, number>): Run {
  return {
    info: { runId: id, experimentId: '0', runName: id, userId: '', status: 'FINISHED', startTime: 0, endTime: 1, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
    params: dictFrom(Object.entries(params)),
    tags: {},
    metrics: dictFrom(Object.entries(metrics).map(([k, v]) => [k, summary(v)] as const)),
    inputs: [],
  };
}

describe('diffRows', () => {
  it('flags params that differ, including a param one run lacks, and `__proto__` keys', () => {
    const runs = [run('a', {}, { rmse: 0.7 }), run('b', { alpha: '0.9', l1: '0.1' }, { rmse: 0.7 })];
    runs[0].params = dictFrom([['alpha', '0.5'], ['l1', '0.1'], ['__proto__', 'p']]);
    const rows = diffRows(runs, 'param');
    expect(rows.map((r) => [r.field.key, r.differs])).toEqual([['__proto__', true], ['alpha', true], ['l1', false]]);
    expect(rows[1].values).toEqual(['0.5', '0.9']);
    expect(diffRows(runs, 'metric')).toEqual([{ field: { kind: 'metric', key: 'rmse' }, values: [0.7, 0.7], differs: false }]);
  });

  it('treats two NaN metrics as equal', () => {
    expect(diffRows([run('a', {}, { m: NaN }), run('b', {}, { m: NaN })], 'metric')[0].differs).toBe(false);
  });
});

describe('runAxis', () => {
  it('is numeric for number-like params and places runs by value', () => {
    const a = runAxis(['0.1', '0.5', undefined, '0.3']);
    expect(a.kind).toBe('numeric');
    expect(Array.from(a.positions).map((p) => Number.isNaN(p) ? 'missing' : +p.toFixed(6))).toEqual([0, 1, 'missing', 0.5]);
    expect(a.ticks.every((t) => t.pos >= 0 && t.pos <= 1)).toBe(true);
  });

  it('is categorical when any value is not a number, categories sorted', () => {
    const a = runAxis(['sgd', 'adam', 'sgd', '1']);
    expect(a.kind).toBe('categorical');
    expect(a.categories).toEqual(['1', 'adam', 'sgd']);
    expect(Array.from(a.positions)).toEqual([1, 0.5, 1, 0]);
  });

  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe('parallel coordinates', () => {
  const runs = [run('a', { alpha: '0.1', opt: 'adam' }, { rmse: 1 }), run('b', { alpha: '0.5', opt: 'adam' }, { rmse: 2 }), run('c', { alpha: '0.9', opt: 'adam' }, { rmse: 3 })];

  it('gives axes only to params that vary, and brushes filter runs on every brushed axis', () => {
    const params = defaultParallelParams(runs, ['opt', 'alpha']);
    expect(params.map((f) => f.key)).toEqual(['alpha']);
    const axes = parallelAxes(runs, [...params, { kind: 'metric', key: 'rmse' }]);
    const brushes = new Map([['params.alpha', brushFrom(0.6, 0.2)]]);
    expect(Array.from(brushedMask(axes, brushes, 3))).toEqual([0, 1, 0]);
    brushes.set('metrics.rmse', brushFrom(0.9, 1.5));
    expect(Array.from(brushedMask(axes, brushes, 3))).toEqual([0, 0, 0]);
  });

  it('brushes survive the URL text round trip, fields with colons included', () => {
    const b = new Map([['params.a:b', brushFrom(0.25, 0.5)], ['metrics.x', brushFrom(1, 0)]]);
    expect(brushesFromText(brushesToText(b))).toEqual(b);
    expect(brushesFromText('garbage|params.x:1:q')).toEqual(new Map());
  });

  it('field names parse back', () => {
    for (const f of [{ kind: 'param', key: 'a.b' }, { kind: 'metric', key: 'val loss' }] as const) expect(parseField(fieldName(f))).toEqual(f);
    expect(parseField('tags.x')).toBeNull();
  });
});
