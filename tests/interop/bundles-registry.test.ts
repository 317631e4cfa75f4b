/**
 * The model registry in bundles against real MLflow 3.17.2 (file store, MLFLOW_ALLOW_FILE_STORE):
 * (a) a lab export with `wine` (v1: a run stored before the lab logged MLflow Models, whose
 *     tfjs-only folder the export upgrades; v2: a run the trainer logged as it does today; alias
 *     champion → 2, v1 in Staging, tags, descriptions) opens in MlflowClient with the same
 *     registry, `models:/wine@champion` and `models:/wine/1` load with mlflow.pyfunc and predict
 *     what the lab's formula gives, and a version number the lab deleted is not given out again;
 * (b) a registry MLflow wrote (register_model of logged models, an alias, a stage, tags) imports
 *     into the lab with its versions and alias, resolves to the run that holds the model files,
 *     and importing it again adds nothing.
 */
import { prepareZip } from '../unit/bundles-helpers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { collectBundle } from '../../src/lib/bundles/collect';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { trainTestSplitNumpy } from '../../src/lib/ml/split';
import { runModelSource } from '../../src/lib/registry/model-registry';
import { RegistryStore } from '../../src/lib/storage/registry-store';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import type { TrainSpec } from '../../src/lib/training/contract';
import { MemoryRunLogger } from '../../src/lib/training/memory-logger';
import { buildMlmodel } from '../../src/lib/training/model-artifacts';
import { parseMLmodel } from '../../src/lib/mlflow/mlmodel';
import { createTrainer } from '../../workers/training/trainer';
import { uniqueDbName } from '../unit/storage-helpers';
import { wineTable } from '../unit/training-helpers';
import { PYTHON, runPython } from './python';
import { resolveTrainSpec } from '../../src/lib/training/validate';

const work = mkdtempSync(join(tmpdir(), 'mfflow-bundles-registry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const closers: { close(): void }[] = [];
afterEach(() => { for (const c of closers.splice(0)) c.close(); });

async function openLab(): Promise<{ store: TrackingStore; reg: RegistryStore }> {
  const dbName = uniqueDbName();
  const store = await TrackingStore.open({ dbName });
  const reg = await RegistryStore.open({ dbName });
  closers.push(store, reg);
  return { store, reg };
}

const FEATURES = ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide',
  'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'];
const split = { seed: 40, testSize: 0.25 };
const spec: TrainSpec = { model: 'elasticnet', target: 'quality', features: FEATURES, params: { alpha: 0.5, l1_ratio: 0.5 }, split };

interface PyVersion { version: number; run_id: string; source: string; current_stage: string; description: string | null; tags: Record<string, string>; aliases: string[]; status: string; creation_timestamp: number }
interface PyRead {
  model: { name: string; description: string; tags: Record<string, string>; aliases: Record<string, number>; latest_versions: [number, string][]; creation_timestamp: number };
  by_alias: PyVersion;
  versions: PyVersion[];
  models: string[];
  download_v1: string[] | string;
  load_champion: { predictions?: number[]; error?: string };
  load_v1: { ok?: boolean; predictions?: number[]; error?: string };
  next_other: number | string;
}

describe('registry bundles with real MLflow', () => {
  it('(a) a lab export with a registered model opens in MLflow, and models:/wine@champion loads and predicts', async () => {
    const table = await wineTable();
    const log = new MemoryRunLogger();
    const trainer = createTrainer({ loadTf: async () => { await tf.setBackend('cpu'); return { tf, backend: tf.getBackend() }; }, flushMs: 5 });
    expect((await trainer.train('enet', resolveTrainSpec(spec, table), table, log)).error).toBeUndefined();
    const labFiles = new Map<string, Uint8Array>();
    for (const [p, a] of log.artifacts) if (p.startsWith('model/')) labFiles.set(p.slice(6), a.bytes);
    const col = (name: string) => table.data[table.columns.indexOf(name)] as Float64Array;
    const rows = Array.from(trainTestSplitNumpy(table.rowCount, split).test.slice(0, 20), (r) => FEATURES.map((f) => col(f)[r]));

    // A run stored by an older lab: model.json, weights.bin, linear.json and a tfjs-only MLmodel
    // (what logModelDirectory wrote then), made from the same trained files.
    const old = new Map([...labFiles].filter(([p]) => ['model.json', 'weights.bin', 'linear.json'].includes(p)));
    const tfjs = parseMLmodel(labFiles.get('MLmodel')!).flavors.tfjs;
    const { model_json: _j, tfjs_version: _v, format: _f, ...flavor } = tfjs as Record<string, string>;
    old.set('MLmodel', new TextEncoder().encode(buildMlmodel({ signature: { inputs: [], outputs: [] }, flavor, modelSizeBytes: 0 })));
    expect(parseMLmodel(old.get('MLmodel')!).flavors.python_function).toBeUndefined();
    expect(parseMLmodel(labFiles.get('MLmodel')!).flavors.python_function).toBeDefined();

    const { store, reg } = await openLab();
    const experimentId = await store.createExperiment('wine registry');
    const a = await store.createRun({ experimentId, runName: 'enet (stored before MLflow Models)' });
    for (const [p, bytes] of old) await store.logArtifact(a.runId, `model/${p}`, bytes);
    await store.updateRun(a.runId, { status: 'FINISHED', endTime: Date.now() });
    const b = await store.createRun({ experimentId, runName: 'enet (as logged today)' });
    for (const [p, bytes] of labFiles) await store.logArtifact(b.runId, `model/${p}`, bytes);
    await store.updateRun(b.runId, { status: 'FINISHED', endTime: Date.now() });

    await reg.createRegisteredModel('wine', { description: 'red wine quality', tags: { team: 'lab' } });
    await reg.createModelVersion('wine', { source: runModelSource(a.runId), description: 'first try' });
    await reg.createModelVersion('wine', { source: runModelSource(b.runId), tags: { validated: 'yes' } });
    await reg.setRegisteredModelAlias('wine', 'champion', 2);
    await reg.transitionModelVersionStage('wine', 1, 'Staging');
    await reg.createRegisteredModel('retired');
    await reg.createModelVersion('retired', { source: runModelSource(a.runId) });
    await reg.createModelVersion('retired', { source: runModelSource(a.runId) });
    await reg.deleteModelVersion('retired', 2);

    const zip = exportMlflowZip(await collectBundle(store, { kind: 'lab' }, reg));
    const dir = join(work, 'lab');
    mkdirSync(dir);
    writeFileSync(`${dir}.zip`, zip);
    execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', `${dir}.zip`, dir]);
    const py = runPython<PyRead>('bundles_registry_read.py', [dir],
      JSON.stringify({ name: 'wine', columns: FEATURES, rows, other_model: 'retired', other_run: a.runId }));

    const wine = await reg.getRegisteredModel('wine');
    expect(py.models).toEqual(['retired', 'wine']);
    expect(py.model).toEqual({
      name: 'wine', description: 'red wine quality', tags: { team: 'lab' }, aliases: { champion: 2 },
      latest_versions: [[1, 'Staging'], [2, 'None']], creation_timestamp: wine.creationTimestamp,
    });
    const want = wine.versions.map((v) => ({
      version: v.version, run_id: v.runId, source: v.source, current_stage: v.currentStage, description: v.description,
      tags: { ...v.tags }, aliases: v.version === 2 ? ['champion'] : [], status: 'READY', creation_timestamp: v.creationTimestamp,
    }));
    expect(want.map((v) => [v.version, v.run_id, v.source])).toEqual([[1, a.runId, `runs:/${a.runId}/model`], [2, b.runId, `runs:/${b.runId}/model`]]);
    expect(py.versions).toEqual(want);
    expect(py.by_alias).toEqual(want[1]);

    // The registry resolves to the run's files: version 1 downloads the run's model folder as
    // the export upgraded it (MLflow adds its registered_model_meta file).
    expect(py.download_v1).toEqual(expect.arrayContaining(['MLmodel', 'model.onnx', 'python_env.yaml', 'input_example.json', ...old.keys()]));
    const lin = JSON.parse(new TextDecoder().decode(labFiles.get('linear.json')!));
    const expected = rows.map((x) => x.reduce((s, v, j) => s + lin.coef[j] * (lin.scaler ? (v - lin.scaler.mean[j]) / lin.scaler.scale[j] : v), lin.intercept));
    const close = (got: number[] | undefined) => {
      expect(got!.length).toBe(rows.length);
      got!.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected[i]))));
    };
    // Both load through the registry and predict the lab's formula: the champion as the trainer
    // logged it, version 1 as the export upgraded it.
    expect(py.load_champion.error).toBeUndefined();
    close(py.load_champion.predictions);
    expect(py.load_v1.error).toBeUndefined();
    close(py.load_v1.predictions);
    // The number the lab deleted stays used in MLflow too.
    expect(py.next_other).toBe(3);
  }, 240_000);

  it('(b) a registry MLflow wrote imports with its versions and alias, and again adds nothing', async () => {
    const dir = join(work, 'mlflow');
    mkdirSync(dir);
    const py = runPython<{
      model: { name: string; description: string; tags: Record<string, string>; aliases: Record<string, number>; creation_timestamp: number; last_updated_timestamp: number };
      versions: { version: number; run_id: string; source: string; current_stage: string; description: string | null; tags: Record<string, string>; model_id: string | null }[];
      runs: string[];
      model_ids: string[];
    }>('bundles_registry_write.py', [dir]);
    const zip = new Uint8Array(readFileSync(join(dir, 'mlruns.zip')));
    const { store, reg } = await openLab();
    const report = await store.importBundle(await prepareZip(zip));
    expect(report.conflicts).toEqual([]);
    expect(report.addedRegisteredModels).toEqual(['wine']);
    expect(report.addedRuns.sort()).toEqual([...py.runs].sort());

    const m = await reg.getRegisteredModel('wine');
    expect({ name: m.name, description: m.description, tags: { ...m.tags }, aliases: { ...m.aliases }, creation_timestamp: m.creationTimestamp, last_updated_timestamp: m.lastUpdatedTimestamp })
      .toEqual(py.model);
    expect(m.versions.map((v) => ({ version: v.version, run_id: v.runId, source: v.source, current_stage: v.currentStage, description: v.description, tags: { ...v.tags }, model_id: v.modelId })))
      .toEqual(py.versions);
    // MLflow 3 registered logged models (source models:/m-…); the lab keeps their files in the
    // source run, so each version's storage location is that run's folder.
    expect(py.versions.map((v) => v.source)).toEqual(py.model_ids.map((id) => `models:/${id}`));
    expect(m.versions.map((v) => v.storageLocation)).toEqual(py.runs.map((r) => `runs:/${r}/model`));
    const champion = await reg.resolveModelUri('models:/wine@champion');
    expect([champion.runId, champion.artifactPath, champion.version?.version]).toEqual([py.runs[1], 'model', 2]);
    const files = (await store.readRunsContent([champion.runId])).get(champion.runId)!.artifacts.map((x) => x.path);
    expect(files).toContain('model/MLmodel');

    const again = await store.importBundle(await prepareZip(zip));
    expect(again.addedRegisteredModels).toEqual([]);
    expect(again.unchangedRegisteredModels).toEqual(['wine']);
    expect(again.conflicts).toEqual([]);

    // Exported again by the lab, MLflow reads the registry back and loads the champion through
    // the version's storage location (runs:/…; the lab's logged model ids differ from MLflow's).
    const out = join(work, 'relab');
    mkdirSync(out);
    writeFileSync(`${out}.zip`, exportMlflowZip(await collectBundle(store, { kind: 'lab' }, reg)));
    execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', `${out}.zip`, out]);
    const back = runPython<PyRead>('bundles_registry_read.py', [out],
      JSON.stringify({ name: 'wine', columns: ['alcohol', 'acidity'], rows: [[9.4, 7.4], [12.0, 8.1]] }));
    expect(back.model.aliases).toEqual({ champion: 2 });
    expect(back.versions.map((v) => [v.version, v.run_id, v.source, v.current_stage, v.tags])).toEqual(py.versions.map((v) => [v.version, v.run_id, v.source, v.current_stage, v.tags]));
    expect(back.load_champion.error).toBeUndefined();
    expect(back.load_champion.predictions!.length).toBe(2);
  }, 240_000);
});
