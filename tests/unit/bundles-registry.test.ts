/**
 * The model registry in bundles: a lab export carries mlruns/models/ and an import commits it
 * with the runs, in one transaction; equal models add nothing, different ones are conflicts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateModelName } from '../../src/lib/registry/validate';
import { pathProblem } from '../../src/lib/archive/paths';
import { dictFrom } from '../../src/lib/util/dict';
import { collectBundle, collectBundleBatches } from '../../src/lib/bundles/collect';
import { registeredModelsForExport } from '../../src/lib/bundles/registry-export';
import { StreamedExport } from '../../src/lib/bundles/streamed-export';
import { prepareEntries } from '../../src/lib/bundles/prepare-import';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { RegistryStore } from '../../src/lib/storage/registry-store';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { fillLab, prepareZip } from './bundles-helpers';
import { fillRegistry } from './bundles-registry-fixture';
import { tickingClock, uniqueDbName } from './storage-helpers';

const closers: { close(): void }[] = [];
afterEach(() => { for (const c of closers.splice(0)) c.close(); });

async function openLab(): Promise<{ store: TrackingStore; reg: RegistryStore }> {
  const dbName = uniqueDbName();
  const store = await TrackingStore.open({ dbName, now: tickingClock(1_700_000_000_000) });
  const reg = await RegistryStore.open({ dbName, now: tickingClock(1_700_100_000_000) });
  closers.push(store, reg);
  return { store, reg };
}

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe('registered models in bundles', () => {
  it('store → zip → fresh store gives equal models (aliases, stages, tags, next number), and the same zip again', async () => {
    const a = await openLab();
    const lab = await fillLab(a.store);
    await fillRegistry(a.reg, lab.runIds[0], lab.runIds[2]);
    const zip = exportMlflowZip(await collectBundle(a.store, { kind: 'lab' }, a.reg));
    const files = unzipSafe(zip);
    expect(text(files.get('mlruns/models/wine/aliases/champion'))).toBe('2');
    expect(text(files.get('mlruns/models/wine/version-2/meta.yaml'))).toContain(`source: 'runs:/${lab.runIds[0]}/model'`);
    expect(text(files.get('mlruns/models/retired/version-2/meta.yaml'))).toContain("current_stage: 'Deleted_Internal'");

    const b = await openLab();
    const report = await b.store.importBundle(await prepareZip(zip));
    expect(report.conflicts).toEqual([]);
    expect(report.addedRegisteredModels.sort()).toEqual(['retired', 'wine']);
    const before = await a.reg.listRegisteredModels();
    const after = await b.reg.listRegisteredModels();
    expect(after).toEqual(before);
    expect((await b.reg.getModelVersionByAlias('wine', 'champion')).version).toBe(2);
    expect((await b.reg.getModelVersion('wine', 1)).currentStage).toBe('Production');
    // The deleted number stays used: the next version of `retired` is 3 in both labs.
    expect((await b.reg.createModelVersion('retired', { source: `runs:/${lab.runIds[2]}/net` })).version).toBe(3);
    await b.reg.deleteModelVersion('retired', 3);
    expect(exportMlflowZip(await collectBundle(b.store, { kind: 'lab' }, b.reg))).not.toEqual(zip);
  });

  it('export → import → export is byte-identical with a registry', async () => {
    const a = await openLab();
    const lab = await fillLab(a.store);
    await fillRegistry(a.reg, lab.runIds[0], lab.runIds[2]);
    const zip = exportMlflowZip(await collectBundle(a.store, { kind: 'lab' }, a.reg));
    const b = await openLab();
    await b.store.importBundle(await prepareZip(zip));
    // The Default experiment's creation time differs per lab; compare an experiment export and the registry files.
    const sel = { kind: 'experiment', experimentId: lab.experimentId } as const;
    expect(exportMlflowZip(await collectBundle(b.store, sel, b.reg))).toEqual(exportMlflowZip(await collectBundle(a.store, sel, a.reg)));
    const reg = (z: Uint8Array) => [...unzipSafe(z)].filter(([p]) => p.startsWith('mlruns/models/'));
    expect(reg(exportMlflowZip(await collectBundle(b.store, { kind: 'lab' }, b.reg)))).toEqual(reg(zip));
  });

  it('an experiment export carries only the versions of its runs and their aliases', async () => {
    const a = await openLab();
    const lab = await fillLab(a.store);
    await fillRegistry(a.reg, lab.runIds[0], lab.runIds[2]);
    const bundle = await collectBundle(a.store, { kind: 'experiment', experimentId: lab.experimentId }, a.reg);
    expect(bundle.registeredModels.map((m) => m.name)).toEqual(['wine']);
    expect(bundle.registeredModels[0].versions.map((v) => v.version)).toEqual([1, 2]);
    const only = await collectBundle(a.store, { kind: 'runs', runIds: [lab.runIds[2]] }, a.reg);
    expect(only.registeredModels.map((m) => [m.name, m.versions.map((v) => v.version), Object.keys(m.aliases)])).toEqual([['retired', [1], []]]);
  });

  it('the streamed export (the worker path) writes the same registry as collectBundle', async () => {
    const a = await openLab();
    const lab = await fillLab(a.store);
    await fillRegistry(a.reg, lab.runIds[0], lab.runIds[2]);
    for (const sel of [{ kind: 'lab' } as const, { kind: 'experiment', experimentId: lab.experimentId } as const]) {
      const out = new StreamedExport();
      const ids = new Set<string>();
      const experiments = await collectBundleBatches(a.store, sel, (runs) => { out.add(runs); for (const r of runs) ids.add(r.run.info.runId); }, 2);
      const models = registeredModelsForExport(await a.reg.listRegisteredModels(), sel, ids);
      expect(out.finish(experiments, {}, models)).toEqual(exportMlflowZip(await collectBundle(a.store, sel, a.reg)));
    }
  });

  it('re-import adds nothing; a model of the same name with other content is a conflict and is kept as it is', async () => {
    const a = await openLab();
    const lab = await fillLab(a.store);
    await fillRegistry(a.reg, lab.runIds[0], lab.runIds[2]);
    const zip = exportMlflowZip(await collectBundle(a.store, { kind: 'lab' }, a.reg));
    const again = await a.store.importBundle(await prepareZip(zip));
    expect(again.addedRegisteredModels).toEqual([]);
    expect(again.unchangedRegisteredModels.sort()).toEqual(['retired', 'wine']);
    expect(again.conflicts).toEqual([]);

    const b = await openLab();
    await b.reg.createRegisteredModel('wine', { description: 'mine' });
    const before = await b.reg.getRegisteredModel('wine');
    const report = await b.store.importBundle(await prepareZip(zip));
    expect(report.conflicts).toEqual([expect.objectContaining({ kind: 'registeredModel', id: 'wine' })]);
    expect(report.addedRegisteredModels).toEqual(['retired']);
    expect(report.addedRuns.length).toBe(lab.runIds.length);
    expect(await b.reg.getRegisteredModel('wine')).toEqual(before);
  });

  it('is all or nothing: a failed commit leaves neither runs nor registered models', async () => {
    const a = await openLab();
    const lab = await fillLab(a.store);
    await fillRegistry(a.reg, lab.runIds[0], lab.runIds[2]);
    const prep = await prepareZip(exportMlflowZip(await collectBundle(a.store, { kind: 'lab' }, a.reg)));
    // A record IndexedDB cannot clone makes the registry put fail inside the transaction.
    (prep.registeredModels![1] as unknown as { description: unknown }).description = () => 0;
    const b = await openLab();
    await expect(b.store.importBundle(prep)).rejects.toThrow(/clone/i);
    expect(await b.reg.listRegisteredModels()).toEqual([]);
    expect(b.store.listRuns().length).toBe(0);
    expect((await b.store.listExperiments('ALL')).map((e) => e.experimentId)).toEqual(['0']);
  });
});

describe('registered models from archives others wrote', () => {
  const enc = new TextEncoder();
  const meta = (name: string) => enc.encode(`creation_timestamp: 1\ndescription: null\nlast_updated_timestamp: 2\nname: ${name}\n`);
  const version = (name: string, n: number, source: string, extra = '') =>
    enc.encode(`creation_timestamp: 1\ncurrent_stage: None\nlast_updated_timestamp: 1\nname: ${name}\nsource: ${source}\nstatus: READY\nversion: ${n}\n${extra}`);
  const base = (): Map<string, Uint8Array> => new Map([
    ['mlruns/0/meta.yaml', enc.encode("artifact_location: mlruns/0\ncreation_time: 0\nexperiment_id: '0'\nlast_update_time: 0\nlifecycle_stage: active\nname: Default\n")],
  ]);

  it('leaves out a model with a bad alias name or a name twice, with a warning, and keeps the others', async () => {
    const e = base();
    e.set('mlruns/models/good/meta.yaml', meta('good'));
    e.set('mlruns/models/good/version-1/meta.yaml', version('good', 1, 's3://bucket/m'));
    e.set('mlruns/models/good/aliases/champion', enc.encode('1'));
    e.set('mlruns/models/bad/meta.yaml', meta('bad'));
    e.set('mlruns/models/bad/version-1/meta.yaml', version('bad', 1, 's3://bucket/m'));
    e.set('mlruns/models/bad/aliases/no way', enc.encode('1'));
    e.set('mlruns/models/twice/meta.yaml', meta('good'));
    const prep = prepareEntries(e);
    expect(prep.registeredModels!.map((m) => m.name)).toEqual(['good']);
    expect(prep.warnings.join('\n')).toMatch(/"bad" not imported: alias "no way"/);
    expect(prep.warnings.join('\n')).toMatch(/"good" not imported: the archive holds this name twice/);
    const { store, reg } = await openLab();
    const report = await store.importBundle(prep);
    expect(report.addedRegisteredModels).toEqual(['good']);
    expect((await reg.getModelVersionByAlias('good', 'champion')).source).toBe('s3://bucket/m');
  });

  it('a version of an MLflow 3 logged model points at the run that holds its files', () => {
    const e = base();
    const run = 'a'.repeat(32), exp = '123';
    e.set(`mlruns/${exp}/meta.yaml`, enc.encode(`artifact_location: mlruns/${exp}\ncreation_time: 0\nexperiment_id: '${exp}'\nlast_update_time: 0\nlifecycle_stage: active\nname: e\n`));
    e.set(`mlruns/${exp}/${run}/meta.yaml`, enc.encode(`artifact_uri: mlruns/${exp}/${run}/artifacts\nend_time: 2\nexperiment_id: '${exp}'\nlifecycle_stage: active\nrun_id: ${run}\nrun_name: r\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1\nstatus: 3\ntags: []\nuser_id: u\n`));
    const mid = `m-${'b'.repeat(32)}`;
    e.set(`mlruns/${exp}/models/${mid}/meta.yaml`, enc.encode(`artifact_location: mlruns/${exp}/models/${mid}/artifacts\ncreation_timestamp: 1\nexperiment_id: '${exp}'\nlast_updated_timestamp: 1\nlifecycle_stage: active\nmodel_id: ${mid}\nmodel_type: ''\nname: model\nsource_run_id: ${run}\nstatus: READY\nstatus_message: null\n`));
    e.set(`mlruns/${exp}/models/${mid}/artifacts/MLmodel`, enc.encode('flavors: {}\n'));
    e.set('mlruns/models/wine/meta.yaml', meta('wine'));
    e.set('mlruns/models/wine/version-1/meta.yaml', version('wine', 1, `models:/${mid}`, `model_id: ${mid}\nrun_id: ${run}\nstorage_location: /elsewhere/${mid}/artifacts\n`));
    const prep = prepareEntries(e);
    expect(prep.runs[0].artifacts.map((a) => a.path)).toEqual(['model/MLmodel']);
    expect(prep.registeredModels![0].versions[0]).toMatchObject({ source: `models:/${mid}`, runId: run, storageLocation: `runs:/${run}/model` });
  });
});

describe('registry round trip, any registry', () => {
  const STAGES = ['None', 'Staging', 'Production', 'Archived'];
  const modelArb = fc.record({
    name: fc.oneof(fc.constantFrom('wine', '__proto__', 'ünïcode model', 'x.y-z_1'), fc.string({ minLength: 1, maxLength: 12 })),
    description: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    tags: fc.dictionary(fc.constantFrom('team', '__proto__', 'k.1', 'a b/c'), fc.string({ maxLength: 20 })),
    versions: fc.array(fc.record({
      stage: fc.constantFrom(...STAGES),
      tag: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      deleted: fc.boolean(),
    }), { minLength: 1, maxLength: 4 }),
    aliases: fc.dictionary(fc.constantFrom('champion', 'prod-1', 'a_b'), fc.nat(3)),
  });

  it('store → lab zip → fresh store gives equal registered models, and the same zip again', async () => {
    await fc.assert(fc.asyncProperty(fc.uniqueArray(modelArb, { minLength: 1, maxLength: 3, selector: (m) => m.name }), async (models) => {
      const a = await openLab();
      // Names the registry takes but a zip entry cannot hold (a backslash…) are refused by the export (next test).
      const valid = models.filter((m) => { try { validateModelName(m.name); return pathProblem(m.name, false) === null; } catch { return false; } });
      for (const m of valid) {
        await a.reg.createRegisteredModel(m.name, { description: m.description, tags: dictFrom(Object.entries(m.tags)) });
        for (const v of m.versions) {
          const mv = await a.reg.createModelVersion(m.name, { source: `runs:/${'c'.repeat(32)}/model`, tags: v.tag === undefined ? undefined : dictFrom([['t', v.tag]]) });
          if (v.stage !== 'None') await a.reg.transitionModelVersionStage(m.name, mv.version, v.stage);
        }
        for (const [alias, i] of Object.entries(m.aliases)) if (i < m.versions.length) await a.reg.setRegisteredModelAlias(m.name, alias, i + 1);
        for (const [i, v] of m.versions.entries()) if (v.deleted) await a.reg.deleteModelVersion(m.name, i + 1);
      }
      const zip = exportMlflowZip(await collectBundle(a.store, { kind: 'lab' }, a.reg));
      const b = await openLab();
      const report = await b.store.importBundle(await prepareZip(zip));
      expect(report.conflicts).toEqual([]);
      expect(report.warnings).toEqual([]);
      const sorted = (l: { name: string }[]) => [...l].sort((x, y) => (x.name < y.name ? -1 : 1));
      expect(sorted(await b.reg.listRegisteredModels())).toEqual(sorted(await a.reg.listRegisteredModels()));
      const regFiles = (z: Uint8Array) => [...unzipSafe(z)].filter(([p]) => p.startsWith('mlruns/models/'));
      expect(regFiles(exportMlflowZip(await collectBundle(b.store, { kind: 'lab' }, b.reg)))).toEqual(regFiles(zip));
      for (const c of closers.splice(0)) c.close();
    }), { numRuns: 30 });
  }, 60_000);

  it('a model name a zip cannot hold is refused when the model is made, so no export meets one', async () => {
    const a = await openLab();
    await expect(a.reg.createRegisteredModel('back\\slash')).rejects.toThrow(/cannot contain backslashes or control characters/);
    expect(await a.reg.listRegisteredModels()).toEqual([]);
  });
});
