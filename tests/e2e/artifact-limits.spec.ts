/**
 * R5 (reliability matrix): artifact previews check an image's size in its header before decoding
 * and refuse past a pixel budget; a 200 MB text artifact shows only its head.
 */
import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';
import { BIG_LOG, PNG_BOMB_REFUSAL, pngBomb, seedPreviewRunInPage } from '../fixtures/untrusted-files';

async function openRun(page: Page, runId: string) {
  await page.evaluate((id) => (location.hash = `#/run/${id}`), runId);
  await expect(page.getByRole('list', { name: 'Artifacts' })).toBeVisible();
}

test('R5: images from the browser\'s own encoders preview; a 20000 × 20000 PNG is refused from its header, never decoded', async ({ page }) => {
  await openLab(page);
  const runId = await page.evaluate(seedPreviewRunInPage, {
    runName: 'images',
    images: [{ type: 'image/png', name: 'a.png' }, { type: 'image/jpeg', name: 'b.jpg' }, { type: 'image/webp', name: 'c.webp' }],
    bomb: pngBomb(),
  });
  await openRun(page, runId);
  const tree = page.getByRole('list', { name: 'Artifacts' });
  const preview = page.getByRole('region', { name: /Preview of/ });
  await tree.getByRole('button', { name: 'plots' }).click();
  for (const name of ['a.png', 'b.jpg', 'c.webp']) {
    await tree.getByRole('button', { name: new RegExp(name.replace('.', '\\.')) }).click();
    const img = preview.getByRole('img', { name });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight])).toEqual([300, 200]);
  }
  await tree.getByRole('button', { name: /bomb\.png/ }).click();
  await expect(preview.getByRole('status')).toHaveText(PNG_BOMB_REFUSAL);
  await expect(preview.getByRole('img')).toHaveCount(0);
  await expect(preview.getByRole('button', { name: 'Download' })).toBeEnabled();
});

test('R5: a 200 MB text artifact previews its first 256 KiB with a notice, and downloads whole', async ({ page }) => {
  test.setTimeout(180_000);
  await openLab(page);
  const runId = await page.evaluate(seedPreviewRunInPage, { runName: 'big-log', log: BIG_LOG });
  await openRun(page, runId);
  const tree = page.getByRole('list', { name: 'Artifacts' });
  const preview = page.getByRole('region', { name: /Preview of/ });
  await tree.getByRole('button', { name: 'logs' }).click();
  await tree.getByRole('button', { name: /train\.log/ }).click();
  await expect(preview.getByText(BIG_LOG.notice)).toBeVisible();
  const text = await preview.locator('pre').textContent();
  expect(text!.length).toBe(BIG_LOG.previewChars);
  expect(text!.startsWith(BIG_LOG.line)).toBe(true);
  const download = page.waitForEvent('download');
  await preview.getByRole('button', { name: 'Download' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('train.log');
  const { size } = await import('node:fs').then((fs) => file.path().then((p) => fs.statSync(p)));
  expect(size).toBe(BIG_LOG.bytes);
});
