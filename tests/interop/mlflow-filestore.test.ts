/**
 * Interop (a): an mlruns zip written by exportMlflowZip, unpacked by Python's zipfile, opens in real MLflow (MlflowClient on
 * the file store, and again after `mlflow migrate-filestore` to SQLite), with every param,
 * metric point, tag, dataset input, logged model and artifact equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PYTHON, runPython } from './python';
import { sampleBundle, EXP, DELETED_EXP, MODEL_ID, PARENT } from '../unit/mlflow-sample';
import type { MlflowBundle } from '../../src/lib/mlflow/bundle';
import { exportMlflowZip, importMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { dictGet } from '../../src/lib/util/dict';
import { buildMLmodel, dataFrameInputExample, onnxFlavors, tfjsFlavor } from '../../src/lib/mlflow/mlmodel';

interface PyRun {
  run_id: string; experiment_id: string; run_name: string; user_id: string; status: string;
  start_time: number; end_time: number | null; lifecycle_stage: string; artifact_uri: string;
  params: Record<string, string>; tags: Record<string, string>; latest: Record<string, string>;
  metrics: Record<string, [number, string, number][]>;
  inputs: { name: string; digest: string; source_type: string; source: string; schema: string; profile: string; tags: Record<string, string> }[];
  outputs: { model_id: string; step: number }[];
  artifacts: { files?: Record<string, string>; error?: string };
}
interface PyStore {
  version: string; migrate_error?: string;
  experiments: { experiment_id: string; name: string; lifecycle_stage: string; tags: Record<string, string> }[];
  runs: PyRun[];
  logged_models: { model_id: string; name: string; source_run_id: string; params: Record<string, string>; metrics: [string, string, number, number, string][] }[];
}

export function fhex(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [...new Uint8Array(dv.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Unpacks our zip with Python's zipfile, as a person's tools would (not with our reader). */
function unpackWithPython(zip: Uint8Array, dir: string): void {
  const path = `${dir}.zip`;
  writeFileSync(path, zip);
  execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', path, dir]);
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const plain = (d: Record<string, string>) => Object.fromEntries(Object.keys(d).map((k) => [k, Object.getOwnPropertyDescriptor(d, k)!.value as string]));

/** Asserts that MLflow's view equals the bundle; artifacts only if `artifacts`. */
/**
 * MLflow's SQL store (found by this test): it stores ±Infinity as ±Number.MAX_VALUE and SQLite
 * REAL drops the sign of -0.0. NaN survives.
 */
const asSqlStoreKeeps = (v: number) => (v === Infinity ? Number.MAX_VALUE : v === -Infinity ? -Number.MAX_VALUE : Object.is(v, -0) ? 0 : v);

function expectSame(py: PyStore, bundle: MlflowBundle, artifacts: boolean, sql = false): void {
  expect(py.migrate_error).toBeUndefined();
  const exps = new Map(py.experiments.map((e) => [e.experiment_id, e]));
  expect([...exps.keys()].sort()).toEqual(['0', EXP, DELETED_EXP].sort());
  for (const e of bundle.experiments) {
    const got = exps.get(e.experimentId)!;
    expect(got.name).toBe(e.name);
    expect(got.lifecycle_stage).toBe(e.lifecycleStage);
    expect(got.tags).toEqual(plain(e.tags));
  }
  expect(py.runs.length).toBe(bundle.runs.length);
  for (const br of bundle.runs) {
    const r = py.runs.find((x) => x.run_id === br.run.info.runId)!;
    const i = br.run.info;
    expect(r, i.runId).toBeDefined();
    expect([r.experiment_id, r.run_name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage])
      .toEqual([i.experimentId, i.runName, i.userId, i.status, i.startTime, i.endTime, i.lifecycleStage]);
    expect(r.params).toEqual(plain(br.run.params));
    expect(r.tags).toEqual(plain(br.run.tags));
    const want: Record<string, [number, string, number][]> = {};
    for (const m of br.metrics) want[m.key] = [...m.values].map((v, j) => [m.timestamps[j], fhex(sql ? asSqlStoreKeeps(v) : v), m.steps[j]]);
    const sortPts = (o: Record<string, [number, string, number][]>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [...v].sort((a, b) => a[0] - b[0] || a[2] - b[2] || (a[1] < b[1] ? -1 : 1))]));
    expect(sortPts(r.metrics)).toEqual(sortPts(want));
    const inputs = br.run.inputs.map((x) => ({ name: x.dataset.name, digest: x.dataset.digest, source_type: x.dataset.sourceType, source: x.dataset.source, schema: x.dataset.schema, profile: x.dataset.profile, tags: plain(x.tags) }));
    expect(r.inputs).toEqual(inputs);
    expect(r.outputs).toEqual((br.outputs ?? []).map((o) => ({ model_id: o.modelId, step: o.step })));
    if (artifacts) expect(r.artifacts).toEqual({ files: Object.fromEntries(br.artifacts.map((a) => [a.path, b64(a.bytes)])) });
  }
  const lm = py.logged_models.find((m) => m.model_id === MODEL_ID)!;
  expect(lm).toBeDefined();
  expect([lm.name, lm.source_run_id, lm.params]).toEqual(['model', PARENT, { alpha: '0.5' }]);
  expect(lm.metrics).toEqual([['rmse', fhex(0.5), 1717000001200, 1, PARENT]]);
}

describe('a tree we write opens in real MLflow', () => {
  const bundle = sampleBundle();
  let work: string;
  let relDir: string;
  let absDir: string;
  let elsewhere: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mfflow-fs-'));
    relDir = join(work, 'relative export');
    absDir = join(work, 'absolute export');
    elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    unpackWithPython(exportMlflowZip(bundle), relDir);
    unpackWithPython(exportMlflowZip(bundle, { artifactUris: { unpackDir: absDir } }), absDir);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('file store, client started in the unpack folder: all data and artifacts equal', () => {
    const py = runPython<PyStore>('mlflow_read_store.py', ['--tracking-uri', './mlruns', '--cwd', relDir]);
    expect(py.version).toBe('3.17.2');
    expectSame(py, bundle, true);
  });

  it('relative artifact URIs depend on the working directory (documented limitation)', () => {
    const py = runPython<PyStore>('mlflow_read_store.py', ['--tracking-uri', join(relDir, 'mlruns'), '--cwd', elsewhere]);
    expectSame(py, bundle, false);
    const parent = py.runs.find((r) => r.run_id === PARENT)!;
    expect(parent.artifacts.files ?? {}).not.toHaveProperty('notes.txt');
  });

  it('absolute file:// URIs (unpack folder known) work from any working directory', () => {
    const py = runPython<PyStore>('mlflow_read_store.py', ['--tracking-uri', join(absDir, 'mlruns'), '--cwd', elsewhere]);
    expectSame(py, bundle, true);
  });

  it('after mlflow migrate-filestore to SQLite: all data and artifacts equal', () => {
    const py = runPython<PyStore>('mlflow_read_store.py', ['--migrate-from', './mlruns', '--db', join(work, 'rel.db'), '--cwd', relDir]);
    expectSame(py, bundle, true, true);
    const py2 = runPython<PyStore>('mlflow_read_store.py', ['--migrate-from', join(absDir, 'mlruns'), '--db', join(work, 'abs.db'), '--cwd', elsewhere]);
    expectSame(py2, bundle, true, true);
  });
});

interface PyLogged {
  version: string;
  experiment: { experiment_id: string; tags: Record<string, string> };
  runs: (Omit<PyRun, 'artifacts' | 'lifecycle_stage' | 'artifact_uri'> & { artifacts: Record<string, string> })[];
  model: { model_id: string; name: string; source_run_id: string; status: string; params: Record<string, string>; tags: Record<string, string>; metrics: [string, string, number, number, string][]; files: Record<string, string> };
}

/**
 * Interop (b): a real MLflow script logs runs, a dataset input and an sklearn logged model into
 * a file store and zips the folder (shutil); our importer reads the zip and finds it all.
 */
describe('a tree real MLflow writes is read by our reader', () => {
  let work: string;
  let py: PyLogged;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mfflow-fs-b-'));
    py = runPython<PyLogged>('mlflow_log_store.py', [work]);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds every run, param, tag, metric point, dataset input, artifact and the logged model', () => {
    const { bundle, warnings, root } = importMlflowZip(new Uint8Array(readFileSync(join(work, 'mlruns.zip'))));
    expect(root).toBe('mlruns/');
    expect(warnings).toEqual([]);
    const exp = bundle.experiments.find((e) => e.experimentId === py.experiment.experiment_id)!;
    expect(exp.name).toBe('interop-b');
    expect(plain(exp.tags)).toEqual(py.experiment.tags);
    expect(bundle.experiments.map((e) => e.experimentId).sort()).toEqual(['0', py.experiment.experiment_id].sort());
    expect(bundle.runs.length).toBe(2);
    for (const r of py.runs) {
      const br = bundle.runs.find((x) => x.run.info.runId === r.run_id)!;
      const i = br.run.info;
      expect([i.experimentId, i.runName, i.status, i.startTime, i.endTime, i.userId]).toEqual([r.experiment_id, r.run_name, r.status, r.start_time, r.end_time, r.user_id]);
      expect(plain(br.run.params)).toEqual(r.params);
      expect(plain(br.run.tags)).toEqual(r.tags);
      const ours: Record<string, [number, string, number][]> = {};
      for (const m of br.metrics) ours[m.key] = [...m.values].map((v, j) => [m.timestamps[j], fhex(v), m.steps[j]]);
      expect(ours).toEqual(r.metrics);
      const latest = Object.fromEntries(Object.keys(br.run.metrics).map((k) => [k, fhex(dictGet(br.run.metrics, k)!.latest)]));
      expect(latest).toEqual(r.latest);
      expect(br.run.inputs.map((x) => ({ name: x.dataset.name, digest: x.dataset.digest, source_type: x.dataset.sourceType, source: x.dataset.source, schema: x.dataset.schema, profile: x.dataset.profile, tags: plain(x.tags) }))).toEqual(r.inputs);
      expect((br.outputs ?? []).map((o) => ({ model_id: o.modelId, step: o.step }))).toEqual(r.outputs);
      expect(Object.fromEntries(br.artifacts.map((a) => [a.path, b64(a.bytes)]))).toEqual(r.artifacts);
    }
    const lm = bundle.loggedModels.find((m) => m.model.modelId === py.model.model_id)!;
    expect([lm.model.name, lm.model.sourceRunId, lm.model.status]).toEqual([py.model.name, py.model.source_run_id, py.model.status]);
    expect(plain(lm.model.params)).toEqual(py.model.params);
    expect(plain(lm.model.tags)).toEqual(py.model.tags);
    expect(lm.model.metrics.map((m) => [m.key, fhex(m.value), m.timestamp, m.step, m.runId])).toEqual(py.model.metrics);
    expect(Object.fromEntries(lm.artifacts.map((a) => [a.path, b64(a.bytes)]))).toEqual(py.model.files);
  });
});

/** MLmodel + input examples we write load in real MLflow (Model.load, pyfunc ONNX predict). */
describe('an MLmodel we write', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'mfflow-mlmodel-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads in MLflow, pyfunc serves the ONNX model on our input example', () => {
    const rows = [[1, 2], [3.5, -1]];
    const ex = dataFrameInputExample(['fixed acidity', 'alcohol'], rows);
    writeFileSync(join(dir, 'input_example.json'), ex.inputExample);
    writeFileSync(join(dir, 'serving_input_example.json'), ex.servingInputExample);
    writeFileSync(join(dir, 'MLmodel'), buildMLmodel({
      flavors: { ...onnxFlavors({ onnxVersion: '1.18.0', pythonVersion: '3.11.7' }), ...tfjsFlavor('4.22.0') },
      modelUuid: 'm-0123456789abcdef0123456789abcdef', modelId: 'm-0123456789abcdef0123456789abcdef', runId: 'abc123',
      createdAt: Date.UTC(2025, 5, 1, 12, 0, 0, 123), mlflowVersion: '3.17.2', inputExample: true,
      signature: {
        inputs: [{ type: 'double', name: 'fixed acidity', required: true }, { type: 'double', name: 'alcohol', required: true }],
        outputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 1] } }],
        params: null,
      },
    }));
    const py = runPython<Record<string, unknown>>('mlflow_mlmodel.py', [dir]);
    expect(py.flavors).toEqual(['onnx', 'python_function', 'tfjs']);
    expect([py.model_uuid, py.model_id, py.run_id, py.mlflow_version]).toEqual(['m-0123456789abcdef0123456789abcdef', 'm-0123456789abcdef0123456789abcdef', 'abc123', '3.17.2']);
    expect(py.utc_time_created).toBe('2025-06-01 12:00:00.123000');
    expect(py.input_names).toEqual(['fixed acidity', 'alcohol']);
    expect(py.example_columns).toEqual(['fixed acidity', 'alcohol']);
    expect(py.example).toEqual(rows);
    // y = 0.5 * x0 - 1.0 * x1 + 2
    expect(py.prediction).toEqual(rows.map(([a, b]) => 0.5 * a - b + 2));
    expect(py.serving).toEqual({ dataframe_split: { columns: ['fixed acidity', 'alcohol'], data: rows } });
    expect(py.tfjs).toEqual({ model_json: 'model.json', tfjs_version: '4.22.0' });
  });
});
