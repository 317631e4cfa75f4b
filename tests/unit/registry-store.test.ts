import { afterEach, describe, expect, it } from 'vitest';
import { RegistryStore } from '../../src/lib/storage/registry-store';
import { MlflowError } from '../../src/lib/util/errors';
import { tickingClock, uniqueDbName } from './storage-helpers';

const RUN = 'b'.repeat(32);
const open: RegistryStore[] = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });

async function store(dbName = uniqueDbName('registry')): Promise<RegistryStore> {
  const s = await RegistryStore.open({ dbName, now: tickingClock(1_000) });
  open.push(s);
  return s;
}

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  return p.then(() => null, (e: unknown) => (e instanceof MlflowError ? e.code : `not MlflowError: ${String(e)}`));
}

describe('RegistryStore', () => {
  it('creates models once, versions count up, and everything survives a reopen', async () => {
    const dbName = uniqueDbName('registry');
    const s = await store(dbName);
    await s.createRegisteredModel('wine', { description: 'red', tags: { team: 'lab' } });
    expect(await codeOf(s.createRegisteredModel('wine'))).toBe('RESOURCE_ALREADY_EXISTS');
    expect(await codeOf(s.createRegisteredModel('a/b'))).toBe('INVALID_PARAMETER_VALUE');
    const v1 = await s.createModelVersion('wine', { source: `runs:/${RUN}/model`, description: 'first' });
    const v2 = await s.createModelVersion('wine', { source: `runs:/${RUN}/model` });
    expect([v1.version, v2.version, v1.runId, v1.status, v1.currentStage]).toEqual([1, 2, RUN, 'READY', 'None']);
    expect(await codeOf(s.createModelVersion('nope', { source: `runs:/${RUN}/model` }))).toBe('RESOURCE_DOES_NOT_EXIST');
    s.close();

    const again = await store(dbName);
    const m = await again.getRegisteredModel('wine');
    expect([m.description, m.tags, m.versions.map((v) => v.version), m.nextVersion]).toEqual(['red', { team: 'lab' }, [1, 2], 3]);
    expect((await again.getModelVersion('wine', '1')).description).toBe('first');
  });

  it('register_model style: createModelVersion with createModel makes the model first', async () => {
    const s = await store();
    const v = await s.createModelVersion('fresh', { source: `runs:/${RUN}/model` }, true);
    expect(v.version).toBe(1);
    expect((await s.listRegisteredModels()).map((m) => m.name)).toEqual(['fresh']);
  });

  it('aliases, stages and URIs resolve to the run folder to load', async () => {
    const s = await store();
    await s.createRegisteredModel('wine');
    for (let i = 0; i < 3; i++) await s.createModelVersion('wine', { source: `runs:/${RUN}/model` });
    await s.setRegisteredModelAlias('wine', 'champion', 2);
    await s.transitionModelVersionStage('wine', 1, 'production');
    await s.transitionModelVersionStage('wine', 3, 'Production', true);
    expect((await s.getModelVersion('wine', 1)).currentStage).toBe('Archived');
    expect((await s.getModelVersionByAlias('wine', 'champion')).version).toBe(2);

    const byAlias = await s.resolveModelUri('models:/wine@champion');
    expect([byAlias.runId, byAlias.artifactPath, byAlias.version?.version, byAlias.version?.name]).toEqual([RUN, 'model', 2, 'wine']);
    expect((await s.resolveModelUri('models:/wine/latest')).version?.version).toBe(3);
    expect((await s.resolveModelUri('models:/wine/Production')).version?.version).toBe(3);
    expect((await s.resolveModelUri('models:/wine/1')).version?.version).toBe(1);
    expect(await s.resolveModelUri(`runs:/${RUN}/model`)).toEqual({ runId: RUN, artifactPath: 'model' });
    expect(await codeOf(s.resolveModelUri('models:/wine/7'))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await codeOf(s.resolveModelUri('models:/other/1'))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await codeOf(s.resolveModelUri('models:/wine@nobody'))).toBe('INVALID_PARAMETER_VALUE');

    await s.deleteModelVersion('wine', 2);
    expect(await codeOf(s.getModelVersionByAlias('wine', 'champion'))).toBe('INVALID_PARAMETER_VALUE');
    expect((await s.createModelVersion('wine', { source: `runs:/${RUN}/model` })).version).toBe(4);
    expect((await s.versionsOfRun(RUN)).map((v) => `${v.name}/${v.version}`)).toEqual(['wine/1', 'wine/3', 'wine/4']);
  });

  it('a failed edit leaves the stored record as it was', async () => {
    const s = await store();
    await s.createRegisteredModel('wine');
    await s.createModelVersion('wine', { source: `runs:/${RUN}/model` });
    const before = await s.getRegisteredModel('wine');
    expect(await codeOf(s.setRegisteredModelAlias('wine', 'latest', 1))).toBe('INVALID_PARAMETER_VALUE');
    expect(await codeOf(s.setModelVersionTag('wine', 1, 'k', 'x'.repeat(100_001)))).toBe('INVALID_PARAMETER_VALUE');
    expect(await s.getRegisteredModel('wine')).toEqual(before);
  });

  it('rename moves the model with its versions; delete removes it', async () => {
    const s = await store();
    await s.createRegisteredModel('wine');
    await s.createRegisteredModel('taken');
    await s.createModelVersion('wine', { source: `runs:/${RUN}/model` });
    await s.setRegisteredModelAlias('wine', 'champion', 1);
    expect(await codeOf(s.renameRegisteredModel('wine', 'taken'))).toBe('RESOURCE_ALREADY_EXISTS');
    const renamed = await s.renameRegisteredModel('wine', 'red wine');
    expect([renamed.name, renamed.versions.length, renamed.aliases]).toEqual(['red wine', 1, { champion: 1 }]);
    expect(await codeOf(s.getRegisteredModel('wine'))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await s.resolveModelUri('models:/red wine@champion')).version?.version).toBe(1);
    await s.deleteRegisteredModel('red wine');
    expect(await codeOf(s.deleteRegisteredModel('red wine'))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await s.listRegisteredModels()).map((m) => m.name)).toEqual(['taken']);
  });

  it('tags and descriptions on models and versions', async () => {
    const s = await store();
    await s.createRegisteredModel('wine');
    await s.createModelVersion('wine', { source: `runs:/${RUN}/model` });
    await s.setRegisteredModelTag('wine', 'owner', 'me');
    await s.setModelVersionTag('wine', 1, 'validated', 'true');
    await s.updateRegisteredModel('wine', 'new text');
    await s.updateModelVersion('wine', 1, 'v1 text');
    let m = await s.getRegisteredModel('wine');
    expect([m.tags, m.description, m.versions[0].tags, m.versions[0].description]).toEqual([{ owner: 'me' }, 'new text', { validated: 'true' }, 'v1 text']);
    await s.deleteRegisteredModelTag('wine', 'owner');
    await s.deleteModelVersionTag('wine', 1, 'validated');
    expect(await codeOf(s.deleteRegisteredModelTag('wine', 'owner'))).toBe('RESOURCE_DOES_NOT_EXIST');
    m = await s.getRegisteredModel('wine');
    expect([m.tags, m.versions[0].tags]).toEqual([{}, {}]);
  });
});

describe('bundle import and export', () => {
  it('an mlruns tree written from our registry reads back and imports to the same records', async () => {
    const { writeMlrunsTree } = await import('../../src/lib/mlflow/write-tree');
    const { readMlrunsTree } = await import('../../src/lib/mlflow/read-tree');
    const { toBundleModel } = await import('../../src/lib/registry/model-registry');
    const s = await store();
    await s.createRegisteredModel('wine', { description: 'red', tags: { team: 'lab' } });
    for (let i = 0; i < 3; i++) await s.createModelVersion('wine', { source: `runs:/${RUN}/model`, tags: { i: String(i) } });
    await s.transitionModelVersionStage('wine', 2, 'Production');
    await s.setRegisteredModelAlias('wine', 'champion', 2);
    await s.deleteModelVersion('wine', 3);
    const original = await s.listRegisteredModels();
    const tree = writeMlrunsTree({ experiments: [], runs: [], loggedModels: [], registeredModels: original.map(toBundleModel) });
    const read = readMlrunsTree(tree).bundle.registeredModels;

    const target = await store();
    expect(await target.importRegisteredModels(read)).toEqual({ added: ['wine'], skipped: [] });
    const imported = await target.getRegisteredModel('wine');
    // Version 3 was deleted, so the tree has versions 1-2 and numbering restarts after 2.
    expect(imported).toEqual({ ...original[0], nextVersion: 3 });
    expect(await target.importRegisteredModels(read)).toEqual({ added: [], skipped: ['wine'] });
  });

  it('MLflow-deleted versions are dropped but keep their numbers; dangling aliases go; stages become canonical', async () => {
    const s = await store();
    const v = (version: number, currentStage: string) => ({
      version, currentStage, creationTimestamp: 1, lastUpdatedTimestamp: 1, description: null, userId: null, source: `runs:/${RUN}/model`,
      runId: RUN, runLink: null, status: 'READY', statusMessage: null, modelId: null, storageLocation: null, tags: {},
    });
    await s.importRegisteredModels([{
      name: 'old', creationTimestamp: 1, lastUpdatedTimestamp: 1, description: null, tags: {},
      aliases: { live: 1, dead: 2 }, versions: [v(2, 'Deleted_Internal'), v(1, 'production')],
    }]);
    const m = await s.getRegisteredModel('old');
    expect([m.versions.map((x) => [x.version, x.currentStage]), m.aliases, m.nextVersion]).toEqual([[[1, 'Production']], { live: 1 }, 3]);
    expect((await s.createModelVersion('old', { source: `runs:/${RUN}/model` })).version).toBe(3);
    expect(await codeOf(s.importRegisteredModels([{ ...m, name: 'a:b' }]))).toBe('INVALID_PARAMETER_VALUE');
  });
});
