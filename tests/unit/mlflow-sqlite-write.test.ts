/**
 * The SQLite layout of an export: store → mlflow.db (sql.js in Node, as in the bundle worker)
 * → the lab's own importer → an equal store; importing it again adds nothing. That real MLflow
 * opens the file is proven in tests/interop/mlflow-sqlite-export.test.ts and lab-journey.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { collectBundleBatches } from '../../src/lib/bundles/collect';
import { SqliteExport } from '../../src/lib/bundles/sqlite-export';
import { findMlflowDb } from '../../src/lib/bundles/sqlite-import';
import { finishExport } from '../../src/lib/bundles/export-finish';
import { registeredModelsForExport } from '../../src/lib/bundles/registry-export';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { latestPoint, MlflowDbWriter } from '../../src/lib/mlflow/sqlite-write';
import { readMlflowDb } from '../../src/lib/mlflow/sqlite-read';
import type { BundleRun } from '../../src/lib/mlflow/bundle';
import { newDict } from '../../src/lib/util/dict';
import { MLFLOW_DB_HEAD } from '../../src/lib/mlflow/sqlite-revisions';
import { sqlDbOf } from '../../src/lib/mlflow/sqljs';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { fillLab, prepareZip } from './bundles-helpers';
import { openStore } from './storage-helpers';
import { openDb, sqlJs } from './sqlite-helpers';

async function exportSqlite(store: TrackingStore, batch = 2): Promise<Uint8Array> {
  const job = new SqliteExport(new (await sqlJs()).Database());
  const experiments = await collectBundleBatches(store, { kind: 'lab' }, (runs) => job.add(runs), batch);
  const { parts } = await finishExport(job, experiments, registeredModelsForExport([], { kind: 'lab' }, new Set()));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

async function importZip(store: TrackingStore, zip: Uint8Array) {
  expect(findMlflowDb(unzipSafe(zip))).toBe('mlflow.db');
  return store.importBundle(await prepareZip(zip));
}

/** Runs as the store gives them, with histories and artifacts, by id. */
async function runsOf(store: TrackingStore) {
  const runs = [...store.listRuns()].sort((a, b) => (a.info.runId < b.info.runId ? -1 : 1));
  const content = await store.readRunsContent(runs.map((r) => r.info.runId));
  return Promise.all(runs.map(async (r) => ({
    run: await store.getRun(r.info.runId),
    metrics: content.get(r.info.runId)!.metrics.map((m) => ({ key: m.key, values: Array.from(m.values), steps: Array.from(m.steps), timestamps: Array.from(m.timestamps) })),
    artifacts: content.get(r.info.runId)!.artifacts.map((a) => [a.path, Array.from(a.bytes)]).sort(),
  })));
}

/** `x` with every -0 as 0. */
function noNegativeZero<T>(x: T): T {
  if (Object.is(x, -0)) return 0 as T;
  if (Array.isArray(x)) return x.map(noNegativeZero) as T;
  if (x && typeof x === 'object' && !(x instanceof Uint8Array)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, noNegativeZero(v)])) as T;
  return x;
}

describe('mlflow.db export', () => {
  it('store → mlflow.db → store keeps runs, params, tags, histories (NaN, ±Inf), inputs, artifacts; again adds nothing', async () => {
    const a = await openStore();
    const lab = await fillLab(a);
    const zip = await exportSqlite(a);
    const names = [...unzipSafe(zip).keys()];
    expect(names).toContain(`mlruns/${lab.experimentId}/${lab.runIds[0]}/artifacts/model/MLmodel`);
    expect(names.some((n) => n.endsWith('meta.yaml'))).toBe(false);

    const b = await openStore();
    const report = await importZip(b, zip);
    expect(report.conflicts).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect([...report.addedRuns].sort()).toEqual([...lab.runIds].sort());
    const want = await runsOf(a);
    // The one value SQLite cannot keep: -0 (an integral REAL is stored as the integer 0), as in MLflow.
    expect(await runsOf(b)).toEqual(noNegativeZero(want));
    const rmse = (await runsOf(b))[0].metrics.find((m) => m.key === 'rmse');
    expect(rmse === undefined || rmse.values.some(Number.isNaN)).toBe(true);

    const again = await importZip(b, zip);
    expect(again.addedRuns).toEqual([]);
    expect(again.conflicts).toEqual([]);
    // Into the lab it came from: nothing added; the one run holding a -0 point differs by that sign.
    const home = await importZip(a, zip);
    expect(home.addedRuns).toEqual([]);
    expect(home.conflicts.map((c) => c.id)).toEqual([lab.runIds[0]]);
  });

  it('writes the pinned revision and MLflow NaN encoding (value 0, is_nan 1), Infinity as Infinity', async () => {
    const a = await openStore();
    const lab = await fillLab(a);
    const db = sqlDbOf(new (await sqlJs()).Database(unzipSafe(await exportSqlite(a)).get('mlflow.db')!));
    try {
      expect(db.query('SELECT version_num FROM alembic_version')).toEqual([{ version_num: MLFLOW_DB_HEAD }]);
      const rows = db.query(`SELECT value, is_nan FROM metrics WHERE run_uuid = '${lab.runIds[0]}' AND (is_nan = 1 OR value > 1e308) ORDER BY is_nan`);
      expect(rows).toEqual([{ value: Infinity, is_nan: 0 }, { value: 0, is_nan: 1 }]);
      // Experiment ids of 18 digits stay exact in INTEGER columns.
      expect(db.query(`SELECT CAST(experiment_id AS TEXT) AS id FROM experiments WHERE name = 'wine: bundles'`)).toEqual([{ id: lab.experimentId }]);
    } finally {
      db.close();
    }
  });

  it('long histories (written many points per statement) come back in order, NaN and ±Inf kept, an exact repeat once', async () => {
    // 437 points = 2 × 200 + 2 × 16 + 5: every statement size the writer uses, two runs interleaved by key.
    const n = 437;
    const history = (key: string, shift: number) => {
      const values = Float64Array.from({ length: n }, (_, i) => (i === 3 ? NaN : i === 250 ? -Infinity : i === 431 ? Infinity : Math.sin(i + shift) / 7));
      const steps = Float64Array.from({ length: n }, (_, i) => (i % 2 ? n - i : i)); // not monotonic
      const timestamps = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 3);
      // Point 301 repeats point 300 exactly (step, timestamp, value): MLflow keeps one row.
      timestamps[301] = timestamps[300];
      steps[301] = steps[300];
      values[301] = values[300];
      return { key, values, steps, timestamps };
    };
    const runs: BundleRun[] = ['a', 'b'].map((c, r) => ({
      run: { info: { runId: c.repeat(32), experimentId: '0', runName: `r${r}`, userId: 'u', status: 'FINISHED', startTime: r, endTime: r + 1, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
        params: newDict<string>(), tags: newDict<string>(), metrics: newDict(), inputs: [] },
      metrics: [history('loss', r), history('acc', 10 + r)], artifacts: [],
    }));
    const writer = new MlflowDbWriter(new (await sqlJs()).Database());
    writer.addRuns(runs);
    const bytes = writer.finish([{ experimentId: '0', name: 'Default', artifactLocation: '', lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: newDict<string>() }], [], []);
    const db = await openDb(bytes);
    try {
      const back = readMlflowDb(db, 'mlflow.db', new Map()).bundle.runs;
      expect(back.map((b) => b.run.info.runId)).toEqual(runs.map((b) => b.run.info.runId));
      for (const [i, b] of back.entries()) {
        expect(b.metrics.map((m) => m.key)).toEqual(['loss', 'acc']);
        for (const [k, m] of b.metrics.entries()) {
          const want = runs[i].metrics[k];
          const keep = (xs: Float64Array) => Array.from(xs).filter((_, j) => j !== 301);
          expect(Array.from(m.values)).toEqual(keep(want.values));
          expect(Array.from(m.steps)).toEqual(keep(want.steps));
          expect(Array.from(m.timestamps)).toEqual(keep(want.timestamps));
        }
      }
    } finally {
      db.close();
    }
  });

  it('histories whose rows interleave (two runs logging one point at a time, as MLflow may write them) come back per history in logging order', async () => {
    const run = (c: string, r: number): BundleRun => ({
      run: { info: { runId: c.repeat(32), experimentId: '0', runName: `r${r}`, userId: 'u', status: 'FINISHED', startTime: r, endTime: r + 1, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
        params: newDict<string>(), tags: newDict<string>(), metrics: newDict(), inputs: [] },
      metrics: [], artifacts: [],
    });
    const writer = new MlflowDbWriter(new (await sqlJs()).Database());
    writer.addRuns([run('a', 0), run('b', 1)]);
    const made = new (await sqlJs()).Database(writer.finish([{ experimentId: '0', name: 'Default', artifactLocation: '', lifecycleStage: 'active', creationTime: 0, lastUpdateTime: 0, tags: newDict<string>() }], [], []));
    // a/loss, b/loss, a/acc, b/loss, a/loss, ...: no history's rows are contiguous; steps go down.
    const want = new Map<string, number[][]>();
    for (let i = 0; i < 60; i++) {
      const runId = (i % 3 === 1 ? 'b' : 'a').repeat(32);
      const key = i % 5 === 2 ? 'acc' : 'loss';
      const point = [Math.cos(i) * 1e3, 1_700_000_000_000 + i, 60 - i];
      made.run('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)', [key, point[0], point[1], runId, point[2]]);
      const k = `${runId}/${key}`;
      want.set(k, [...(want.get(k) ?? []), point]);
    }
    const db = await openDb(made.export());
    made.close();
    try {
      const got = new Map<string, number[][]>();
      for (const b of readMlflowDb(db, 'mlflow.db', new Map()).bundle.runs) {
        for (const m of b.metrics) got.set(`${b.run.info.runId}/${m.key}`, Array.from(m.values, (v, i) => [v, m.timestamps[i], m.steps[i]]));
      }
      expect(got).toEqual(want);
    } finally {
      db.close();
    }
  });

  it('latest metric by MLflow\'s rule: greatest step, then timestamp, then value (NaN ranks as 0)', () => {
    const cols = (pts: [number, number, number][]) => ({ key: 'k', steps: Float64Array.from(pts.map((p) => p[0])), values: Float64Array.from(pts.map((p) => p[1])), timestamps: Float64Array.from(pts.map((p) => p[2])) });
    expect(latestPoint(cols([[0, 5, 10], [1, 2, 5], [1, 1, 5]]))).toMatchObject({ value: 2, step: 1 });
    expect(latestPoint(cols([[1, -1, 5], [1, NaN, 5]]))).toMatchObject({ isNan: true });
    expect(latestPoint(cols([[1, Infinity, 5], [1, 3, 5]]))).toMatchObject({ value: Infinity });
    expect(latestPoint(cols([]))).toBeNull();
  });
});
