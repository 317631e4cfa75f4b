// Streamed import in the built lab (issue 10): a bundle over the whole-read limit, picked with
// "Import bundle…", is read entry by entry and its big model file written from pieces, byte for
// byte; a bundle opened by URL is downloaded to a temporary file (OPFS) that is removed afterwards.
import { expect, test, type Page } from '@playwright/test';
import { exportLabFile, openLab, pickBundle } from './helpers';

/** A 72 MiB file of noise (it does not compress, so the zip is over the 64 MiB whole-read limit) and its FNV hash. */
async function logBigRun(page: Page): Promise<{ runId: string; hash: string; size: number }> {
  return page.evaluate(async () => {
    const n = 72 * 1024 * 1024;
    const bytes = new Uint8Array(n);
    for (let o = 0; o < n; o += 65536) crypto.getRandomValues(bytes.subarray(o, o + 65536));
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i += 97) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    const m = window.mfflow;
    await m.setExperiment('e2e streamed');
    const run = await m.startRun({ runName: 'big-model' });
    await m.logParams({ alpha: 0.5 });
    for (let step = 0; step < 100; step++) m.logMetric('loss', 1 / (step + 1), step);
    await m.logArtifact('model/weights.bin', bytes);
    await m.endRun();
    return { runId: run.runId, hash: h.toString(16), size: n };
  });
}

test('a bundle over the whole-read limit, picked with Import bundle…, arrives byte for byte; again adds nothing', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await openLab(page);
  const big = await logBigRun(page);
  const path = await exportLabFile(page);
  const fresh = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await openLab(other);
    await pickBundle(other, path);
    const report = other.getByTestId('bundle-report');
    await expect(report).toContainText('1 run(s) added', { timeout: 120_000 });
    const got = await other.evaluate(async (id) => {
      const bytes = await window.mfflow.readArtifact(id, 'model/weights.bin');
      let h = 0x811c9dc5;
      for (let i = 0; i < bytes.length; i += 97) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
      const loss = await window.mfflow.getMetricHistory(id, 'loss');
      return { size: bytes.length, hash: h.toString(16), points: loss.values.length };
    }, big.runId);
    expect(got).toEqual({ size: big.size, hash: big.hash, points: 100 });
    await report.getByRole('button', { name: 'Dismiss' }).click();
    await pickBundle(other, path);
    await expect(report).toContainText('0 run(s) added', { timeout: 120_000 });
    await expect(report).toContainText('1 already here');
  } finally {
    await fresh.close();
  }
});

test('a bundle opened by URL is downloaded to a temporary file that is gone after the import', async ({ page, browser }) => {
  await openLab(page);
  const runId = await page.evaluate(async () => {
    const run = await window.mfflow.startRun({ runName: 'by-url' });
    await window.mfflow.endRun();
    return run.runId;
  });
  const bytes = await page.evaluate(async () => Array.from(new Uint8Array(await (await window.mfflow.exportLab()).arrayBuffer())));
  const fresh = await browser.newContext();
  try {
    const other = await fresh.newPage();
    await other.route('**/hosted/lab.zip', (route) => route.fulfill({ body: Buffer.from(bytes), contentType: 'application/zip' }));
    await openLab(other);
    const left = await other.evaluate(async (id) => {
      const r = await window.mfflow.importBundle('hosted/lab.zip');
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('mfflow-downloads');
      const names: string[] = [];
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
      return { added: r.addedRuns.includes(id), names };
    }, runId);
    // The download went through the temporary folder (it exists) and left nothing in it.
    expect(left).toEqual({ added: true, names: [] });
  } finally {
    await fresh.close();
  }
});
