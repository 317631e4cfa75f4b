/**
 * Bundles against real MLflow 3.17.2:
 * - a zip of an mlruns folder that MLflow itself wrote (nested runs, a dataset input, an sklearn
 *   logged model) imports into the lab with every param, tag, metric point and input equal, the
 *   logged model's files placed in its run under `model/`, and importing it again adds nothing;
 * - (d) a lab export opens in MLflow with the same ids, params, metrics and artifacts, and
 *   export → import into a fresh lab → export gives a byte-identical archive.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import { collectBundle } from '../../src/lib/bundles/collect';
import { dictGet } from '../../src/lib/util/dict';
import { fillLab, prepareZip } from '../unit/bundles-helpers';
import { openStore } from '../unit/storage-helpers';
import { PYTHON, runPython } from './python';

const work = mkdtempSync(join(tmpdir(), 'mfflow-bundles-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fhex(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return [...new Uint8Array(dv.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

interface Logged {
  runs: { run_id: string; run_name: string; status: string; start_time: number; end_time: number; user_id: string; params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, [number, string, number][]>; inputs: { name: string; digest: string }[] }[];
  model: { model_id: string; source_run_id: string; files: Record<string, string> };
}

describe('bundles with real MLflow', () => {
  it('imports a zip of an mlruns folder MLflow 3 wrote, and again adds nothing', async () => {
    const dir = join(work, 'mlflow3');
    execFileSync('mkdir', ['-p', dir]);
    const logged = runPython<Logged>('mlflow_log_store.py', [dir]);
    const zip = new Uint8Array(readFileSync(join(dir, 'mlruns.zip')));
    const store = await openStore();
    const report = await store.importBundle(await prepareZip(zip));
    expect(report.conflicts).toEqual([]);
    expect(report.addedRuns.sort()).toEqual(logged.runs.map((r) => r.run_id).sort());
    for (const want of logged.runs) {
      const run = await store.getRun(want.run_id);
      expect(run.info).toMatchObject({ runName: want.run_name, status: want.status, startTime: want.start_time, endTime: want.end_time, userId: want.user_id });
      expect({ ...run.params }).toEqual(want.params);
      for (const [k, v] of Object.entries(want.tags)) expect(dictGet(run.tags, k)).toBe(v);
      const content = (await store.readRunsContent([want.run_id])).get(want.run_id)!;
      for (const [key, points] of Object.entries(want.metrics)) {
        const m = content.metrics.find((x) => x.key === key)!;
        expect(Array.from(m.values, (v, i) => [m.timestamps[i], fhex(v), m.steps[i]])).toEqual(points);
      }
      expect(run.inputs.map((i) => [i.dataset.name, i.dataset.digest])).toEqual(want.inputs.map((i) => [i.name, i.digest]));
      if (want.run_id === logged.model.source_run_id) {
        for (const [path, b64] of Object.entries(logged.model.files)) {
          const a = content.artifacts.find((x) => x.path === `model/${path}`);
          expect(a, path).toBeDefined();
          expect(Buffer.from(a!.bytes).toString('base64')).toBe(b64);
        }
      }
    }
    const again = await store.importBundle(await prepareZip(zip));
    expect(again.addedRuns).toEqual([]);
    expect(again.unchanged.length).toBe(logged.runs.length);
  }, 180_000);

  it('(d) a lab export opens in MLflow, and export → import → export is byte-identical', async () => {
    const a = await openStore();
    const lab = await fillLab(a);
    const zip = exportMlflowZip(await collectBundle(a, { kind: 'lab' }));
    const b = await openStore();
    await b.importBundle(await prepareZip(zip));
    const again = exportMlflowZip(await collectBundle(b, { kind: 'experiment', experimentId: lab.experimentId }));
    expect(again).toEqual(exportMlflowZip(await collectBundle(a, { kind: 'experiment', experimentId: lab.experimentId })));

    const dir = join(work, 'lab');
    writeFileSync(`${dir}.zip`, zip);
    execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', `${dir}.zip`, dir]);
    const py = runPython<{ runs: { run_id: string; status: string; params: Record<string, string>; metrics: Record<string, [number, string, number][]>; artifacts: { files?: Record<string, string>; error?: string } }[]; logged_models: { model_id: string; source_run_id: string }[] }>(
      'mlflow_read_store.py', ['--tracking-uri', join(dir, 'mlruns'), '--cwd', dir]);
    expect(py.runs.map((r) => r.run_id).sort()).toEqual([...lab.runIds].sort());
    const enet = py.runs.find((r) => r.run_id === lab.runIds[0])!;
    const src = await a.getRun(lab.runIds[0]);
    expect(enet.params).toEqual({ ...src.params });
    expect(enet.status).toBe('FINISHED');
    const hist = (await a.readRunsContent([lab.runIds[0]])).get(lab.runIds[0])!.metrics.find((m) => m.key === 'rmse')!;
    expect(enet.metrics.rmse.length).toBe(hist.values.length);
    expect(enet.artifacts.error).toBeUndefined();
    expect(Object.keys(enet.artifacts.files ?? {})).toContain('model/MLmodel');
    expect(py.logged_models.map((m) => m.source_run_id)).toEqual([lab.runIds[0]]);
  }, 180_000);
});
