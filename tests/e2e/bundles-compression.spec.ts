import { expect, test } from '@playwright/test';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { openLab } from './helpers';

/** The method (0 stored, 8 deflated) of each entry, from the zip's central directory. */
function methods(zip: Uint8Array): Map<string, number> {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const n = dv.getUint16(p + 28, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + n));
    out.set(name, dv.getUint16(p + 10, true));
    p += 46 + n + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return out;
}

test('a lab of more than 32 MiB exports compressed (native deflate in the worker), in both layouts, and reads back', async ({ page }) => {
  test.setTimeout(180_000);
  await openLab(page);
  // 40 MB of logged text: the size at which exports used to be stored uncompressed.
  const runId = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('e2e big bundle');
    const run = await m.startRun({ runName: 'big' });
    let s = '';
    for (let i = 0; s.length < 40e6; i++) s += `${1_700_000_000_000 + i},${Math.sin(i).toFixed(12)},${i}\n`;
    await m.logText(s, 'predictions.csv');
    await m.endRun();
    return run.runId;
  });
  for (const layout of ['sqlite', 'mlruns']) {
    const b64 = await page.evaluate(async (layout) => {
      const f = await window.mfflow.exportLab({ layout: layout as 'sqlite' | 'mlruns' });
      const bytes = new Uint8Array(await f.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    }, layout);
    const zip = new Uint8Array(Buffer.from(b64, 'base64'));
    const name = [...methods(zip).keys()].find((n) => n.endsWith(`${runId}/artifacts/predictions.csv`))!;
    expect(name, layout).toBeTruthy();
    expect(methods(zip).get(name), layout).toBe(8);
    expect(zip.length, layout).toBeLessThan(40e6 / 2);
    const text = new TextDecoder().decode(unzipSafe(zip).get(name));
    expect(text.length).toBeGreaterThanOrEqual(40e6);
    expect(text.split('\n')[1]).toBe(`1700000000001,${Math.sin(1).toFixed(12)},1`);
  }
});

test('Cancel during the compression of an export stops it there: no file, the lab exports again after', async ({ page }) => {
  test.setTimeout(180_000);
  await openLab(page);
  // ~90 MB of text that deflates slowly enough to be caught mid-way: over the 32 MiB threshold.
  await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('e2e cancel compression');
    await m.startRun({ runName: 'big' });
    let s = '';
    for (let i = 0; s.length < 90e6; i++) s += `${1_700_000_000_000 + i},${Math.sin(i).toFixed(15)},${Math.cos(i * 7).toFixed(15)}\n`;
    await m.logText(s, 'predictions.csv');
    await m.endRun();
  });
  await page.getByLabel('Export as').selectOption('mlruns');
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByRole('button', { name: 'Export lab' }).click();
  const status = page.getByRole('status').filter({ hasText: 'Exporting:' });
  // The worker reports the compression as it reads the files, 1 MiB at a time.
  await expect(status).toContainText(/compressing \d+%/, { timeout: 120_000 });
  const pct = Number(/compressing (\d+)%/.exec((await status.textContent()) ?? '')![1]);
  await status.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Export cancelled; no file was saved.' })).toBeVisible();
  await expect(status).toHaveCount(0);
  expect(pct).toBeLessThan(100);
  expect(downloads).toBe(0);
  // The worker is free again: the same export completes.
  await page.getByRole('button', { name: 'Dismiss' }).click();
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByRole('button', { name: 'Export lab' }).click();
  expect(await (await download).path()).toBeTruthy();
});
