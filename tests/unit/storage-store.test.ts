import { afterEach, describe, expect, it } from 'vitest';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { MlflowError } from '../../src/lib/util/errors';
import { dictGet } from '../../src/lib/util/dict';
import { RUN_NAME_PATTERN } from '../../src/lib/tracking/run-names';
import { cols, openStore, tickingClock, uniqueDbName } from './storage-helpers';

const open: TrackingStore[] = [];
async function store(opts: Parameters<typeof openStore>[0] = {}) {
  const s = await openStore({ now: tickingClock(), ...opts });
  open.push(s);
  return s;
}
afterEach(() => { for (const s of open.splice(0)) s.close(); });

async function errorOf(p: Promise<unknown>): Promise<MlflowError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(MlflowError);
  return e as MlflowError;
}

describe('experiments', () => {
  it('creates the Default experiment "0" on first open, once', async () => {
    const name = uniqueDbName();
    const a = await TrackingStore.open({ dbName: name });
    const exps = await a.listExperiments();
    expect(exps.map((e) => [e.experimentId, e.name])).toEqual([['0', 'Default']]);
    a.close();
    const b = await TrackingStore.open({ dbName: name });
    expect(await b.listExperiments('ALL')).toHaveLength(1);
    b.close();
  });

  it('creates with a random 18-digit id and keeps names unique, even when deleted', async () => {
    const s = await store();
    const id = await s.createExperiment('wine', { team: 'ml' });
    expect(id).toMatch(/^[1-9]\d{17}$/);
    const exp = await s.getExperiment(id);
    expect(exp).toMatchObject({ name: 'wine', lifecycleStage: 'active', artifactLocation: `mlflow-artifacts:/${id}` });
    expect(dictGet(exp.tags, 'team')).toBe('ml');
    expect((await errorOf(s.createExperiment('wine'))).code).toBe('RESOURCE_ALREADY_EXISTS');
    await s.deleteExperiment(id);
    expect((await errorOf(s.createExperiment('wine'))).message).toContain('already exists');
    await s.restoreExperiment(id);
    expect((await s.getExperimentByName('wine'))?.experimentId).toBe(id);
  });

  it('renames, refusing taken names and deleted experiments', async () => {
    const s = await store();
    const a = await s.createExperiment('a');
    await s.createExperiment('b');
    await s.renameExperiment(a, 'c');
    expect((await s.getExperiment(a)).name).toBe('c');
    expect(await s.getExperimentByName('a')).toBeNull();
    expect((await errorOf(s.renameExperiment(a, 'b'))).code).toBe('RESOURCE_ALREADY_EXISTS');
    await s.renameExperiment(a, 'c'); // its own name is fine
    await s.deleteExperiment(a);
    expect((await errorOf(s.renameExperiment(a, 'd'))).code).toBe('INVALID_STATE');
  });

  it('deleting marks the experiment and its active runs deleted; restore brings back exactly those', async () => {
    const s = await store();
    const e = await s.createExperiment('e');
    const r1 = await s.createRun({ experimentId: e });
    const r2 = await s.createRun({ experimentId: e });
    await s.deleteRun(r2.runId);
    const r2Deleted = (await s.getRun(r2.runId)).info.deletedTime;
    await s.deleteExperiment(e);
    expect((await s.listExperiments()).map((x) => x.experimentId)).not.toContain(e);
    expect((await s.listExperiments('DELETED_ONLY')).map((x) => x.experimentId)).toEqual([e]);
    expect((await s.getRun(r1.runId)).info.lifecycleStage).toBe('deleted');
    expect((await errorOf(s.createRun({ experimentId: e }))).code).toBe('INVALID_STATE');
    expect((await errorOf(s.createRun({ experimentId: '123' }))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    await s.restoreExperiment(e);
    expect((await s.getRun(r1.runId)).info).toMatchObject({ lifecycleStage: 'active', deletedTime: null });
    expect((await s.getRun(r2.runId)).info).toMatchObject({ lifecycleStage: 'deleted', deletedTime: r2Deleted });
  });

  it('refuses to delete the Default experiment and validates names and tags', async () => {
    const s = await store();
    expect((await errorOf(s.deleteExperiment('0'))).message).toContain('Default');
    expect((await errorOf(s.createExperiment(''))).code).toBe('INVALID_PARAMETER_VALUE');
    expect((await errorOf(s.createExperiment('x'.repeat(501)))).message).toContain('500');
    await s.setExperimentTag('0', 'mlflow.note.content', 'hello');
    expect(dictGet((await s.getExperiment('0')).tags, 'mlflow.note.content')).toBe('hello');
    expect((await errorOf(s.setExperimentTag('0', 'k', 'v'.repeat(5001)))).message).toContain('5000');
    expect((await errorOf(s.getExperiment('404'))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

describe('runs', () => {
  it('creates a RUNNING run with MLflow system tags and a generated name', async () => {
    const s = await store();
    const info = await s.createRun({ experimentId: '0' });
    expect(info.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(info.runName).toMatch(RUN_NAME_PATTERN);
    expect(info).toMatchObject({
      status: 'RUNNING', userId: 'browser', endTime: null, lifecycleStage: 'active',
      artifactUri: `mlflow-artifacts:/0/${info.runId}/artifacts`,
    });
    const run = await s.getRun(info.runId);
    expect(run.tags).toEqual({
      'mlflow.runName': info.runName, 'mlflow.user': 'browser',
      'mlflow.source.name': 'mfflow', 'mlflow.source.type': 'LOCAL',
    });
  });

  it('lets callers override user, source and name; nested runs need an existing parent', async () => {
    const s = await store();
    const parent = await s.createRun({ experimentId: '0', runName: 'parent', userId: 'ana',
      tags: { 'mlflow.source.type': 'NOTEBOOK', 'mlflow.source.name': 'lab.ipynb' } });
    const run = await s.getRun(parent.runId);
    expect(run.info.userId).toBe('ana');
    expect(run.tags).toMatchObject({ 'mlflow.user': 'ana', 'mlflow.source.type': 'NOTEBOOK', 'mlflow.source.name': 'lab.ipynb', 'mlflow.runName': 'parent' });
    const child = await s.createRun({ experimentId: '0', parentRunId: parent.runId });
    expect(dictGet((await s.getRun(child.runId)).tags, 'mlflow.parentRunId')).toBe(parent.runId);
    const missing = await errorOf(s.createRun({ experimentId: '0', parentRunId: 'f'.repeat(32) }));
    expect(missing.message).toContain('Parent run');
    expect(s.listRuns(['0'])).toHaveLength(2);
  });

  it('params are immutable: same value is fine, a different one is refused naming both', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    await s.logBatch(runId, { params: [{ key: 'alpha', value: '0.5' }] });
    await s.logBatch(runId, { params: [{ key: 'alpha', value: '0.5' }] });
    const e = await errorOf(s.logBatch(runId, { params: [{ key: 'alpha', value: '0.7' }] }));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toMatch(/Changing param values is not allowed.*"alpha".*"0\.5".*"0\.7"/);
    expect((await s.getRun(runId)).params).toEqual({ alpha: '0.5' });
  });

  it('a failing batch writes nothing: params, tags and metrics are all or nothing', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    await s.logBatch(runId, { params: [{ key: 'a', value: '1' }] });
    await errorOf(s.logBatch(runId, {
      metrics: [cols('loss', [[0, 1, 10]])], tags: [{ key: 't', value: 'x' }],
      params: [{ key: 'b', value: '2' }, { key: 'a', value: 'changed' }],
    }));
    const run = await s.getRun(runId);
    expect(run.params).toEqual({ a: '1' });
    expect(dictGet(run.tags, 't')).toBeUndefined();
    expect(run.metrics).toEqual({});
    expect((await s.getMetricHistory(runId, 'loss')).values.length).toBe(0);
  });

  it('validates batches before writing (duplicate params, limits, bad keys)', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    expect((await errorOf(s.logBatch(runId, { params: [{ key: 'a', value: '1' }, { key: 'a', value: '1' }] }))).message).toContain('more than once');
    const many = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
    expect((await errorOf(s.logBatch(runId, { tags: many }))).message).toContain('100 tags');
    expect((await errorOf(s.logBatch(runId, { metrics: [cols('bad key!', [[0, 1, 1]])] }))).message).toContain('Invalid metric key');
    expect((await errorOf(s.logBatch('0'.repeat(32), { tags: [{ key: 'a', value: 'b' }] }))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('keeps the mlflow.runName tag and the run name in step, both ways', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0', runName: 'first' });
    await s.setTag(runId, 'mlflow.runName', 'second');
    expect((await s.getRun(runId)).info.runName).toBe('second');
    await s.updateRun(runId, { runName: 'third' });
    expect(dictGet((await s.getRun(runId)).tags, 'mlflow.runName')).toBe('third');
  });

  it('sets and deletes tags, including keys like __proto__', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    await s.logBatch(runId, { tags: [{ key: '__proto__', value: 'p' }, { key: 'note', value: 'n' }], params: [{ key: 'constructor', value: 'c' }] });
    let run = await s.getRun(runId);
    expect(dictGet(run.tags, '__proto__')).toBe('p');
    expect(dictGet(run.params, 'constructor')).toBe('c');
    await s.deleteTag(runId, 'note');
    await s.deleteTag(runId, '__proto__');
    run = await s.getRun(runId);
    expect(dictGet(run.tags, 'note')).toBeUndefined();
    expect(dictGet(run.tags, '__proto__')).toBeUndefined();
    expect((await errorOf(s.deleteTag(runId, 'note'))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(Object.getPrototypeOf(run.tags)).toBe(Object.prototype);
  });

  it('updates status and end time; delete and restore set lifecycle and deletedTime', async () => {
    const s = await store({ now: () => 5000 });
    const { runId } = await s.createRun({ experimentId: '0' });
    const info = await s.updateRun(runId, { status: 'FINISHED', endTime: 6000 });
    expect(info).toMatchObject({ status: 'FINISHED', endTime: 6000 });
    await s.deleteRun(runId);
    expect((await s.getRun(runId)).info).toMatchObject({ lifecycleStage: 'deleted', deletedTime: 5000 });
    expect((await errorOf(s.logBatch(runId, { tags: [{ key: 'a', value: 'b' }] }))).code).toBe('INVALID_STATE');
    expect((await s.searchRuns({ experimentIds: ['0'] })).runs).toHaveLength(0);
    expect((await s.searchRuns({ experimentIds: ['0'], runViewType: 'DELETED_ONLY' })).runs).toHaveLength(1);
    await s.restoreRun(runId);
    expect((await s.getRun(runId)).info).toMatchObject({ lifecycleStage: 'active', deletedTime: null });
    expect((await errorOf(s.updateRun(runId, { status: 'DONE' as never }))).message).toContain('Unknown run status');
  });

  it('logInputs dedupes by dataset name, digest and context', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    const dataset = { name: 'wine', digest: 'abcd1234', sourceType: 'http', source: '{"url":"u"}', schema: null, profile: null };
    const train = { dataset, tags: { 'mlflow.data.context': 'training' } };
    const evalIn = { dataset, tags: { 'mlflow.data.context': 'evaluation' } };
    await s.logInputs(runId, [train, train]);
    await s.logInputs(runId, [train, evalIn]);
    const run = await s.getRun(runId);
    expect(run.inputs.map((i) => i.tags['mlflow.data.context'])).toEqual(['training', 'evaluation']);
    await errorOf(s.logInputs(runId, [{ dataset: { ...dataset, digest: 'x'.repeat(37) }, tags: {} }]));
  });

  it('persists everything: a second store on the same database sees the same runs', async () => {
    const dbName = uniqueDbName();
    const a = await TrackingStore.open({ dbName });
    const e = await a.createExperiment('persist');
    const { runId } = await a.createRun({ experimentId: e, runName: 'r' });
    await a.logBatch(runId, { params: [{ key: 'p', value: '1' }], metrics: [cols('m', [[0, 2, 3]])] });
    const before = await a.getRun(runId);
    a.close();
    const b = await TrackingStore.open({ dbName });
    expect(await b.getRun(runId)).toEqual(before);
    expect(b.listRuns([e]).map((r) => r.info.runId)).toEqual([runId]);
    b.close();
  });

  it('returned runs are detached copies: mutating them does not change the store', async () => {
    const s = await store();
    const { runId } = await s.createRun({ experimentId: '0' });
    const run = await s.getRun(runId);
    run.params.x = 'y';
    run.info.status = 'FAILED';
    const again = await s.getRun(runId);
    expect(again.params).toEqual({});
    expect(again.info.status).toBe('RUNNING');
  });
});
