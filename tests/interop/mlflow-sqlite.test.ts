/**
 * mlflow.db import against real MLflow 3.17.2 with its defaults (sqlite:///mlflow.db, artifacts
 * in ./mlruns with absolute paths in the database): a script logs nested runs, a dataset input,
 * metric histories with NaN and ±Infinity, an sklearn logged model registered as `wine` with
 * alias `champion`; the folder zipped as a person would imports into the lab with every param,
 * tag, metric point (bit for bit), input, artifact, version and alias; importing again adds nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { findMlflowDb, prepareSqliteImport } from '../../src/lib/bundles/sqlite-import';
import { dictGet } from '../../src/lib/util/dict';
import { RegistryStore } from '../../src/lib/storage/registry-store';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { uniqueDbName } from '../unit/storage-helpers';
import { openDb } from '../unit/sqlite-helpers';
import { runPython } from './python';

const work = mkdtempSync(join(tmpdir(), 'mfflow-sqlite-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fhex(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [...new Uint8Array(dv.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

interface Logged {
  version: string;
  runs: { run_id: string; run_name: string; status: string; start_time: number; end_time: number; user_id: string; params: Record<string, string>; tags: Record<string, string>;
    metrics: Record<string, [number, string, number][]>; inputs: { name: string; digest: string; source: string; tags: Record<string, string> }[]; artifacts: Record<string, string> }[];
  model: { model_id: string; source_run_id: string; files: Record<string, string> };
  registry: { name: string; aliases: Record<string, number>; versions: { version: number; run_id: string; source: string; tags: Record<string, string> }[] };
}

async function openLabStores() {
  const dbName = uniqueDbName();
  return { store: await TrackingStore.open({ dbName }), reg: await RegistryStore.open({ dbName }) };
}

async function prepare(zip: Uint8Array) {
  const entries = unzipSafe(zip);
  const path = findMlflowDb(entries);
  expect(path).toBe('mlflow.db');
  return prepareSqliteImport(entries, path!, openDb);
}

describe('mlflow.db written by MLflow with its defaults', () => {
  it('imports runs, histories, inputs, artifacts, registered model and alias; again adds nothing', async () => {
    const dir = join(work, 'mlflow3');
    mkdirSync(dir);
    const logged = runPython<Logged>('mlflow_log_store.py', [dir, 'sqlite']);
    expect(logged.version).toBe('3.17.2');
    const zip = new Uint8Array(readFileSync(join(dir, 'store.zip')));
    const { store, reg } = await openLabStores();
    const report = await store.importBundle(await prepare(zip));
    expect(report.conflicts).toEqual([]);
    expect(report.addedRuns.sort()).toEqual(logged.runs.map((r) => r.run_id).sort());
    for (const want of logged.runs) {
      const run = await store.getRun(want.run_id);
      expect(run.info).toMatchObject({ runName: want.run_name, status: want.status, startTime: want.start_time, endTime: want.end_time, userId: want.user_id });
      expect({ ...run.params }).toEqual(want.params);
      for (const [k, v] of Object.entries(want.tags)) expect(dictGet(run.tags, k), k).toBe(v);
      const content = (await store.readRunsContent([want.run_id])).get(want.run_id)!;
      for (const [key, points] of Object.entries(want.metrics)) {
        const m = content.metrics.find((x) => x.key === key)!;
        expect(Array.from(m.values, (v, i) => [m.timestamps[i], fhex(v), m.steps[i]]), key).toEqual(points);
      }
      expect(run.inputs.map((i) => ({ name: i.dataset.name, digest: i.dataset.digest, source: i.dataset.source, tags: { ...i.tags } })))
        .toEqual(want.inputs.map((i) => ({ name: i.name, digest: i.digest, source: i.source, tags: i.tags })));
      for (const [path, b64] of Object.entries(want.artifacts)) {
        const a = content.artifacts.find((x) => x.path === path);
        expect(a, path).toBeDefined();
        expect(Buffer.from(a!.bytes).toString('base64')).toBe(b64);
      }
      if (want.run_id === logged.model.source_run_id) {
        for (const [path, b64] of Object.entries(logged.model.files)) {
          const a = content.artifacts.find((x) => x.path === `model/${path}`);
          expect(a, path).toBeDefined();
          expect(Buffer.from(a!.bytes).toString('base64')).toBe(b64);
        }
      }
    }
    const m = await reg.getRegisteredModel('wine');
    expect({ ...m.aliases }).toEqual(logged.registry.aliases);
    expect(m.versions.map((v) => ({ version: v.version, run_id: v.runId, source: v.source, tags: { ...v.tags } }))).toEqual(logged.registry.versions);
    const champion = await reg.resolveModelUri('models:/wine@champion');
    expect([champion.runId, champion.artifactPath]).toEqual([logged.model.source_run_id, 'model']);

    const again = await store.importBundle(await prepare(zip));
    expect(again.addedRuns).toEqual([]);
    expect(again.unchanged.length).toBe(logged.runs.length);
    expect(again.addedRegisteredModels).toEqual([]);
  }, 400_000);
});
