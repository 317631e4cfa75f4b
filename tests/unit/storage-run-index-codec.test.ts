import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRunIndex, encodeRunIndex, RunIndexCorruptError, type RunIndexBody } from '../../src/lib/storage/run-index-codec';
import type { StoredRun } from '../../src/lib/storage/schema';
import { RUN_STATUSES, type DatasetInput, type MetricSummary } from '../../src/lib/tracking/types';
import { dictFrom, dictGet } from '../../src/lib/util/dict';

const oddKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '0', '10', 'a.b', 'mlflow.runName', 'ü ☃ 𝄞'),
  fc.string({ maxLength: 12 }),
);
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', '__proto__', 'same', 'same'), fc.string({ unit: 'grapheme', maxLength: 6 }));
const dict = <T>(value: fc.Arbitrary<T>) =>
  fc.uniqueArray(fc.tuple(oddKey, value), { maxLength: 6, selector: ([k]) => k }).map((e) => dictFrom(e));
const num = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, 5e-324));
const time = fc.integer({ min: 0, max: 2 ** 48 });
const nullableTime = fc.option(time, { nil: null });
const summary: fc.Arbitrary<MetricSummary> = fc.oneof(
  fc.record({ latest: num, step: fc.oneof(fc.integer(), num), timestamp: time, min: num, max: num, count: fc.nat() }),
  // With the sum (and NaN count) kept since the mean column: sum equal to latest is stored compactly.
  // A NaN count is absent when zero (types.ts: "absent = 0"); the writers never store nans: 0.
  fc.tuple(num, time, num, fc.nat(), fc.option(fc.integer({ min: 1 }), { nil: undefined }), fc.boolean()).map(([v, t, sum, count, nans, same]) => {
    const s: MetricSummary = { latest: v, step: 0, timestamp: t, min: v, max: v, count, sum: same ? v : sum };
    if (nans !== undefined) s.nans = nans;
    return s;
  }),
  // One point (min = max = latest, step 0, count 1) and near misses of it, which the body stores compactly.
  fc.tuple(num, time, fc.constantFrom(0, -0, 1), fc.constantFrom(0, 1, 2), fc.boolean()).map(([v, t, step, count, same]) =>
    ({ latest: v, step, timestamp: t, min: same ? v : -0, max: v, count })),
);
const input: fc.Arbitrary<DatasetInput> = fc.record({
  dataset: fc.record({
    name: text, digest: text, sourceType: text, source: text,
    schema: fc.option(text, { nil: null }), profile: fc.option(text, { nil: null }),
  }),
  tags: dict(text),
});
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

const run: fc.Arbitrary<StoredRun> = fc.record({
  runId: hex32, experimentId: fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{17}$/)), runName: text,
  userId: text, status: fc.constantFrom(...RUN_STATUSES), startTime: time, endTime: nullableTime,
  lifecycleStage: fc.constantFrom('active' as const, 'deleted' as const), deletedTime: nullableTime,
  customUri: fc.option(text, { nil: undefined }), params: dict(text), tags: dict(text), metrics: dict(summary),
  inputs: fc.array(input, { maxLength: 2 }), ownerLock: fc.option(text, { nil: undefined }),
  heartbeatAt: fc.option(time, { nil: undefined }),
}).map((r) => {
  const out: StoredRun = {
    info: {
      runId: r.runId, experimentId: r.experimentId, runName: r.runName, userId: r.userId, status: r.status,
      startTime: r.startTime, endTime: r.endTime, lifecycleStage: r.lifecycleStage, deletedTime: r.deletedTime,
      artifactUri: r.customUri ?? `mlflow-artifacts:/${r.experimentId}/${r.runId}/artifacts`,
    },
    params: r.params, tags: r.tags, metrics: r.metrics, inputs: r.inputs,
  };
  if (r.ownerLock !== undefined) out.ownerLock = r.ownerLock;
  if (r.heartbeatAt !== undefined) out.heartbeatAt = r.heartbeatAt;
  return out;
});

/** Runs the columns cannot hold: they must come back whole, not bent into shape. */
const oddRun: fc.Arbitrary<StoredRun> = fc.tuple(run, fc.constantFrom('status', 'extra', 'nanEnd', 'numberParam', 'undefinedEnd')).map(([r, how]) => {
  const x = structuredClone(r) as StoredRun & Record<string, unknown>;
  if (how === 'status') (x.info as unknown as Record<string, unknown>).status = 'PAUSED';
  if (how === 'extra') x.registeredModel = { name: 'm' };
  if (how === 'nanEnd') x.info.endTime = NaN;
  if (how === 'numberParam') (x.params as Record<string, unknown>).k = 5;
  if (how === 'undefinedEnd') (x.info as unknown as Record<string, unknown>).endTime = undefined;
  return x;
});

/** Deep equality that tells -0 from 0 and NaN from everything but NaN, and sees own `__proto__` keys. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length || !ka.every((k) => Object.prototype.hasOwnProperty.call(b, k))) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

describe('run index codec', () => {
  it('round-trips any runs exactly: odd keys, NaN/±Infinity/-0 summaries, nulls, owner fields, inputs', () => {
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 9, arbitrary: run }, { weight: 1, arbitrary: oddRun }), { maxLength: 25 }), (runs) => {
      // Through structured clone, as IndexedDB stores it.
      const back = decodeRunIndex(structuredClone(encodeRunIndex(runs)));
      const byId = (xs: StoredRun[]) => new Map(xs.map((r, i) => [`${r.info.runId}#${xs.slice(0, i).filter((y) => y.info.runId === r.info.runId).length}`, r]));
      const want = byId(runs), got = byId(back);
      expect(got.size).toBe(want.size);
      for (const [id, r] of want) expect(same(got.get(id), r), id).toBe(true);
    }), { numRuns: 300 });
  });

  it('reads an explicit NaN count of 0 back as absent, which means the same (0 NaNs)', () => {
    const r = fc.sample(run, { numRuns: 1, seed: 5 })[0];
    r.metrics = dictFrom([['m', { latest: 2, step: 0, timestamp: 1, min: 1, max: 2, count: 2, sum: 3, nans: 0 }]]);
    const [back] = decodeRunIndex(structuredClone(encodeRunIndex([r])));
    expect(dictGet(back.metrics, 'm')).toEqual({ latest: 2, step: 0, timestamp: 1, min: 1, max: 2, count: 2, sum: 3 });
  });

  it('keeps __proto__ as an ordinary own key, never as the prototype', () => {
    const r = fc.sample(run, { numRuns: 1, seed: 7 })[0];
    r.params = dictFrom([['__proto__', 'p'], ['a', '1']]);
    r.metrics = dictFrom([['__proto__', { latest: 1, step: 0, timestamp: 0, min: 1, max: 1, count: 1 }]]);
    const [back] = decodeRunIndex(encodeRunIndex([r]));
    expect(Object.getPrototypeOf(back.params)).toBe(Object.prototype);
    expect(dictGet(back.params, '__proto__')).toBe('p');
    expect(Object.keys(back.params)).toEqual(['__proto__', 'a']);
    expect(dictGet(back.metrics, '__proto__')?.count).toBe(1);
  });

  it('shares repeated strings and leaves the default artifact URI out of the table', () => {
    const runs = fc.sample(run, { numRuns: 200, seed: 3 }).map((r) => ({
      ...r, info: { ...r.info, artifactUri: `mlflow-artifacts:/${r.info.experimentId}/${r.info.runId}/artifacts` },
      params: dictFrom([['model', 'elasticnet-with-a-long-name']]), tags: {}, metrics: {}, inputs: [],
    }));
    const body = encodeRunIndex(runs);
    expect(body.strings.split('elasticnet-with-a-long-name').length - 1).toBe(1);
    expect(body.strings).not.toContain('mlflow-artifacts:');
  });

  it('refuses a damaged body instead of returning wrong runs', () => {
    const runs = fc.sample(run, { numRuns: 20, seed: 11 });
    const damage: ((b: RunIndexBody) => void)[] = [
      (b) => { b.format = 99; },
      (b) => { b.refs[0] = b.stringEnds.length + 5; },
      (b) => { b.strings = b.strings.slice(1); },
      (b) => { b.paramEnds = b.paramEnds.slice(1); },
      (b) => { b.codes[0] = 200; },
      (b) => { b.count += 1; },
      (b) => { b.metricFlags[0] ^= 8; },
      (b) => { b.metricFlags[0] = 16; },
      (b) => { (b as unknown as Record<string, unknown>).times = [1, 2]; },
    ];
    for (const d of damage) {
      const b = encodeRunIndex(runs);
      d(b);
      expect(() => decodeRunIndex(b)).toThrow(RunIndexCorruptError);
    }
  });
});
