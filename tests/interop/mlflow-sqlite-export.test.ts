/**
 * The lab's SQLite export (mlflow.db + mlruns/ artifacts) against real MLflow 3.17.2, with no
 * MLFLOW_ALLOW_FILE_STORE, no migration and no `mlflow db upgrade`:
 * - its schema is the one MLflow creates (every table's columns, keys, foreign keys, indexes,
 *   triggers) at the same alembic revision, and `mlflow server --backend-store-uri
 *   sqlite:///mlflow.db` started in the unpack folder serves its experiments and artifacts;
 * - MlflowClient reads every run with its params, tags, full metric histories bit for bit (NaN,
 *   +Infinity), latest metrics, dataset inputs, logged-model outputs and artifacts, the logged
 *   models, and the registry (versions, stages, tags, aliases, a deleted version's number kept);
 * - the lab imports its own export back with nothing added.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { collectBundleBatches } from '../../src/lib/bundles/collect';
import { registeredModelsForExport } from '../../src/lib/bundles/registry-export';
import { SqliteExport } from '../../src/lib/bundles/sqlite-export';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { RegistryStore } from '../../src/lib/storage/registry-store';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { dictGet } from '../../src/lib/util/dict';
import { fillLab, prepareZip } from '../unit/bundles-helpers';
import { fillRegistry } from '../unit/bundles-registry-fixture';
import { uniqueDbName } from '../unit/storage-helpers';
import { sqlJs } from '../unit/sqlite-helpers';
import { PYTHON, runPython } from './python';

const work = mkdtempSync(join(tmpdir(), 'mfflow-sqlite-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const closers: { close(): void }[] = [];
afterEach(() => { for (const c of closers.splice(0)) c.close(); });
/** No file-store flag: the SQLite export must open without it. */
const NO_FLAG = { MLFLOW_ALLOW_FILE_STORE: 'false' };

async function openLab() {
  const dbName = uniqueDbName();
  const store = await TrackingStore.open({ dbName });
  const reg = await RegistryStore.open({ dbName });
  closers.push(store, reg);
  return { store, reg };
}

function fhex(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [...new Uint8Array(dv.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function exportSqlite(store: TrackingStore, reg: RegistryStore): Promise<Uint8Array> {
  const job = new SqliteExport(new (await sqlJs()).Database());
  const ids = new Set<string>();
  const experiments = await collectBundleBatches(store, { kind: 'lab' }, (runs) => (runs.forEach((r) => ids.add(r.run.info.runId)), job.add(runs)));
  const { parts } = await finishExport(job, experiments, registeredModelsForExport(await reg.listRegisteredModels(), { kind: 'lab' }, ids));
  return new Uint8Array(Buffer.concat(parts));
}

interface PyRun {
  run_id: string; experiment_id: string; run_name: string; status: string; start_time: number; end_time: number | null; lifecycle_stage: string; artifact_uri: string;
  params: Record<string, string>; tags: Record<string, string>; latest: Record<string, string>; metrics: Record<string, [number, string, number][]>;
  inputs: { name: string; digest: string; source_type: string; source: string; schema: string | null; profile: string | null; tags: Record<string, string> }[];
  outputs: { model_id: string; step: number }[]; artifacts: { files?: Record<string, string>; error?: string };
}
interface PyStore { version: string; experiments: { experiment_id: string; name: string; lifecycle_stage: string; tags: Record<string, string> }[]; runs: PyRun[]; logged_models: { model_id: string; source_run_id: string; name: string; status: string }[]; logged_model_errors?: string[] }

describe('SQLite export with real MLflow 3.17.2', () => {
  it('has MLflow\'s schema and revision, opens in mlflow server and MlflowClient with every value, and re-imports adding nothing', async () => {
    const { store, reg } = await openLab();
    const lab = await fillLab(store);
    await fillRegistry(reg, lab.runIds[0], lab.runIds[2]);
    const zip = await exportSqlite(store, reg);
    const dir = join(work, 'lab');
    mkdirSync(dir);
    writeFileSync(`${dir}.zip`, zip);
    execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', `${dir}.zip`, dir]);

    const check = runPython<{ mlflow: string; schema_diff: unknown[]; alembic: { mlflow: string[][]; lab: string[][] }; server: { error?: string; experiments?: string[]; artifacts?: string[] } }>(
      'sqlite_export_check.py', [dir, lab.runIds[0]], undefined, NO_FLAG);
    expect(check.mlflow).toBe('3.17.2');
    expect(check.schema_diff).toEqual([]);
    expect(check.alembic.lab).toEqual(check.alembic.mlflow);
    expect(check.server.error).toBeUndefined();
    const exps = await store.listExperiments('ALL');
    expect(check.server.experiments).toEqual(exps.map((e) => e.name).sort());
    expect(check.server.artifacts).toEqual(['model', 'notes.txt', 'plots']);

    const py = runPython<PyStore>('mlflow_read_store.py', ['--tracking-uri', 'sqlite:///mlflow.db', '--cwd', dir], undefined, NO_FLAG);
    expect(py.logged_model_errors).toBeUndefined();
    expect(py.experiments.map((e) => [e.experiment_id, e.name]).sort()).toEqual(exps.map((e) => [e.experimentId, e.name]).sort());
    expect(py.experiments.find((e) => e.experiment_id === lab.experimentId)!.tags).toEqual({ team: 'a b: c' });
    expect(py.runs.map((r) => r.run_id).sort()).toEqual([...lab.runIds].sort());
    const content = await store.readRunsContent(lab.runIds);
    for (const id of lab.runIds) {
      const run = await store.getRun(id);
      const got = py.runs.find((r) => r.run_id === id)!;
      expect({ exp: got.experiment_id, name: got.run_name, status: got.status, start: got.start_time, end: got.end_time, stage: got.lifecycle_stage })
        .toEqual({ exp: run.info.experimentId, name: run.info.runName, status: run.info.status, start: run.info.startTime, end: run.info.endTime, stage: run.info.lifecycleStage });
      expect(got.params).toEqual({ ...run.params });
      for (const k of Object.keys(run.tags)) expect(got.tags[k], k).toBe(dictGet(run.tags, k));
      const c = content.get(id)!;
      expect(Object.keys(got.metrics).sort()).toEqual(c.metrics.map((m) => m.key).sort());
      for (const m of c.metrics) {
        // Every point, bit for bit (MLflow lists a history by timestamp, step, value); -0 reads as 0.
        const want = Array.from(m.values, (v, i) => [m.timestamps[i], fhex(Object.is(v, -0) ? 0 : v), m.steps[i]] as [number, string, number]);
        const key = (p: [number, string, number]) => `${String(p[0]).padStart(16, '0')} ${String(p[2]).padStart(12, '0')} ${p[1]}`;
        expect(got.metrics[m.key].map(key).sort(), m.key).toEqual(want.map(key).sort());
        const s = dictGet(run.metrics, m.key)!;
        expect(got.latest[m.key], `latest ${m.key}`).toBe(fhex(Object.is(s.latest, -0) ? 0 : s.latest));
      }
      expect(got.inputs.map((i) => ({ ...i }))).toEqual(run.inputs.map((i) => ({
        name: i.dataset.name, digest: i.dataset.digest, source_type: i.dataset.sourceType, source: i.dataset.source, schema: i.dataset.schema, profile: i.dataset.profile, tags: { ...i.tags },
      })));
      expect(got.artifacts.error).toBeUndefined();
      const files = Object.fromEntries(c.artifacts.map((a) => [a.path, Buffer.from(a.bytes).toString('base64')]));
      expect(got.artifacts.files).toEqual(files);
    }
    const enet = py.runs.find((r) => r.run_id === lab.runIds[0])!;
    expect(enet.metrics.rmse.some((p) => p[1] === fhex(NaN))).toBe(true);
    expect(enet.metrics['train/loss'].some((p) => p[1] === fhex(Infinity))).toBe(true);
    expect(py.logged_models.map((m) => [m.source_run_id, m.name, m.status])).toEqual([[lab.runIds[0], 'model', 'READY']]);
    expect(enet.outputs).toEqual([{ model_id: py.logged_models[0].model_id, step: 0 }]);

    const regRead = runPython<{ by_alias: { version: number; aliases: string[] }; model: { aliases: Record<string, number>; tags: Record<string, string>; description: string }; versions: { version: number; source: string; current_stage: string; tags: Record<string, string>; description: string | null; aliases: string[] }[]; models: string[]; next_other: number | string }>(
      'bundles_registry_read.py', [dir, 'sqlite:///mlflow.db'], JSON.stringify({ name: 'wine', columns: ['x'], rows: [[1]], other_model: 'retired', other_run: lab.runIds[2] }), NO_FLAG);
    const wine = await reg.getRegisteredModel('wine');
    expect(regRead.models).toEqual(['retired', 'wine']);
    expect(regRead.model).toMatchObject({ aliases: { champion: 2, old: 1 }, tags: { team: 'lab', task: 'regression' }, description: 'red wine quality' });
    // (MLflow's SQL store lists versions without their aliases; get_model_version_by_alias finds them.)
    expect(regRead.versions.map((v) => [v.version, v.source, v.current_stage, v.tags, v.description])).toEqual(
      wine.versions.map((v) => [v.version, v.source, v.currentStage, { ...v.tags }, v.description]));
    expect([regRead.by_alias.version, regRead.by_alias.aliases]).toEqual([2, ['champion']]);
    // The number the lab deleted stays used in MLflow too.
    expect(regRead.next_other).toBe(3);

    // The lab's own export comes back with nothing new. (The one run holding a -0 point is told
    // apart by that sign, which SQLite does not keep; the built-lab journey has none and no conflict.)
    const again = await store.importBundle(await prepareZip(zip));
    expect(again.addedRuns).toEqual([]);
    expect(again.conflicts.map((c) => c.id)).toEqual([lab.runIds[0]]);
    expect(again.addedRegisteredModels).toEqual([]);
  }, 900_000);
});
