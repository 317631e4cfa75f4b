// Tracking store figures (issue 2): metric points persisted per second, and opening, listing
// and searching a lab that holds 100,000 runs.
import { heapMB, median, openLab, seedRuns } from './lib.mjs';

export async function run({ context, base, report }) {
  const page = await context.newPage();
  await openLab(page, base);

  // 1. Metric points through logMetrics, flushed as columns: 100,000 steps × 10 keys.
  const pts = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('bench-points');
    await m.startRun({ runName: 'points' });
    const keys = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const t0 = performance.now();
    for (let step = 0; step < 100_000; step++) {
      const row = {};
      for (const k of keys) row[k] = Math.sin(step + k.length);
      m.logMetrics(row, step);
    }
    const tFlush = performance.now();
    await m.flush();
    const t1 = performance.now();
    await m.endRun();
    return { points: 1_000_000, ms: t1 - t0, flushMs: t1 - tFlush };
  });
  report('tracking.logMetrics_points_per_s', pts.points / (pts.ms / 1000), 'points/s', { min: 1_000_000 });
  report('tracking.flush_1M_points', pts.flushMs, 'ms');

  // 2. Seed 100,000 runs straight into IndexedDB, as an import writes them (lib.mjs seedRuns).
  await seedRuns(page, 100_000);

  // 3. The first open after the import reads every record and, in the same transaction, writes
  // the run index (so later opens read one record instead of 100,000).
  await openLab(page, base);
  const first = await page.evaluate(() => {
    const d = (name) => performance.getEntriesByName(name)[0]?.duration ?? NaN;
    return { listed: performance.getEntriesByName('mfflow:listed')[0].startTime, load: d('mfflow:runs-loaded-from-records'), encode: d('mfflow:run-index-encode') };
  });
  report('tracking.first_open_after_import_100k', first.listed, 'ms');
  report('tracking.first_open_read_records_and_write_index_100k', first.load, 'ms');
  report('tracking.run_index_encode_100k', first.encode, 'ms (page busy)');

  // 4. Open the lab again: navigation start → runs listed, from the run index.
  const opens = [];
  const loads = [];
  for (let i = 0; i < 3; i++) {
    await openLab(page, base);
    opens.push(await page.evaluate(() => performance.getEntriesByName('mfflow:listed')[0].startTime));
    loads.push(await page.evaluate(() => ['mfflow:runs-loaded-from-index', 'mfflow:run-index-read', 'mfflow:run-index-decode']
      .map((name) => performance.getEntriesByName(name)[0]?.duration ?? NaN)));
  }
  report('tracking.open_and_list_100k_runs', median(opens), 'ms', { max: 1000 });
  report('tracking.runs_loaded_from_index_100k', median(loads.map((l) => l[0])), 'ms');
  report('tracking.run_index_read_100k', median(loads.map((l) => l[1])), 'ms');
  report('tracking.run_index_decode_100k', median(loads.map((l) => l[2])), 'ms');
  const heading = page.getByRole('heading', { level: 1 });
  await heading.filter({ hasText: '100000 runs' }).waitFor({ timeout: 10_000 })
    .catch(async () => { throw new Error(`expected 100000 runs listed, saw "${await heading.textContent()}"`); });
  report('tracking.heap_with_100k_runs', await heapMB(page), 'MB', { max: 150 });

  // 5. searchRuns with a filter over the 100,000 runs, lab open.
  const search = await page.evaluate(async () => {
    const times = [];
    let n = 0;
    for (let i = 0; i < 7; i++) {
      const filter = `metrics.rmse < ${0.7 + i * 0.01} and params.alpha = '0.5'`;
      const t0 = performance.now();
      const res = await window.mfflow.searchRuns({ experimentIds: ['0'], filter, maxResults: 1000 });
      times.push(performance.now() - t0);
      n = res.runs.length;
    }
    times.sort((a, b) => a - b);
    return { ms: times[3], n };
  });
  if (search.n === 0) throw new Error('search matched nothing');
  report('tracking.searchRuns_filter_100k', search.ms, 'ms', { max: 100 });
}
