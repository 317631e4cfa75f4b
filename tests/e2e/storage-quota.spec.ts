/**
 * S1 with a real quota in Chromium (reliability matrix): the origin's quota is lowered through
 * CDP before the lab ever opens IndexedDB (Chromium ignores an override made after the origin's
 * database is open), then a person imports a bundle bigger than the quota from the file picker.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openLab } from './helpers';

const MiB = 1024 * 1024;

/** A lab bundle holding one run with a 10 MiB incompressible artifact, made in a roomy browser. */
async function bigBundle(browser: Browser): Promise<Buffer> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openLab(page);
  const b64 = await page.evaluate(async (size) => {
    const m = window.mfflow;
    await m.setExperiment('big weights');
    await m.startRun({ runName: 'big-run' });
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
    await m.logArtifact('model/weights.bin', bytes);
    await m.endRun();
    const zip = new Uint8Array(await (await m.exportLab()).arrayBuffer());
    let bin = '';
    for (let i = 0; i < zip.length; i += 0x8000) bin += String.fromCharCode(...zip.subarray(i, i + 0x8000));
    return btoa(bin);
  }, 10 * MiB);
  await ctx.close();
  return Buffer.from(b64, 'base64');
}

async function runNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const ids = (await window.mfflow.listExperiments('ALL')).map((e) => e.experimentId);
    return (await window.mfflow.searchRuns({ experimentIds: ids, runViewType: 'ALL' })).runs.map((r) => r.info.runName).sort();
  });
}

test('S1: over a real 5 MiB quota an import is refused whole, the banner gives usage and quota, earlier runs stay readable, and writes work once the quota is lifted', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const zip = await bigBundle(browser);
  expect(zip.length).toBeGreaterThan(10 * MiB);

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const origin = new URL(baseURL!).origin;
  // A page of the origin that runs none of the lab's code, so no database is open yet.
  await page.goto(`${origin}/quota-probe`);
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 5 * MiB });
  await openLab(page);

  const earlier = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('kept');
    const run = await m.startRun({ runName: 'earlier' });
    await m.logParam('alpha', '0.5');
    for (let i = 0; i < 50; i++) m.logMetric('loss', 1 / (i + 1), i);
    await m.endRun();
    return run.runId;
  });

  await page.getByTestId('bundle-file-input').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zip });
  const banner = page.getByRole('alert', { name: 'Storage is full' });
  await expect(banner).toBeVisible({ timeout: 30_000 });
  // The figures are the browser's own (navigator.storage.estimate(); Chromium does not report a
  // CDP override there, though it enforces it).
  await expect(banner).toContainText(/This lab's site uses [\d.]+ (B|KiB|MiB|GiB) of its [\d.]+ (MiB|GiB) quota\./);
  await expect(banner).toContainText('Could not save');
  await expect(banner).toContainText('Export the lab or delete old runs');
  await expect(page.getByTestId('bundle-error')).toContainText('quota');

  // Nothing of the refused bundle is stored; the earlier run is whole, here and after a reload.
  expect(await runNames(page)).toEqual(['earlier']);
  await page.reload();
  await expect(page.locator('html[data-lab-ready="true"]')).toBeAttached({ timeout: 20_000 });
  const kept = await page.evaluate(async (id) => {
    const r = await window.mfflow.getRun(id);
    return { status: r.info.status, alpha: r.params.alpha, n: (await window.mfflow.getMetricHistory(id, 'loss')).values.length };
  }, earlier);
  expect(kept).toEqual({ status: 'FINISHED', alpha: '0.5', n: 50 });
  expect(await runNames(page)).toEqual(['earlier']);

  // With no quotaSize the override is removed: the same import now goes through.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.getByTestId('bundle-file-input').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zip });
  await expect.poll(() => runNames(page), { timeout: 30_000 }).toEqual(['big-run', 'earlier']);
  const size = await page.evaluate(async () => {
    const run = (await window.mfflow.searchRuns({ filter: "attributes.run_name = 'big-run'", experimentIds: (await window.mfflow.listExperiments()).map((e) => e.experimentId) })).runs[0];
    return (await window.mfflow.readArtifact(run.info.runId, 'model/weights.bin')).byteLength;
  });
  expect(size).toBe(10 * MiB);
  await ctx.close();
});
