/**
 * The journeys that matter most, written once and walked in Chromium (Playwright), Firefox
 * (puppeteer-core, WebDriver BiDi) and WebKit (WebKitGTK MiniBrowser, WebDriver): tracking and
 * reload, training an elastic net and an MLP in workers, bundle export and import, the Serve page
 * and /invocations, offline reload, the runs table at 5,000 runs. Each step is what a person or a
 * script would do: the public `mfflow` API, clicks and typing in the built lab, and what the page
 * then shows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { EnginePage, EngineSession } from './driver';
import { rawZip } from '../unit/archive-zip-craft';
import { seedRunsInPage, type SeedRuns } from '../fixtures/lab-in-page';

export interface Journey {
  name: string;
  timeoutMs: number;
  /** The journey provokes CSP violations on purpose (the runner's zero-violation check skips it). */
  injectsViolations?: boolean;
  /** The journey needs `freshPage(init)` (skipped where the driver has no init scripts). */
  needsInitScripts?: boolean;
  run(s: EngineSession, data: JourneyData): Promise<void>;
}

export interface JourneyData {
  /** winequality-red.csv as text (';'-separated, 1599 rows). */
  redWine: string;
}

export function loadJourneyData(redWinePath: string): JourneyData {
  return { redWine: readFileSync(redWinePath, 'utf8') };
}

/** Polls `fn` in the page until it returns a truthy value; fails naming `what` after `timeoutMs`. */
export async function waitFor<A>(page: EnginePage, what: string, fn: (arg: A) => unknown, arg?: A, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      last = await page.eval(fn, arg as A);
      if (last) return;
    } catch (e) {
      last = e; // the page may be navigating
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function openLab(page: EnginePage, rel = ''): Promise<void> {
  await page.goto(rel);
  await waitFor(page, 'the lab to be ready', () => document.documentElement.dataset.labReady === 'true', undefined, 60_000);
  await watchCsp(page);
}

/** Records the page's CSP violations from now on in `window.__csp` (read by cspViolations). */
export async function watchCsp(page: EnginePage): Promise<void> {
  await page.eval(() => {
    const w = window as unknown as { __csp?: string[] };
    if (w.__csp) return;
    const seen: string[] = (w.__csp = []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
}

export function cspViolations(page: EnginePage): Promise<string[]> {
  return page.eval(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

const tracking: Journey = {
  name: 'tracking: a run logged through mfflow is listed after a reload; a bad call is refused and blocks nothing',
  timeoutMs: 90_000,
  async run({ page }) {
    await openLab(page);
    const logged = await page.eval(async () => {
      const m = window.mfflow;
      const exp = await m.setExperiment('engines tracking');
      const run = await m.startRun({ runName: 'scripted-run' });
      await m.logParams({ alpha: 0.5, l1_ratio: 0.1, optimizer: 'adam' });
      for (let step = 0; step < 1000; step++) m.logMetric('loss', 1 / (step + 1), step);
      const refused: string[] = [];
      const tryCall = async (f: () => unknown) => {
        try { await f(); refused.push('accepted'); } catch (e) { refused.push(`${(e as { code?: string }).code}: ${(e as Error).message}`); }
      };
      await tryCall(() => m.logMetric('bad<key', 1, 0));
      await tryCall(() => m.logMetric('loss', 1, 2 ** 60));
      await tryCall(() => m.logParam('o', { a: 1 } as unknown as string));
      await tryCall(() => m.predict('models:/none/1', 123));
      await m.endRun();
      return { runId: run.runId, exp: exp.experimentId, refused };
    });
    assert.equal(logged.refused.length, 4);
    for (const r of logged.refused) assert.match(r, /^INVALID_PARAMETER_VALUE: /);
    assert.match(logged.refused[0], /bad<key/);

    await page.reload();
    await openLab(page, `#/runs?exp=${logged.exp}`);
    await waitFor(page, 'the run row with loss 0.001 and adam', (name) => {
      const row = [...document.querySelectorAll('tbody tr[data-run-id]')].find((r) => r.textContent?.includes(name));
      // A cell's value: under 600 px of table (cards) it also holds its column's label.
      const cells = row ? [...row.querySelectorAll('[role="gridcell"], td')].map((c) => (c.querySelector('.cval') ?? c).textContent?.trim()) : [];
      return cells.includes('0.001') && cells.includes('adam');
    }, 'scripted-run');
    const stored = await page.eval(async (id) => {
      const run = await window.mfflow.getRun(id);
      const h = await window.mfflow.getMetricHistory(id, 'loss');
      return { status: run.info.status, params: run.params, n: h.values.length, lastStep: h.steps[h.steps.length - 1] };
    }, logged.runId);
    assert.deepEqual(stored, { status: 'FINISHED', params: { alpha: '0.5', l1_ratio: '0.1', optimizer: 'adam' }, n: 1000, lastStep: 999 });
  },
};

const training: Journey = {
  name: 'training: an elastic net and an MLP train in workers and end FINISHED with their metrics',
  timeoutMs: 240_000,
  async run({ page }, data) {
    await openLab(page);
    const out = await page.eval(async (csv) => {
      const m = window.mfflow;
      const d = await m.loadDataset(new File([csv], 'winequality-red.csv', { type: 'text/csv' }));
      const enet = await m.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
      const mlp = await m.train({
        dataset: d.digest, model: 'mlp', target: 'quality', backend: 'cpu', runName: 'engines-mlp',
        params: { epochs: 3, batch_size: 64, hidden_layers: '8', validation_split: 0.1 },
      });
      const loss = await m.getMetricHistory(mlp.info.runId, 'loss');
      return {
        rows: d.rows, enet: enet.info.status, rmse: enet.metrics.rmse?.latest,
        mlp: mlp.info.status, epochs: loss.values.length, finite: Array.from(loss.values).every(Number.isFinite),
      };
    }, data.redWine);
    assert.equal(out.rows, 1599);
    assert.equal(out.enet, 'FINISHED');
    // MLflow's wine tutorial (alpha = l1_ratio = 0.5): rmse 0.7931 on the test split, as in Chromium.
    assert.ok(Math.abs((out.rmse ?? 0) - 0.7931) < 1e-3, `elastic net rmse ${out.rmse}`);
    assert.equal(out.mlp, 'FINISHED');
    assert.equal(out.epochs, 3);
    assert.ok(out.finite);
  },
};

const bundles: Journey = {
  name: 'bundles: export the lab, import it into an empty browser, the run is there with its metrics',
  timeoutMs: 120_000,
  async run(s) {
    const { page } = s;
    await openLab(page);
    const { runId, bytes } = await page.eval(async () => {
      const m = window.mfflow;
      await m.setExperiment('engines bundles');
      const run = await m.startRun({ runName: 'shared-run' });
      await m.logParams({ alpha: 0.5 });
      for (let step = 0; step < 200; step++) m.logMetric('loss', 1 / (step + 1), step);
      await m.logText('hello bundle', 'notes.txt');
      await m.endRun();
      const f = await m.exportLab();
      return { runId: run.runId, bytes: btoa(Array.from(new Uint8Array(await f.arrayBuffer()), (b) => String.fromCharCode(b)).join('')) };
    });
    const other = await s.freshPage();
    try {
      await openLab(other);
      const before = await other.eval(async (id) => window.mfflow.getRun(id).then(() => 'present', () => 'absent'), runId);
      assert.equal(before, 'absent');
      const report = await other.eval(async (b64) => {
        const r = await window.mfflow.importBundle(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
        return JSON.stringify(r);
      }, bytes);
      assert.match(report, /shared-run|runsAdded|added/);
      const run = await other.eval(async (id) => {
        const r = await window.mfflow.getRun(id);
        const h = await window.mfflow.getMetricHistory(id, 'loss');
        return { name: r.info.runName, status: r.info.status, alpha: r.params.alpha, n: h.values.length, exp: r.info.experimentId };
      }, runId);
      assert.deepEqual({ ...run, exp: undefined }, { name: 'shared-run', status: 'FINISHED', alpha: '0.5', n: 200, exp: undefined });
      await other.goto(`#/runs?exp=${run.exp}`);
      await waitFor(other, 'the imported run in the runs table', (name) =>
        [...document.querySelectorAll('tbody tr[data-run-id]')].some((r) => r.textContent?.includes(name)), 'shared-run');
    } finally {
      await other.close();
    }
  },
};

const serving: Journey = {
  name: 'serving: register and alias an elastic net, predict from the Serve page form and through /invocations, then offline',
  timeoutMs: 180_000,
  async run(s, data) {
    const { page } = s;
    await openLab(page);
    const lines = data.redWine.trim().split('\n');
    const header = lines[0].split(';').map((h) => h.replace(/"/g, ''));
    const cells = lines[1].split(';').map(Number);
    const features = header.filter((h) => h !== 'quality');
    const row = Object.fromEntries(header.map((h, j) => [h, cells[j]]));
    const viaApi = await page.eval(async ({ csv, row }) => {
      const m = window.mfflow;
      const d = await m.loadDataset(new File([csv], 'winequality-red.csv', { type: 'text/csv' }));
      const run = await m.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
      const v = await m.registerModel(run.info.runId, 'model', 'engines-wine');
      await m.setAlias('engines-wine', 'champion', (v as { version: number | string }).version);
      const p = (await m.predict('models:/engines-wine@champion', { dataframe_records: [row] })) as { predictions: number[] };
      return p.predictions[0];
    }, { csv: data.redWine, row });
    assert.ok(Number.isFinite(viaApi) && viaApi > 3 && viaApi < 8, `prediction ${viaApi}`);

    // The Serve page: type the row into the form, press Predict, read the answer.
    await page.goto(`#/serve?model=${encodeURIComponent('models:/engines-wine@champion')}`);
    await waitFor(page, 'the prediction form', () => document.querySelector('form[aria-label="Prediction form"] input') !== null, undefined, 30_000);
    for (const f of features) await page.fill(`form[aria-label="Prediction form"] [aria-label="${f}"]`, String(row[f]));
    await page.click('form[aria-label="Prediction form"] button[type="submit"], form[aria-label="Prediction form"] button');
    await waitFor(page, 'the form prediction', () => document.querySelector('output[aria-label="Prediction"]')?.textContent, undefined, 30_000);
    const shown = Number(await page.eval(() => document.querySelector('output[aria-label="Prediction"]')!.textContent));
    assert.ok(Math.abs(shown - viaApi) <= 1e-9 * Math.abs(viaApi), `form ${shown} vs api ${viaApi}`);

    // /invocations through the service worker, then the same with the server gone.
    const body = JSON.stringify({ dataframe_split: { columns: features, data: [features.map((f) => row[f])] } });
    await waitFor(page, 'a service worker controlling the page', () => navigator.serviceWorker?.controller != null, undefined, 30_000);
    const invoke = () => page.eval(async (b) => {
      const res = await fetch('./invocations', { method: 'POST', body: b, headers: { 'content-type': 'application/json' } });
      return { status: res.status, text: await res.text() };
    }, body);
    const online = await invoke();
    assert.equal(online.status, 200, online.text);
    assert.equal(JSON.parse(online.text).predictions[0], viaApi);

    await s.setOffline(true);
    try {
      await page.reload();
      await waitFor(page, 'the lab to open offline', () => document.documentElement.dataset.labReady === 'true', undefined, 30_000);
      const offline = await invoke();
      assert.equal(offline.status, 200, offline.text);
      assert.equal(JSON.parse(offline.text).predictions[0], viaApi);
    } finally {
      await s.setOffline(false);
    }
  },
};

const runsTable: Journey = {
  name: 'runs table: 5,000 runs listed, sorted by a metric, End reaches the last row, rows windowed',
  timeoutMs: 180_000,
  async run({ page }) {
    await openLab(page);
    // Seeded as an import writes them (run records straight into IndexedDB), then the lab reopens.
    const exp = await page.eval(async () => (await window.mfflow.createExperiment(`engines table ${Date.now()}`)) as string);
    await page.eval(seedRunsInPage, { count: 5000, experimentId: exp, rmse: 'cycle', alpha: 'four' } satisfies SeedRuns);
    await page.goto(`#/runs?exp=${exp}`);
    await page.reload();
    await waitFor(page, 'the lab to reopen', () => document.documentElement.dataset.labReady === 'true', undefined, 60_000);
    await waitFor(page, 'the grid with 5,001 rows', () => document.querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === '5001', undefined, 30_000);
    const windowed = await page.eval(() => document.querySelectorAll('tbody tr[data-run-id]').length);
    assert.ok(windowed > 5 && windowed < 120, `${windowed} rows in the DOM`);

    await page.click('thead th[title="rmse"] button');
    // An error metric sorts best (smallest) first on the first click.
    await waitFor(page, 'rmse sorted ascending', () => {
      const h = document.querySelector('thead th[title="rmse"]');
      const first = document.querySelector('tbody tr[data-run-id]')?.textContent ?? '';
      return h?.getAttribute('aria-sort') === 'ascending' && first.includes('0.6');
    });
    await page.press('[role="grid"]', 'End');
    await waitFor(page, 'the last rows (rmse 1.099) after End', () => {
      const rows = document.querySelectorAll('tbody tr[data-run-id]');
      return rows.length < 120 && (rows[rows.length - 1]?.textContent ?? '').includes('1.099');
    });
  },
};

// A 1×1 PNG.
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const csp: Journey = {
  name: 'R6: CSP: the lab\'s pages raise no violation; an injected inline script is refused',
  timeoutMs: 120_000,
  injectsViolations: true,
  async run({ page }) {
    await openLab(page);
    const policy = await page.eval(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '');
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.doesNotMatch(policy, /unsafe-inline'[^;]*;[^;]*$|script-src[^;]*unsafe-inline/);
    const { runId, exp } = await page.eval(async (png) => {
      const m = window.mfflow;
      const e = await m.setExperiment('engines csp');
      const run = await m.startRun({ runName: 'csp-run', description: '# Note\n**bold** [link](https://mlflow.org)' });
      await m.logParams({ alpha: 0.1 });
      for (let i = 0; i < 50; i++) m.logMetric('loss', 1 / (i + 1), i);
      await m.logArtifact('plots/dot.png', Uint8Array.from(atob(png), (c) => c.charCodeAt(0)));
      await m.logText('<h1>Report</h1><script>window.parent.__pwned = 1</script>', 'report.html');
      await m.logText('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>', 'plots/box.svg');
      await m.logText('a,b\n1,2\n', 'data.csv');
      await m.endRun();
      return { runId: run.runId, exp: e.experimentId };
    }, PNG_B64);
    // Every page of the lab, and the artifact previews (image, SVG, CSV, HTML in its sandbox).
    // Each page loads (WebKitGTK under LANG=C once failed every page with a chart: "invalid language tag: C").
    for (const rel of [`#/runs?exp=${exp}`, `#/run/${runId}`, '#/datasets', '#/models', '#/serve', `#/compare?runs=${runId}`, '#/new']) {
      await page.goto(rel);
      await waitFor(page, `${rel} to show its heading`, () => document.querySelector('main h1') !== null, undefined, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      const failed = await page.eval(() => [...document.querySelectorAll('[role="alert"]')].map((a) => a.textContent ?? '').find((t) => t.includes('could not load')) ?? null);
      assert.equal(failed, null, `${rel}: ${failed}`);
    }
    await page.goto(`#/run/${runId}`);
    await waitFor(page, 'the artifact tree', () => document.querySelector('[aria-label="Artifacts"]') !== null);
    for (const name of ['plots', 'dot.png', 'box.svg', 'data.csv', 'report.html']) {
      await page.eval((n) => {
        const b = [...document.querySelectorAll('[aria-label="Artifacts"] button')].find((x) => x.textContent?.includes(n));
        (b as HTMLButtonElement | undefined)?.click();
      }, name);
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.deepEqual(await cspViolations(page), []);

    // An inline script injected into the page (what an XSS would do) is refused, and reported.
    const injected = await page.eval(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
      const a = document.createElement('div');
      a.innerHTML = '<img src="x:y" onerror="window.__inlineRan = true">';
      document.body.append(a);
      await new Promise((r) => setTimeout(r, 300));
      return { ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, pwned: (window as unknown as { __pwned?: number }).__pwned ?? null };
    });
    assert.deepEqual(injected, { ran: false, pwned: null });
    const seen = await cspViolations(page);
    assert.ok(seen.some((v) => v.startsWith('script-src')), `violations: ${seen.join(' | ')}`);
  },
};

const bigModel: Journey = {
  name: 'S8: a 50 MiB model artifact is stored as ArrayBuffer chunks (no Blob) and reads back byte for byte after a reload',
  timeoutMs: 180_000,
  async run({ page }) {
    await openLab(page);
    const logged = await page.eval(async () => {
      const m = window.mfflow;
      await m.setExperiment('engines big model');
      const run = await m.startRun({ runName: 'big-model' });
      // 50 MiB of xorshift noise (incompressible, like trained weights).
      const bytes = new Uint8Array(50 * 1024 * 1024);
      const words = new Uint32Array(bytes.buffer);
      let x = 2463534242;
      for (let i = 0; i < words.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x >>> 0; }
      const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (v) => v.toString(16).padStart(2, '0')).join('');
      const digest = hex(await crypto.subtle.digest('SHA-256', bytes));
      await m.logArtifact('model/weights.bin', bytes);
      await m.logText('artifact_path: model\nflavors: {}\n', 'model/MLmodel');
      await m.endRun();
      return { runId: run.runId, digest };
    });
    await page.reload();
    await openLab(page);
    const back = await page.eval(async (id) => {
      const bytes = await window.mfflow.readArtifact(id, 'model/weights.bin');
      const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (v) => v.toString(16).padStart(2, '0')).join('');
      const digest = hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
      // What IndexedDB holds for the file: its chunks, each a plain ArrayBuffer of at most 4 MiB.
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('mfflow');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const chunks = await new Promise<{ bytes: unknown }[]>((res, rej) => {
        const q = db.transaction('artifactChunks').objectStore('artifactChunks')
          .getAll(IDBKeyRange.bound([id, 'model/weights.bin', 0], [id, 'model/weights.bin', Infinity]));
        q.onsuccess = () => res(q.result);
        q.onerror = () => rej(q.error);
      });
      db.close();
      const kinds = [...new Set(chunks.map((c) => (c.bytes instanceof Blob ? 'Blob' : c.bytes instanceof ArrayBuffer ? 'ArrayBuffer' : Object.prototype.toString.call(c.bytes))))];
      const largest = Math.max(...chunks.map((c) => (c.bytes as ArrayBuffer).byteLength ?? 0));
      return { size: bytes.byteLength, digest, chunks: chunks.length, kinds, largest };
    }, logged.runId);
    assert.deepEqual(back, { size: 50 * 1024 * 1024, digest: logged.digest, chunks: 13, kinds: ['ArrayBuffer'], largest: 4 * 1024 * 1024 });
  },
};

/** Run locks (`mfflow-run:*`) held in the page's origin. */
function heldRunLocks(page: EnginePage): Promise<string[]> {
  return page.eval(async () => ((await navigator.locks.query()).held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith('mfflow-run:')));
}

/**
 * M5 in every engine. The worker is made to close itself with the lab's fault injection
 * (`mfflow.debug.crashWorkers`, in every build): no event reaches the page, as when the browser
 * kills a worker or it runs out of memory, so only the worker's liveness lock tells. Neither
 * driver can do it from outside: Firefox's BiDi lists worker realms but refuses to run script in
 * them, WebDriver classic (WebKit) has no worker access at all.
 */
const workerCrash: Journey = {
  name: 'M5: a training worker that dies mid-MLP ends its run FAILED with the reason on the job card, frees its lock, and the next training works',
  timeoutMs: 180_000,
  async run({ page }, data) {
    await openLab(page);
    await page.eval(async (csv) => {
      const m = window.mfflow;
      const d = await m.loadDataset(new File([csv], 'winequality-red.csv', { type: 'text/csv' }));
      location.hash = '#/new';
      (window as unknown as { doomed: Promise<unknown> }).doomed = m.train({
        dataset: d.digest, model: 'mlp', target: 'quality', backend: 'cpu', runName: 'doomed-mlp',
        params: { epochs: 5000, batch_size: 32, hidden_layers: '32,16', validation_split: 0.1 },
      }).then((r) => ({ status: r.info.status, endTime: r.info.endTime, error: r.tags['mfflow.error'] }), (e) => ({ rejected: String(e) }));
    }, data.redWine);
    const card = 'article[aria-label="Training job doomed-mlp"]';
    await waitFor(page, 'the job card at epoch 3 or later', (css) => /epoch ([3-9]|\d\d+) of 5000/.test(document.querySelector(css)?.textContent ?? ''), card, 90_000);
    assert.equal((await heldRunLocks(page)).length, 1);

    assert.equal(await page.eval(() => window.mfflow.debug.crashWorkers('training')), 1);
    const t0 = Date.now();
    await waitFor(page, 'the job card to say FAILED and why', (css) => {
      const c = document.querySelector(css);
      return c?.querySelector('[data-testid="job-status"]')?.textContent?.trim() === 'FAILED'
        && (c.querySelector('[role="alert"]')?.textContent ?? '').includes('training worker crashed: stopped unexpectedly');
    }, card, 10_000);
    assert.ok(Date.now() - t0 < 10_000);
    const run = await page.eval(() => (window as unknown as { doomed: Promise<{ status: string; endTime: number; error: string }> }).doomed);
    assert.equal(run.status, 'FAILED');
    assert.ok(run.endTime > 0);
    assert.match(run.error, /stopped unexpectedly \(closed, killed by the browser, or out of memory\)/);
    assert.deepEqual(await heldRunLocks(page), []);

    // The pool replaced the worker: the next MLP trains to the end.
    const next = await page.eval(async () => {
      const d = (await window.mfflow.listDatasets()).find((x) => x.name === 'winequality-red.csv')!;
      const r = await window.mfflow.train({ dataset: d.digest, model: 'mlp', target: 'quality', backend: 'cpu', runName: 'after-crash', params: { epochs: 3, batch_size: 64, hidden_layers: '8' } });
      return { status: r.info.status, loss: (await window.mfflow.getMetricHistory(r.info.runId, 'loss')).values.length };
    });
    assert.deepEqual(next, { status: 'FINISHED', loss: 3 });
  },
};

/**
 * M4 in a real engine: the lab without Web Locks, as in Safari before 15.4 (Firefox and WebKit
 * here both have them, so the fallback is forced by taking `navigator.locks` away before the lab
 * loads). Workers still start and train (no liveness lock to wait for), runs still log, and a run
 * whose page went away is told from a live one by its heartbeat: still RUNNING on a reload at
 * once (the fallback cannot tell yet), KILLED with its points once three intervals passed.
 */
const noWebLocks: Journey = {
  name: 'M4: without Web Locks the lab trains in workers, and a run left by its page is KILLED after three missed heartbeats, its points kept',
  timeoutMs: 120_000,
  needsInitScripts: true,
  async run(s, data) {
    const page = await s.freshPage(() => {
      Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });
    });
    try {
      await openLab(page);
      const started = await page.eval(async (csv) => {
        const m = window.mfflow;
        const locks = typeof navigator.locks;
        const d = await m.loadDataset(new File([csv], 'winequality-red.csv', { type: 'text/csv' }));
        const enet = await m.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
        await m.setExperiment('engines no locks');
        const run = await m.startRun({ runName: 'left-behind' });
        for (let i = 0; i < 40; i++) m.logMetric('loss', 1 / (i + 1), i);
        await m.flush();
        return { locks, enet: enet.info.status, runId: run.runId, at: Date.now() };
      }, data.redWine);
      assert.equal(started.locks, 'undefined');
      assert.equal(started.enet, 'FINISHED');

      // The page goes away with the run RUNNING (a reload is a new page; nothing ends the run).
      await page.reload();
      await openLab(page);
      const soon = await page.eval(async (id) => (await window.mfflow.getRun(id)).info.status, started.runId);
      assert.equal(soon, 'RUNNING');
      // Three heartbeat intervals (3 × 5 s) later, the next open judges the owner gone.
      await new Promise((r) => setTimeout(r, Math.max(0, started.at + 15_500 - Date.now())));
      await page.reload();
      await openLab(page);
      const later = await page.eval(async (id) => {
        const r = await window.mfflow.getRun(id);
        return { status: r.info.status, points: (await window.mfflow.getMetricHistory(id, 'loss')).values.length };
      }, started.runId);
      assert.deepEqual(later, { status: 'KILLED', points: 40 });
    } finally {
      await page.close();
    }
  },
};

const orphan: Journey = {
  name: 'M1: a run whose page went away (reloaded with the run RUNNING) is KILLED on the next open, with the points it had saved',
  timeoutMs: 60_000,
  async run({ page }) {
    await openLab(page);
    const runId = await page.eval(async () => {
      const m = window.mfflow;
      await m.setExperiment('engines orphan');
      const run = await m.startRun({ runName: 'orphan' });
      for (let i = 0; i < 30; i++) m.logMetric('loss', 1 / (i + 1), i);
      await m.flush();
      return run.runId;
    });
    await page.reload();
    await openLab(page);
    await waitFor(page, 'the orphaned run to be KILLED', async (id) => (await window.mfflow.getRun(id)).info.status === 'KILLED', runId, 10_000);
    const points = await page.eval(async (id) => (await window.mfflow.getMetricHistory(id, 'loss')).values.length, runId);
    assert.equal(points, 30);
  },
};

const twoTabs: Journey = {
  name: 'M2: a run driven by one tab is seen RUNNING and locked from a second tab, which does not take it over',
  timeoutMs: 60_000,
  async run(s) {
    await openLab(s.page);
    const runId = await s.page.eval(async () => {
      const m = window.mfflow;
      await m.setExperiment('engines two tabs');
      const run = await m.startRun({ runName: 'alive' });
      m.logMetric('x', 1, 0);
      await m.flush();
      return run.runId;
    });
    const other = await s.secondTab();
    try {
      await openLab(other);
      const seen = await other.eval(async (id) => ({
        status: (await window.mfflow.getRun(id)).info.status,
        runLocks: ((await navigator.locks.query()).held ?? []).filter((l) => (l.name ?? '').startsWith('mfflow-run:')).length,
        mine: window.mfflow.activeRun(),
      }), runId);
      assert.deepEqual(seen, { status: 'RUNNING', runLocks: 1, mine: null });
    } finally {
      await other.close();
    }
    // The owner still drives it to the end.
    const end = await s.page.eval(async () => {
      const m = window.mfflow;
      m.logMetric('x', 2, 1);
      return (await m.endRun())?.status;
    });
    assert.equal(end, 'FINISHED');
  },
};

const markup: Journey = {
  name: 'R1: markup in a run name, a param value and a tag value is shown as text on the runs table and the run page, never run',
  timeoutMs: 60_000,
  async run({ page }) {
    await openLab(page);
    const name = '<img src=x onerror="window.__pwned=1">';
    const { runId, exp } = await page.eval(async (n) => {
      const m = window.mfflow;
      const e = await m.setExperiment('engines markup');
      const run = await m.startRun({ runName: n });
      await m.logParam('note', '<script>window.__pwned=2</script>');
      await m.setTag('html', '<b onmouseover="window.__pwned=3">x</b>');
      await m.endRun();
      return { runId: run.runId, exp: e.experimentId };
    }, name);
    await page.goto(`#/runs?exp=${exp}`);
    await waitFor(page, 'the run name as text in the table', (n) =>
      [...document.querySelectorAll('tbody tr[data-run-id]')].some((r) => r.textContent?.includes(n)), name);
    await page.goto(`#/run/${runId}`);
    await waitFor(page, 'the param value as text on the run page', () => document.querySelector('main')?.textContent?.includes('<script>window.__pwned=2</script>'));
    await new Promise((r) => setTimeout(r, 300));
    const seen = await page.eval(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      injected: document.querySelectorAll('main img[src="x"], main script, main b[onmouseover]').length,
    }));
    assert.deepEqual(seen, { pwned: null, injected: 0 });
  },
};

const badArchive: Journey = {
  name: 'Z1: an archive with a ../ entry is refused naming the entry and the rule, and nothing is imported',
  timeoutMs: 60_000,
  async run({ page }) {
    await openLab(page);
    const zip = rawZip([
      { name: 'mlruns/0/meta.yaml', data: new TextEncoder().encode("artifact_location: x\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n") },
      { name: 'mlruns/../../evil.txt', data: new TextEncoder().encode('x') },
    ]);
    const out = await page.eval(async (b64) => {
      const m = window.mfflow;
      const count = async () => {
        const ids = (await m.listExperiments('ALL')).map((e) => e.experimentId);
        return (await m.searchRuns({ experimentIds: ids, runViewType: 'ALL' })).runs.length;
      };
      const before = await count();
      let message = 'accepted';
      try {
        await m.importBundle(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
      } catch (e) {
        message = (e as Error).message;
      }
      return { message, same: (await count()) === before };
    }, Buffer.from(zip).toString('base64'));
    assert.match(out.message, /mlruns\/\.\.\/\.\.\/evil\.txt/);
    assert.match(out.message, /dot-dot/);
    assert.ok(out.same);
  },
};

const badCsv: Journey = {
  name: 'C2: a CSV with an unclosed quote or a ragged row is refused naming the row, and nothing is stored',
  timeoutMs: 60_000,
  async run({ page }) {
    await openLab(page);
    const out = await page.eval(async () => {
      const m = window.mfflow;
      const before = (await m.listDatasets()).length;
      const messages: string[] = [];
      for (const [name, text] of [['quote.csv', 'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n'], ['ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n']]) {
        try {
          await m.loadDataset(new File([text], name, { type: 'text/csv' }));
          messages.push('accepted');
        } catch (e) {
          messages.push((e as Error).message);
        }
      }
      return { messages, stored: (await m.listDatasets()).length - before };
    });
    assert.match(out.messages[0], /Row 3, column `b`: a quoted cell starts here/);
    assert.match(out.messages[1], /Row 3: expected 3 fields/);
    assert.equal(out.stored, 0);
  },
};

const noIndexedDb: Journey = {
  name: 'S7: IndexedDB that refuses (a private window, storage blocked) gives an in-memory lab with a banner, and its export imports elsewhere',
  timeoutMs: 90_000,
  needsInitScripts: true,
  async run(s) {
    const page = await s.freshPage(() => {
      IDBFactory.prototype.open = function () { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };
    });
    let bytes: string;
    let runId: string;
    try {
      await openLab(page);
      const banner = await page.eval(() => document.querySelector('[role="status"][aria-label="In-memory lab"]')?.textContent ?? '');
      assert.match(banner, /Nothing is saved in this browser/);
      assert.match(banner, /SecurityError/);
      ({ runId, bytes } = await page.eval(async () => {
        const m = window.mfflow;
        await m.setExperiment('engines in memory');
        const run = await m.startRun({ runName: 'in-memory-run' });
        for (let i = 0; i < 20; i++) m.logMetric('loss', 1 / (i + 1), i);
        await m.endRun();
        const f = await m.exportLab();
        return { runId: run.runId, bytes: btoa(Array.from(new Uint8Array(await f.arrayBuffer()), (b) => String.fromCharCode(b)).join('')) };
      }));
    } finally {
      await page.close();
    }
    await openLab(s.page);
    const got = await s.page.eval(async ({ b64, id }) => {
      await window.mfflow.importBundle(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
      const r = await window.mfflow.getRun(id);
      return { name: r.info.runName, points: (await window.mfflow.getMetricHistory(id, 'loss')).values.length };
    }, { b64: bytes, id: runId });
    assert.deepEqual(got, { name: 'in-memory-run', points: 20 });
  },
};

/**
 * Walks a journey, then checks the lab's own code raised no CSP violation (R6): console reports
 * where the driver reads them, the in-page listener otherwise.
 */
export async function walk(j: Journey, s: EngineSession, data: JourneyData): Promise<void> {
  const before = s.cspConsole?.length ?? 0;
  await j.run(s, data);
  if (j.injectsViolations) return;
  assert.deepEqual(s.cspConsole?.slice(before) ?? [], [], 'CSP violations in the console');
  assert.deepEqual(await cspViolations(s.page).catch(() => []), [], 'CSP violations in the page');
}

export const JOURNEYS: Journey[] = [
  tracking, training, bundles, serving, runsTable, bigModel, workerCrash, noWebLocks, orphan, twoTabs, markup, badArchive, badCsv, noIndexedDb, csp,
];
