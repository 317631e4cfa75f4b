import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { Fluent } from '../../src/lib/tracking/fluent';
import { MlflowError } from '../../src/lib/util/errors';

let n = 0;
let store: TrackingStore;
let m: Fluent;

beforeEach(async () => {
  store = await TrackingStore.open({ dbName: `fluent-checks-${n++}-${Date.now()}` });
  m = new Fluent(store, { flushIntervalMs: 10 });
});
afterEach(() => store.close());

/** The call fails at once with MLflow's code and a sentence that names the argument. */
function expectInvalid(fn: () => unknown, words: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(MlflowError);
  expect((err as MlflowError).code).toBe('INVALID_PARAMETER_VALUE');
  expect((err as Error).message).toMatch(words);
}
async function expectRejects(p: Promise<unknown>, words: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(MlflowError);
  expect((err as MlflowError).code).toBe('INVALID_PARAMETER_VALUE');
  expect((err as Error).message).toMatch(words);
}

describe('validation at the call (issue 14, defect "a bad metric poisons the run")', () => {
  it('a bad metric key throws at logMetric and the good points of the same buffer are saved', async () => {
    const run = await m.startRun();
    m.logMetric('good', 1, 0);
    expectInvalid(() => m.logMetric('bad<key', 1, 0), /bad<key.*letters, digits/);
    m.logMetric('good', 2, 1);
    await m.flush();
    const info = await m.endRun();
    expect(info?.status).toBe('FINISHED');
    expect(Array.from((await store.getMetricHistory(run.runId, 'good')).values)).toEqual([1, 2]);
    expect((await store.getRun(run.runId)).metrics['bad<key']).toBeUndefined();
    await m.startRun(); // not "already active"
    await m.endRun();
  });

  it('steps beyond what a number holds exactly, fractional or infinite steps, bad timestamps are refused at the call', async () => {
    const run = await m.startRun();
    expectInvalid(() => m.logMetric('loss', 1, 2 ** 60), /Step 1152921504606847000 of metric "loss" must be a whole number/);
    expectInvalid(() => m.logMetric('loss', 1, 1.5), /Step 1.5/);
    expectInvalid(() => m.logMetric('loss', 1, Infinity), /Step Infinity/);
    expectInvalid(() => m.logMetric('loss', 1, 0, -5), /Timestamp -5/);
    expectInvalid(() => m.logMetric('loss', '1' as unknown as number, 0), /must be a number, got string/);
    m.logMetric('loss', NaN, Number.MAX_SAFE_INTEGER);
    m.logMetric('loss', -Infinity, -Number.MAX_SAFE_INTEGER);
    await m.endRun('KILLED');
    const h = await store.getMetricHistory(run.runId, 'loss');
    expect(Array.from(h.steps)).toEqual([-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    expect((await store.getRun(run.runId)).info.status).toBe('KILLED');
  });

  it('logMetrics checks every key before buffering any: a bad one leaves the buffer as it was', async () => {
    const run = await m.startRun();
    expectInvalid(() => m.logMetrics({ a: 1, 'b?': 2 }, 0), /b\?/);
    expectInvalid(() => m.logMetrics(null as unknown as Record<string, number>), /got null/);
    m.logMetrics({ a: 3 }, 1);
    await m.endRun();
    expect(Array.from((await store.getMetricHistory(run.runId, 'a')).values)).toEqual([3]);
  });

  it('param and tag values must be strings, numbers or booleans', async () => {
    const run = await m.startRun();
    await expectRejects(m.logParam('o', { a: 1 } as unknown as string), /param "o" must be a string, number or boolean, got object/);
    await expectRejects(m.logParam('u', undefined as unknown as string), /param "u" .* got undefined/);
    await expectRejects(m.logParams({ ok: 1, bad: null } as unknown as Record<string, string>), /param "bad" .* got null/);
    await expectRejects(m.logParams('x=1' as unknown as Record<string, string>), /logParams\(\) argument must be an object/);
    await expectRejects(m.setTag('t', [1] as unknown as string), /tag "t" .* got an array/);
    await expectRejects(m.setTag('bad key!', 'v'), /bad key!/);
    await m.logParam('n', 0.5);
    await m.logParams({ flag: true });
    const stored = await store.getRun(run.runId);
    expect(stored.params).toEqual({ n: '0.5', flag: 'true' });
    await m.endRun();
  });

  it('other methods check their arguments: statuses, names, run ids, options, artifacts, inputs', async () => {
    await expectRejects(m.setExperiment(42 as unknown as string), /Experiment name must be a string, got number/);
    await expectRejects(m.getRun(undefined as unknown as string), /getRun\(\) runId must be a string/);
    await expectRejects(m.searchRuns({ maxResults: 0 }), /maxResults must be a positive integer/);
    await expectRejects(m.searchRuns({ orderBy: 'metrics.a' as unknown as string[] }), /orderBy must be an array of strings/);
    await expectRejects(m.startRun({ tags: { k: { x: 1 } } as unknown as Record<string, string> }), /tag "k"/);
    await expectRejects(m.startRun({ runName: 7 } as unknown as { runName: string }), /runName must be a string/);
    await m.startRun();
    await expectRejects(m.endRun('DONE' as 'FINISHED'), /Unknown run status "DONE"/);
    await expectRejects(m.logArtifact('a.bin', 12 as unknown as string), /content must be a string, a Uint8Array or an ArrayBuffer, got number/);
    await expectRejects(m.logDict(undefined, 'x.json'), /logDict\(\) needs a value JSON can hold/);
    await expectRejects(m.logInput({ dataset: null } as never), /dataset must be an object/);
    expect((await m.endRun())?.status).toBe('FINISHED');
  });

  it('logParams writes any number of keys in one transaction, all or nothing', async () => {
    const run = await m.startRun();
    const params: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) params[`p${i}`] = String(i);
    const batch = vi.spyOn(store, 'logBatch');
    const list = vi.spyOn(store, 'logParamList');
    await m.logParams(params);
    expect(batch).not.toHaveBeenCalled();
    expect(list).toHaveBeenCalledTimes(1);
    expect(Object.keys((await store.getRun(run.runId)).params)).toHaveLength(10_000);
    // A clash with a logged value refuses the whole call: the new keys are not half-written.
    await expect(m.logParams({ fresh: 'a', p1: 'changed' })).rejects.toThrow(/Changing param values is not allowed/);
    expect((await store.getRun(run.runId)).params.fresh).toBeUndefined();
    await m.endRun();
  });
});
