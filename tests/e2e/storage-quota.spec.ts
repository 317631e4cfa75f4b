/**
 * S1 with a real quota in Chromium (reliability matrix): the origin's quota is lowered through
 * CDP before the lab ever opens IndexedDB (Chromium ignores an override made after the origin's
 * database is open), then a person imports a bundle bigger than the quota from the file picker.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openLab, expectLabReady } from './helpers';
import { EARLIER_RUN, exportWeightsBundleInPage, logEarlierRunInPage, MiB, readEarlierRunInPage, STORAGE_FULL, weightsSizeInPage } from '../fixtures/storage-quota';
import { runNamesInPage } from '../fixtures/lab-in-page';

/** A lab bundle holding one run with a 10 MiB incompressible artifact, made in a roomy browser. */
async function bigBundle(browser: Browser): Promise<Buffer> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await openLab(page);
  const b64 = await page.evaluate(exportWeightsBundleInPage, { experiment: 'big weights', runs: ['big-run'], bytes: 10 * MiB });
  await ctx.close();
  return Buffer.from(b64, 'base64');
}

const runNames = (page: Page) => page.evaluate(runNamesInPage);

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

  const earlier = await page.evaluate(logEarlierRunInPage);

  await page.getByTestId('bundle-file-input').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zip });
  const banner = page.getByRole('alert', { name: STORAGE_FULL.name });
  await expect(banner).toBeVisible({ timeout: 30_000 });
  // The figures are the browser's own (navigator.storage.estimate(); Chromium does not report a
  // CDP override there, though it enforces it).
  await expect(banner).toContainText(STORAGE_FULL.usage('MiB|GiB'));
  for (const text of STORAGE_FULL.says) await expect(banner).toContainText(text);
  await expect(page.getByTestId('bundle-error')).toContainText('quota');

  // Nothing of the refused bundle is stored; the earlier run is whole, here and after a reload.
  expect(await runNames(page)).toEqual(['earlier']);
  await page.reload();
  await expectLabReady(page);
  expect(await page.evaluate(readEarlierRunInPage, earlier)).toEqual(EARLIER_RUN);
  expect(await runNames(page)).toEqual(['earlier']);

  // With no quotaSize the override is removed: the same import now goes through.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await page.getByTestId('bundle-file-input').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: zip });
  await expect.poll(() => runNames(page), { timeout: 30_000 }).toEqual(['big-run', 'earlier']);
  expect(await page.evaluate(weightsSizeInPage, 'big-run')).toBe(10 * MiB);
  await ctx.close();
});
