/**
 * S10 and Z9 (reliability matrix): the tab's renderer crashes (chrome://crash) in the middle of multi-store writes and of a bundle import. A new tab then finds every
 * write whole or absent: metric points equal each run's counts, every artifact has all its
 * chunks and no chunk lacks its file, and an import is all of its runs or none.
 */
import { chromium, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLab } from './helpers';
import { exportWeightsBundleInPage, MiB } from '../fixtures/storage-quota';
import { countRunsInPage } from '../fixtures/lab-in-page';


/** Seeded delays (ms) so a failure can be replayed: a small LCG over the seed. */
function delays(seed: number, n: number, lo: number, hi: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return lo + (s % (hi - lo)); });
}

interface Invariants { runs: { id: string; name: string; status: string }[]; problems: string[] }

/** Reads the lab's database directly and lists every broken all-or-nothing rule. */
async function invariants(page: Page): Promise<Invariants> {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => { const r = indexedDB.open('mfflow'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const all = <T,>(store: string) => new Promise<T[]>((res, rej) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => res(r.result as T[]); r.onerror = () => rej(r.error);
    });
    type R = { info: { runId: string; runName: string; status: string }; metrics: Record<string, { count: number }> };
    const runs = await all<R>('runs');
    const chunks = await all<{ runId: string; key: string; values: Float64Array }>('metricChunks');
    const files = await all<{ runId: string; path: string; size: number; chunkCount: number }>('artifacts');
    const parts = await all<{ runId: string; path: string; index: number; bytes: ArrayBuffer }>('artifactChunks');
    db.close();
    const problems: string[] = [];
    const byId = new Map(runs.map((r) => [r.info.runId, r]));
    const points = new Map<string, number>();
    for (const c of chunks) {
      if (!byId.has(c.runId)) problems.push(`metric chunk of missing run ${c.runId}`);
      points.set(`${c.runId}\u0000${c.key}`, (points.get(`${c.runId}\u0000${c.key}`) ?? 0) + c.values.length);
    }
    for (const r of runs) {
      for (const [k, m] of Object.entries(r.metrics)) {
        const n = points.get(`${r.info.runId}\u0000${k}`) ?? 0;
        if (n !== m.count) problems.push(`run ${r.info.runName} metric ${k}: ${n} points stored, count says ${m.count}`);
      }
    }
    for (const key of points.keys()) {
      const [id, k] = key.split('\u0000');
      if (byId.has(id) && !(k in byId.get(id)!.metrics)) problems.push(`run ${id} has points of ${k} but no summary`);
    }
    const fileKey = (f: { runId: string; path: string }) => `${f.runId}\u0000${f.path}`;
    const got = new Map<string, { n: number; bytes: number; idx: Set<number> }>();
    for (const p of parts) {
      const g = got.get(fileKey(p)) ?? { n: 0, bytes: 0, idx: new Set<number>() };
      g.n++; g.bytes += p.bytes.byteLength; g.idx.add(p.index);
      got.set(fileKey(p), g);
    }
    const known = new Set(files.map(fileKey));
    for (const f of files) {
      if (!byId.has(f.runId)) problems.push(`artifact ${f.path} of missing run ${f.runId}`);
      const g = got.get(fileKey(f));
      if (!g || g.n !== f.chunkCount || g.bytes !== f.size || [...Array(f.chunkCount).keys()].some((i) => !g.idx.has(i))) {
        problems.push(`artifact ${f.path} of ${f.runId}: ${g?.n ?? 0}/${f.chunkCount} chunks, ${g?.bytes ?? 0}/${f.size} bytes`);
      }
    }
    for (const k of got.keys()) if (!known.has(k)) problems.push(`orphan chunks of ${k.replace('\u0000', ' ')}`);
    return { runs: runs.map((r) => ({ id: r.info.runId, name: r.info.runName, status: r.info.status })), problems };
  });
}

/**
 * A browser profile on disk, so the data outlives the crash: in Chromium a crashed renderer takes
 * its whole browser context down, and an in-memory context's storage with it.
 */
class Profile {
  readonly dir = mkdtempSync(join(tmpdir(), 'mfflow-crash-'));
  context: BrowserContext | null = null;
  constructor(private readonly baseURL: string) {}

  async open(): Promise<Page> {
    this.context = await chromium.launchPersistentContext(this.dir, { ...test.info().project.use.launchOptions, baseURL: this.baseURL, headless: true });
    const page = this.context.pages()[0] ?? await this.context.newPage();
    await openLab(page);
    return page;
  }

  /** The tab's renderer dies (chrome://crash); then the browser is closed and opened again. */
  async crash(page: Page): Promise<void> {
    const crashed = page.waitForEvent('crash');
    await page.goto('chrome://crash', { timeout: 10_000 }).catch(() => undefined);
    await crashed;
    await this.context!.close().catch(() => undefined);
    this.context = null;
  }

  async dispose(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

for (const seed of [7, 2026]) {
  test(`S10: a tab that crashes mid-write (seed ${seed}) leaves every run, metric history and artifact whole or absent`, async ({ baseURL }) => {
    test.setTimeout(120_000);
    const [wait] = delays(seed, 1, 1500, 4000);
    const profile = new Profile(baseURL!);
    const page = await profile.open();
    const committed: string[] = [];
    page.on('console', (m) => { const t = m.text(); if (t.startsWith('committed ')) committed.push(t.slice(10)); });
    // Runs written back to back, each a params + metrics batch and a 9 MiB artifact (3 chunks, one transaction).
    void page.evaluate(async (size) => {
      const m = window.mfflow;
      await m.setExperiment('crash');
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
      for (let i = 0; ; i++) {
        const run = await m.startRun({ runName: `r${i}` });
        await m.logParams({ i: String(i), lr: '0.01' });
        for (let s = 0; s < 300; s++) { m.logMetric('loss', 1 / (s + 1), s); m.logMetric('acc', s / 300, s); }
        await m.flush();
        bytes[0] = i & 255;
        await m.logArtifact('model/weights.bin', bytes);
        await m.endRun();
        console.log(`committed ${run.runId}`);
      }
    }, 9 * MiB).catch(() => undefined);
    await page.waitForTimeout(wait);
    await profile.crash(page);

    const next = await profile.open();
    const inv = await invariants(next);
    expect(inv.problems).toEqual([]);
    // Everything whose endRun had resolved is there and FINISHED; nothing is left RUNNING.
    for (const id of committed) expect(inv.runs.find((r) => r.id === id)?.status).toBe('FINISHED');
    await expect.poll(async () => (await invariants(next)).runs.filter((r) => r.status === 'RUNNING').length, { timeout: 15_000 }).toBe(0);
    expect(inv.runs.length).toBeGreaterThanOrEqual(committed.length);
    test.info().annotations.push({ type: 'crash', description: `after ${wait} ms: ${committed.length} runs ended, ${inv.runs.length} stored` });
    // The lab still writes after the crash.
    const after = await next.evaluate(async () => {
      const run = await window.mfflow.startRun({ runName: 'after-crash' });
      window.mfflow.logMetric('loss', 1, 0);
      await window.mfflow.endRun();
      return (await window.mfflow.getRun(run.runId)).info.status;
    });
    expect(after).toBe('FINISHED');
    expect((await invariants(next)).problems).toEqual([]);
    await profile.dispose();
  });
}

/** A ~30 MiB lab bundle of 20 runs, each with 1.5 MiB of incompressible weights, made in a roomy browser. */
async function bundleOf20Runs(browser: Browser): Promise<Buffer> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openLab(page);
  const runs = Array.from({ length: 20 }, (_, r) => `imp-${r}`);
  const b64 = await page.evaluate(exportWeightsBundleInPage, { experiment: 'imported', runs, bytes: 1.5 * MiB, lossPoints: 200 });
  await ctx.close();
  return Buffer.from(b64, 'base64');
}

test('Z9: a tab that crashes mid-import, while reading and while saving, shows no half-imported run after reload', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const zip = await bundleOf20Runs(browser);
  expect(zip.length).toBeGreaterThan(29 * MiB);
  for (const when of ['reading', 'saving'] as const) {
    const profile = new Profile(baseURL!);
    const page = await profile.open();
    // The page tells the test the moment its import status reaches the point to crash at:
    // half the archive read, or the saving phase (the one transaction) begun.
    let reached!: () => void;
    const point = new Promise<void>((res) => { reached = res; });
    await page.exposeFunction('mfflowTestCrashPoint', () => reached());
    await page.evaluate((at) => {
      const hit = (t: string) => (at === 'saving' ? /Importing lab\.zip: saving/.test(t) : Number(/Importing lab\.zip: reading (\d+)%/.exec(t)?.[1] ?? 0) >= 50);
      const mo = new MutationObserver(() => {
        if ([...document.querySelectorAll('[role="status"]')].some((e) => hit(e.textContent ?? ''))) {
          mo.disconnect();
          (window as unknown as { mfflowTestCrashPoint(): void }).mfflowTestCrashPoint();
        }
      });
      mo.observe(document.body, { subtree: true, childList: true, characterData: true });
    }, when);
    await page.getByTestId('bundle-file-input').setInputFiles({ name: 'lab.zip', mimeType: 'application/zip', buffer: zip });
    await point;
    await profile.crash(page);

    const next = await profile.open();
    const inv = await invariants(next);
    expect(inv.problems).toEqual([]);
    const imported = inv.runs.filter((r) => r.name.startsWith('imp-'));
    // All or nothing; a crash while reading is always before the transaction, so nothing.
    if (when === 'reading') expect(imported).toEqual([]);
    else expect([0, 20]).toContain(imported.length);
    test.info().annotations.push({ type: 'crash', description: `while ${when}: ${imported.length} of 20 runs after reopening` });
    const listed = await next.evaluate(countRunsInPage);
    expect(listed).toBe(imported.length);
    // The same file imports whole afterwards.
    await next.getByTestId('bundle-file-input').setInputFiles({ name: 'lab.zip', mimeType: 'application/zip', buffer: zip });
    await expect.poll(async () => (await invariants(next)).runs.filter((r) => r.name.startsWith('imp-')).length, { timeout: 60_000 }).toBe(20);
    expect((await invariants(next)).problems).toEqual([]);
    await profile.dispose();
  }
});
