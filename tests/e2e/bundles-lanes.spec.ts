// A big lab through the mlruns/ layout in the built lab: the export spreads its batches over two
// bundle workers (metric files deflated as they come), and the import of a zip over the
// whole-read limit shares its metric files between two bundle workers (import-lanes.ts). Every
// point of every history must come back, in order, bit for bit. The histories are written while
// the workers decode (metric-staging.ts): importing again adds nothing, and Cancel after they are
// written, before the runs are, leaves nothing.
import { expect, test, type Page } from '@playwright/test';
import { exportLabFile, openLab, pickBundle } from './helpers';

const RUNS = 60;

/** 60 runs × 4 histories × 3,000 points, and a 70 MiB file of noise so the zip is over 64 MiB. */
async function logLab(page: Page): Promise<void> {
  await page.evaluate(async (runs) => {
    const m = window.mfflow;
    await m.setExperiment('e2e lanes');
    for (let r = 0; r < runs; r++) {
      await m.startRun({ runName: `run-${r}` });
      for (let s = 0; s < 3000; s++) m.logMetrics({ loss: 1 / (s + r + 1), acc: Math.sin(s * (r + 1)), 'val/loss': s % 11 === 0 ? NaN : s * 0.1, big: 1e300 * (s + 1) }, s);
      if (r === 0) {
        const noise = new Uint8Array(70 << 20);
        for (let o = 0; o < noise.length; o += 65536) crypto.getRandomValues(noise.subarray(o, o + 65536));
        await m.logArtifact('noise.bin', noise);
      }
      await m.endRun();
    }
  }, RUNS);
}

/** Per run (by name): a digest of every history's steps, values (bit patterns) and timestamps. */
async function histories(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const m = window.mfflow;
    const out: Record<string, string> = {};
    const ids = (await m.listExperiments()).filter((e) => e.name === 'e2e lanes').map((e) => e.experimentId);
    for (const run of (await m.searchRuns({ experimentIds: ids, maxResults: 1000 })).runs) {
      let h = 0x811c9dc5;
      const mix = (x: number) => (h = Math.imul(h ^ x, 0x01000193) >>> 0);
      for (const key of ['acc', 'big', 'loss', 'val/loss']) {
        const c = await m.getMetricHistory(run.info.runId, key);
        const bits = new Uint32Array(Float64Array.from(c.values).buffer);
        for (let i = 0; i < c.values.length; i++) (mix(c.steps[i]), mix(bits[2 * i]), mix(bits[2 * i + 1]), mix(c.timestamps[i] % 1e9));
        mix(c.values.length);
      }
      out[run.info.runName] = h.toString(16);
    }
    return out;
  });
}

test('a big lab exported as mlruns/ and imported back, each over two bundle workers: every point comes back', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await openLab(page);
  expect(await page.evaluate(() => navigator.hardwareConcurrency)).toBeGreaterThanOrEqual(2); // so lanes are in play
  await logLab(page);
  const want = await histories(page);
  expect(Object.keys(want)).toHaveLength(RUNS);
  const path = await exportLabFile(page, 'mlruns');

  const fresh = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await openLab(other);
    await pickBundle(other, path);
    await expect(other.getByTestId('bundle-report')).toContainText(`${RUNS} run(s) added`, { timeout: 180_000 });
    expect(await histories(other)).toEqual(want);
    // The histories were written while the workers decoded (metric-staging.ts). The same zip
    // again: its runs are here, so they are compared by content, and nothing is added or written.
    const chunks = await metricChunkCount(other);
    await pickBundle(other, path);
    await expect(other.getByTestId('bundle-report')).toContainText(`0 run(s) added, 0 experiment(s) added, ${RUNS} already here`, { timeout: 180_000 });
    expect(await metricChunkCount(other)).toBe(chunks);
    expect(await histories(other)).toEqual(want);
  } finally {
    await fresh.close();
  }

  // Cancelled after its histories are staged, before its runs are written: no run, and none of
  // those chunks stay. To cancel in that stretch every time, the test holds a write transaction
  // on the artifact store (as another tab's write would): the import's big file, written after
  // the histories settle and before the runs, waits for it, and Cancel lands while it waits.
  const third = await browser.newContext();
  try {
    const p = await third.newPage();
    await openLab(p);
    await holdArtifactWrites(p);
    await pickBundle(p, path);
    const status = p.getByRole('status').filter({ hasText: 'Importing' });
    await expect(status).toContainText('saving', { timeout: 120_000 });
    await status.getByRole('button', { name: 'Cancel' }).click();
    await p.evaluate(() => (window as unknown as { __releaseHold: () => void }).__releaseHold());
    await expect(status).toHaveCount(0, { timeout: 60_000 });
    expect(await p.evaluate(async () => {
      const ids = (await window.mfflow.listExperiments()).map((e) => e.experimentId);
      return (await window.mfflow.searchRuns({ experimentIds: ids, maxResults: 10 })).runs.length;
    })).toBe(0);
    expect(await metricChunkCount(p)).toBe(0);
  } finally {
    await third.close();
  }
});

/** Opens a readwrite transaction on `artifactChunks` and keeps it alive (one request after another) until `__releaseHold()`. */
function holdArtifactWrites(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('mfflow');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const store = db.transaction('artifactChunks', 'readwrite').objectStore('artifactChunks');
      let holding = true;
      const spin = () => { if (holding) store.count().onsuccess = spin; };
      spin();
      (window as unknown as { __releaseHold: () => void }).__releaseHold = () => { holding = false; db.close(); };
      resolve();
    };
  }));
}

/** Metric chunks in the lab's IndexedDB (`mfflow`), reachable or not. */
function metricChunkCount(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('mfflow');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      try {
        const req = open.result.transaction('metricChunks').objectStore('metricChunks').count();
        req.onsuccess = () => (open.result.close(), resolve(req.result));
        req.onerror = () => reject(req.error);
      } catch (e) {
        reject(e);
      }
    };
  }));
}
