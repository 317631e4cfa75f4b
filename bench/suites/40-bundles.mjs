// Bundle figures (issue "MLflow-format bundles"): export and import of a lab of 1,000 runs ×
// 10 metrics × 1,000 steps (10M points) in headless Chromium, time and peak page heap (budget
// ≤ 5 s each), and the same runs logged into and read back from real MLflow's file store
// (bench/py/bundles_mlflow_filestore.py in the interop venv), reported as a ratio.
// BENCH_BUNDLE_RUNS scales the run count down for a quick look. MLflow's file store takes ~1 s
// per such run (50 runs: 55 s), so it logs a sample of BENCH_BUNDLE_MLFLOW_RUNS runs (default 50)
// and the ratio compares time per run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLab } from './lib.mjs';

const RUNS = Number(process.env.BENCH_BUNDLE_RUNS || 1000);
const KEYS = 10;
const STEPS = 1000;
const MLFLOW_RUNS = Math.min(RUNS, Number(process.env.BENCH_BUNDLE_MLFLOW_RUNS || 50));

/** Runs `body` in the page while sampling the page's JS heap every 50 ms; returns { result, ms, peakMB }. */
async function measured(page, body, arg) {
  return page.evaluate(async ([src, a]) => {
    const heap = () => (performance.memory ? performance.memory.usedJSHeapSize / 1048576 : NaN);
    let peak = heap();
    const timer = setInterval(() => (peak = Math.max(peak, heap())), 50);
    const t0 = performance.now();
    const result = await (0, eval)(`(${src})`)(a);
    const ms = performance.now() - t0;
    clearInterval(timer);
    return { result, ms, peakMB: Math.max(peak, heap()) };
  }, [body.toString(), arg]);
}

/** The phases the lab measured (performance measures `mfflow:bundle:*`, see src/state/bundles.svelte.ts). */
async function reportPhases(page, report) {
  const phases = await page.evaluate(() => performance.getEntriesByType('measure')
    .filter((m) => m.name.startsWith('mfflow:bundle:')).map((m) => [m.name.slice('mfflow:bundle:'.length), m.duration]));
  for (const [name, ms] of phases) report(`bundles.phase.${name}`, ms, 'ms');
}

export async function run({ context, base, report, root }) {
  const page = await context.newPage();
  await openLab(page, base);
  await page.evaluate(async ({ runs, keys, steps }) => {
    const m = window.mfflow;
    await m.setExperiment('bench-bundles');
    const names = Array.from({ length: keys }, (_, k) => `m${k}`);
    for (let r = 0; r < runs; r++) {
      await m.startRun({ runName: `run-${r}` });
      await m.logParams({ r, alpha: 0.5 });
      for (let s = 0; s < steps; s++) {
        const row = {};
        for (let k = 0; k < keys; k++) row[names[k]] = 1 / (s + k + 1);
        m.logMetrics(row, s);
      }
      await m.endRun();
    }
  }, { runs: RUNS, keys: KEYS, steps: STEPS });

  const exp = await measured(page, async () => {
    const f = await window.mfflow.exportLab();
    window.__benchBundle = f;
    return f.size;
  });
  report(`bundles.export_${RUNS}x${KEYS}x${STEPS}`, exp.ms, 'ms', { max: 5000 });
  await reportPhases(page, report);
  report('bundles.export_peak_page_heap', exp.peakMB, 'MB');
  report('bundles.zip_size', exp.result / 1048576, 'MB');

  // Hand the zip to a fresh browser context (an empty lab) through a download.
  const download = page.waitForEvent('download');
  await page.evaluate(() => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(window.__benchBundle);
    a.download = 'bench.zip';
    document.body.append(a);
    a.click();
  });
  const zipPath = await (await download).path();
  await page.close();

  const fresh = await context.browser().newContext();
  try {
    const other = await fresh.newPage();
    await openLab(other, base);
    // The zip goes in through a file input, as a user would pick it: Playwright hands Chromium the
    // path, so the File is disk-backed. (Fulfilling a route with it sent the whole zip through the
    // DevTools protocol as one base64 message: at 120 MB that closed the page, which is why the
    // 1,000-run import never ran.)
    await other.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-bundle-file';
      input.hidden = true;
      document.body.append(input);
    });
    await other.setInputFiles('#bench-bundle-file', zipPath);
    const imp = await measured(other, async () => {
      const file = document.getElementById('bench-bundle-file').files[0];
      const r = await window.mfflow.importBundle(file);
      return { added: r.addedRuns.length, conflicts: r.conflicts.length };
    });
    if (imp.result.added !== RUNS) throw new Error(`import added ${imp.result.added} runs, expected ${RUNS}`);
    report(`bundles.import_${RUNS}x${KEYS}x${STEPS}`, imp.ms, 'ms', { max: 5000 });
    await reportPhases(other, report);
    report('bundles.import_peak_page_heap', imp.peakMB, 'MB');

    const py = join(root, 'tests/interop/.venv/bin/python');
    if (!existsSync(py)) {
      console.log('bundles: no interop venv (tests/interop/setup-venv.sh); MLflow comparison skipped');
      return;
    }
    const work = mkdtempSync(join(tmpdir(), 'mfflow-bench-mlflow-'));
    try {
      const out = execFileSync(py, [join(root, 'bench/py/bundles_mlflow_filestore.py'), work, String(MLFLOW_RUNS), String(KEYS), String(STEPS)],
        { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', PYTHONWARNINGS: 'ignore' } });
      const ml = JSON.parse(out.trim().split('\n').pop());
      report(`bundles.mlflow_filestore_log_${MLFLOW_RUNS}_runs`, ml.log_s * 1000, 'ms');
      report(`bundles.mlflow_filestore_read_${MLFLOW_RUNS}_runs`, ml.read_s * 1000, 'ms');
      const perRun = (ml.log_s + ml.read_s) * 1000 / MLFLOW_RUNS;
      report('bundles.mlflow_over_lab_ratio', perRun / ((imp.ms + exp.ms) / RUNS), '× (MLflow log+read ÷ lab import+export, per run)');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } finally {
    await fresh.close();
  }
}
