// Tracking store figures (issues 2 and 9): metric points persisted per second, the same points
// logged by MLflow's client into SQLite, and a lab holding 100,000 imported runs: first open
// after the import, later opens, and searchRuns next to MLflow's search_runs on the same runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { compare, heapMB, median, openLab, python, settle } from './lib.mjs';

const RUNS = Number(process.env.BENCH_IMPORT_RUNS || 100_000);
/** Runs per imported zip: a zip without zip64 holds 65,535 entries, and a run here is 11 of them. */
const PER_ZIP = 5_000;
const FILTERS = [0, 1, 2].map((i) => `metrics.rmse < ${0.7 + i * 0.01} and params.alpha = '0.5'`);

/** In the page: logs `steps` × `keys` points with logMetrics into a new run and flushes; ms from the first call to persisted. */
async function logPoints(page, runName, steps, keys) {
  return page.evaluate(async ({ runName, steps, keys }) => {
    const m = window.mfflow;
    await m.setExperiment('bench-points');
    await m.startRun({ runName });
    const names = Array.from({ length: keys }, (_, i) => `m${i}`);
    const t0 = performance.now();
    for (let step = 0; step < steps; step++) {
      const row = {};
      for (const k of names) row[k] = Math.sin(step + k.length);
      m.logMetrics(row, step);
    }
    const tFlush = performance.now();
    await m.flush();
    const t1 = performance.now();
    await m.endRun();
    return { ms: t1 - t0, flushMs: t1 - tFlush };
  }, { runName, steps, keys });
}

/**
 * An MLflow file-store zip (mlruns/0/<run>/...) of runs `from`…`to` of the 100,000 that
 * lib.mjs seedRuns and bench/py/mlflow_sqlite.py make (same ids, names, params, tags, metrics).
 */
function mlrunsZip(from, to, now) {
  const files = { 'mlruns/0/meta.yaml': strToU8(`artifact_location: mlflow-artifacts:/0\ncreation_time: ${now}\nexperiment_id: '0'\nlast_update_time: ${now}\nlifecycle_stage: active\nname: Default\n`) };
  for (let i = from; i < to; i++) {
    const id = i.toString(16).padStart(8, '0') + '0'.repeat(24);
    const dir = `mlruns/0/${id}`;
    const rmse = 0.6 + ((i * 7919) % 1000) / 2000;
    const start = now - i * 1000;
    files[`${dir}/meta.yaml`] = strToU8([`artifact_uri: mlflow-artifacts:/0/${id}/artifacts`, 'deleted_time: null', `end_time: ${start + 500}`,
      "entry_point_name: ''", "experiment_id: '0'", 'lifecycle_stage: active', `run_id: '${id}'`, `run_name: 'run-${i}'`, `run_uuid: '${id}'`,
      "source_name: ''", 'source_type: 4', "source_version: ''", `start_time: ${start}`, 'status: 3', 'tags: []', 'user_id: bench', ''].join('\n'));
    const text = { 'params/alpha': ['0.01', '0.1', '0.5', '1.0'][i % 4], 'params/l1_ratio': String((i % 10) / 10), 'params/model': 'elasticnet',
      'tags/mlflow.user': 'bench', 'tags/mlflow.source.name': 'mfflow', 'tags/mlflow.source.type': 'LOCAL', 'tags/mlflow.runName': `run-${i}`,
      'metrics/rmse': `${now} ${rmse} 0\n`, 'metrics/r2': `${now} ${1 - rmse} 0\n`, 'metrics/mae': `${now} ${rmse * 0.8} 0\n` };
    for (const [k, v] of Object.entries(text)) files[`${dir}/${k}`] = strToU8(v);
  }
  return zipSync(files, { level: 0 });
}

/**
 * Where an open's time went (ms after navigation start), from the marks main.ts, db.ts,
 * tracking-store.ts and run-index.ts leave: previous page unloaded, app script running,
 * IndexedDB open, runs loaded (read + decode), runs listed.
 */
function openPhases(page) {
  return page.evaluate(() => {
    const at = (name, end = false) => {
      const e = performance.getEntriesByName(name)[0];
      return e ? Math.round(e.startTime + (end ? e.duration : 0)) : '-';
    };
    const nav = performance.getEntriesByType('navigation')[0];
    const load = performance.getEntriesByName('mfflow:runs-loaded-from-index').length ? 'mfflow:runs-loaded-from-index' : 'mfflow:runs-loaded-from-records';
    return `unloaded ${Math.round(nav.unloadEventEnd)}, script ${at('mfflow:main-start')}, db open ${at('mfflow:db-open', true)}, ` +
      `index read ${at('mfflow:run-index-read', true)}, decoded ${at('mfflow:run-index-decode', true)}, runs loaded ${at(load, true)}, listed ${at('mfflow:listed')}`;
  });
}

/**
 * Imports `RUNS` runs into the (empty) lab of `page` the way a user would: MLflow file-store
 * zips picked in a file input, through mfflow.importBundle. Returns the ms spent importing.
 */
async function importRuns(page, work) {
  await page.evaluate(() => {
    document.body.append(Object.assign(document.createElement('input'), { type: 'file', id: 'bench-import', hidden: true }));
  });
  const now = Date.now();
  let importMs = 0;
  for (let from = 0; from < RUNS; from += PER_ZIP) {
    const to = Math.min(RUNS, from + PER_ZIP);
    const path = join(work, `runs-${from}.zip`);
    writeFileSync(path, mlrunsZip(from, to, now));
    await page.setInputFiles('#bench-import', path); // a disk-backed File: removed after the import
    const r = await page.evaluate(async () => {
      const t0 = performance.now();
      const rep = await window.mfflow.importBundle(document.getElementById('bench-import').files[0]);
      return { ms: performance.now() - t0, added: rep.addedRuns.length };
    });
    rmSync(path);
    if (r.added !== to - from) throw new Error(`import of runs ${from}… added ${r.added}`);
    importMs += r.ms;
  }
  return importMs;
}

export async function run({ context, base, report, root }) {
  const page = await context.newPage();
  await openLab(page, base);

  // 1. Metric points through logMetrics, flushed as columns: 100,000 steps × 10 keys.
  const pts = await logPoints(page, 'points', 100_000, 10);
  report('tracking.logMetrics_points_per_s', 1_000_000 / (pts.ms / 1000), 'points/s', { min: 1_000_000 });
  report('tracking.flush_1M_points', pts.flushMs, 'ms');

  // 2. The same 10,000 points (1,000 steps × 10 keys) logged by the lab and by MLflow's client
  // into a SQLite store with log_batch (bench/py/mlflow_sqlite.py), each until persisted.
  const work = mkdtempSync(join(tmpdir(), 'mfflow-bench-tracking-'));
  try {
    const lab = await logPoints(page, 'points-10k', 1_000, 10);
    const ml = await python(root, 'mlflow_sqlite.py', ['log', work, 1_000, 10], 'tracking');
    if (ml) compare(report, 'tracking.log_10k_points_sqlite_log_batch', lab.ms, ml.ms);

    // 3. 100,000 runs imported (MLflow file-store zips of 5,000 runs: the zip entry limit), then the first open.
    const fresh = await context.browser().newContext();
    try {
      const target = await fresh.newPage();
      await openLab(target, base);
      const importMs = await importRuns(target, work);
      report(`tracking.import_${RUNS}_runs_in_${Math.ceil(RUNS / PER_ZIP)}_zips`, importMs, 'ms');
      // The figure is the open's own: LevelDB compacts the import's writes for seconds after it.
      console.log(`  (first open: waited ${await settle()} ms for the browser to settle)`);
      await openLab(target, base);
      const first = await target.evaluate(() => ({
        listed: performance.getEntriesByName('mfflow:listed')[0].startTime,
        fromIndex: performance.getEntriesByName('mfflow:runs-loaded-from-index').length > 0,
      }));
      console.log(`  first open: ${await openPhases(target)}`);
      if (!first.fromIndex) console.log('  the first open after the import read every run record (no run index)');
      report(`tracking.first_open_after_import_${RUNS / 1000}k`, first.listed, 'ms', { max: 1000 });

      // 4. Open the lab again: navigation start → runs listed, from the run index.
      const opens = [];
      for (let i = 0; i < 3; i++) {
        await openLab(target, base);
        opens.push(await target.evaluate(() => performance.getEntriesByName('mfflow:listed')[0].startTime));
      }
      console.log(`  last open: ${await openPhases(target)}`);
      report(`tracking.open_and_list_${RUNS / 1000}k_runs`, median(opens), 'ms', { max: 1000 });
      const heading = target.getByRole('heading', { level: 1 });
      await heading.filter({ hasText: `${RUNS} runs` }).waitFor({ timeout: 10_000 })
        .catch(async () => { throw new Error(`expected ${RUNS} runs listed, saw "${await heading.textContent()}"`); });
      report(`tracking.heap_with_${RUNS / 1000}k_runs`, await heapMB(target), 'MB', { max: 150 });

      // 5. searchRuns with a filter over the runs, lab open, next to MLflow's search_runs over
      // the same runs in SQLite; both return at most 1,000 runs and must match as many.
      const search = await target.evaluate(async (filters) => {
        const times = [];
        const counts = [];
        for (const filter of filters) {
          for (let i = 0; i < 5; i++) {
            const t0 = performance.now();
            const res = await window.mfflow.searchRuns({ experimentIds: ['0'], filter, maxResults: 1000 });
            times.push(performance.now() - t0);
            counts[filters.indexOf(filter)] = res.runs.length;
          }
        }
        times.sort((a, b) => a - b);
        return { ms: times[Math.floor(times.length / 2)], counts };
      }, FILTERS);
      if (search.counts.some((n) => n === 0)) throw new Error(`search matched nothing: ${search.counts}`);
      report(`tracking.searchRuns_filter_${RUNS / 1000}k`, search.ms, 'ms', { max: 100 });
      const mls = await python(root, 'mlflow_sqlite.py', ['search', work, RUNS, JSON.stringify(FILTERS)], 'tracking');
      if (mls) {
        if (JSON.stringify(mls.counts) !== JSON.stringify(search.counts)) throw new Error(`MLflow matched ${mls.counts}, the lab ${search.counts}`);
        compare(report, `tracking.search_runs_${RUNS / 1000}k_sqlite`, search.ms, mls.ms);
      }
    } finally {
      await fresh.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
