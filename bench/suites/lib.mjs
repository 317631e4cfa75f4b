// Helpers shared by bench suites (not a suite itself: no `run` export).
export async function openLab(page, base, query = '') {
  await page.goto(base + query);
  await page.waitForSelector('html[data-lab-ready="true"]', { state: 'attached', timeout: 60_000 });
}

/** JS heap in use after a full GC, in MB (CDP). */
export async function heapMB(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1024 / 1024;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export const WINE = {
  red: { file: 'winequality-red.csv', url: 'https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv' },
  white: { file: 'wine-quality.csv', url: 'https://raw.githubusercontent.com/mlflow/mlflow/master/examples/sklearn_elasticnet_wine/wine-quality.csv' },
};

/** tests/data/wine.ts's rule: ../shared/data, else a download cached in .cache/data. */
async function winePath(root, file, url) {
  const { existsSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { join, resolve } = await import('node:path');
  const shared = resolve(root, '../shared/data', file);
  if (existsSync(shared)) return shared;
  const cached = join(root, '.cache/data', file);
  if (!existsSync(cached)) {
    mkdirSync(join(root, '.cache/data'), { recursive: true });
    const res = await fetch(url);
    if (!res.ok) throw new Error(`cannot download ${file}: HTTP ${res.status}`);
    writeFileSync(cached, Buffer.from(await res.arrayBuffer()));
  }
  return cached;
}

/** Serves the wine CSVs at MLflow's URLs from local files for every page of `context`; returns their paths. */
export async function routeWine(context, root) {
  const { readFileSync } = await import('node:fs');
  const paths = {};
  for (const [key, w] of Object.entries(WINE)) {
    paths[key] = await winePath(root, w.file, w.url);
    const body = readFileSync(paths[key]);
    await context.route(w.url, (route) => route.fulfill({ body, contentType: 'text/csv', headers: { 'access-control-allow-origin': '*' } }));
  }
  return paths;
}

/**
 * Seeds `n` runs straight into IndexedDB in one transaction, as a writer that bypasses the lab
 * would: each run record plus its id in `runDirty`, so the next open reads every record and then
 * writes the run index (the table suite; the tracking suite imports its runs instead).
 */
export async function seedRuns(page, n, experimentId = '0') {
  await page.evaluate(async ({ n, experimentId }) => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('mfflow');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const tx = db.transaction(['runs', 'runDirty'], 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore('runs');
    const dirty = tx.objectStore('runDirty');
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const runId = (i.toString(16).padStart(8, '0') + '0'.repeat(24));
      const alpha = ['0.01', '0.1', '0.5', '1.0'][i % 4];
      // Not monotonic in i, so sorting by a metric really reorders.
      const rmse = 0.6 + ((i * 7919) % 1000) / 2000;
      const summary = (v) => ({ latest: v, step: 0, timestamp: now, min: v, max: v, count: 1 });
      store.put({
        info: { runId, experimentId, runName: `run-${i}`, userId: 'bench', status: 'FINISHED', startTime: now - i * 1000,
          endTime: now - i * 1000 + 500, lifecycleStage: 'active', deletedTime: null, artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts` },
        params: { alpha, l1_ratio: String((i % 10) / 10), model: 'elasticnet' },
        tags: { 'mlflow.user': 'bench', 'mlflow.source.name': 'mfflow', 'mlflow.source.type': 'LOCAL', 'mlflow.runName': `run-${i}` },
        metrics: { rmse: summary(rmse), r2: summary(1 - rmse), mae: summary(rmse * 0.8) },
        inputs: [],
      });
      dirty.put(1, runId);
    }
    await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
    db.close();
  }, { n, experimentId });
}

/** Runs bench/py/<script> in the interop venv; its last stdout line parsed as JSON, or null without the venv. */
export async function python(root, script, args, note) {
  const { execFileSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const py = join(root, 'tests/interop/.venv/bin/python');
  if (!existsSync(py)) {
    console.log(`${note}: no interop venv (bash tests/interop/setup-venv.sh); MLflow comparison skipped`);
    return null;
  }
  const out = execFileSync(py, [join(root, 'bench/py', script), ...args.map(String)],
    { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Prints a peer comparison: both sides and their ratio (> 1: the lab is faster). */
export function compare(report, name, lab, peer, peerName = 'MLflow') {
  report(`${name}.lab`, lab, 'ms');
  report(`${name}.${peerName.toLowerCase()}`, peer, 'ms');
  report(`${name}.ratio_${peerName.toLowerCase()}_over_lab`, peer / lab, '×');
}

/**
 * Logs `runs` finished runs into `experiment` through window.mfflow: params r and alpha, and
 * `keys` metrics (m0, m1, …) at `steps` steps each. Returns the run ids.
 */
export async function logRuns(page, experiment, runs, keys, steps) {
  return page.evaluate(async ({ experiment, runs, keys, steps }) => {
    const m = window.mfflow;
    await m.setExperiment(experiment);
    const names = Array.from({ length: keys }, (_, k) => `m${k}`);
    const ids = [];
    for (let r = 0; r < runs; r++) {
      ids.push((await m.startRun({ runName: `run-${r}` })).runId);
      await m.logParams({ r, alpha: 0.5 });
      for (let s = 0; s < steps; s++) {
        const row = {};
        for (let k = 0; k < keys; k++) row[names[k]] = 1 / (s + k + 1);
        m.logMetrics(row, s);
      }
      await m.endRun();
    }
    return ids;
  }, { experiment, runs, keys, steps });
}

/** CPU time (ms, user + system) used so far by the browser's processes (Linux /proc), or null elsewhere. */
async function browserCpuMs() {
  const { readdirSync, readFileSync } = await import('node:fs');
  let dirs;
  try {
    dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const tick = 10; // USER_HZ is 100 on Linux
  let ms = 0;
  for (const d of dirs) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!/^(chromium|chrome)/.test(comm)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(f[11]) + Number(f[12])) * tick; // utime, stime
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ms;
}

/**
 * Waits until the browser is quiet: its processes together use under 15% of a core over 500 ms,
 * for up to `maxMs`. A figure then measures its own operation, not what the step before it left
 * running: after 10M points are logged, LevelDB compacts them in the browser process for
 * seconds. Only the browser's processes count, so a run under another heavy process still
 * settles. Returns the ms waited (Infinity-free: capped at maxMs).
 */
export async function settle(maxMs = 60_000) {
  const t0 = Date.now();
  let last = await browserCpuMs();
  if (last === null) return 0;
  while (Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await browserCpuMs();
    if (now - last < 0.15 * 500) break;
    last = now;
  }
  return Date.now() - t0;
}
