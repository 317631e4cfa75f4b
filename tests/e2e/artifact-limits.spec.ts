/**
 * R5 (reliability matrix): artifact previews check an image's size in its header before decoding
 * and refuse past a pixel budget; a 200 MB text artifact shows only its head.
 */
import { expect, test, type Page } from '@playwright/test';
import { deflateSync } from 'fflate';
import { openLab } from './helpers';

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A 20000 × 20000 RGBA PNG header with a little deflated data: decoding it would take 1.6 GB. */
function pngBomb(): number[] {
  const enc = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const idat = [...enc('IDAT'), ...deflateSync(new Uint8Array(1 << 16))];
  return [0x89, ...enc('PNG\r\n\x1a\n'), ...be32(13), ...enc('IHDR'), ...be32(20000), ...be32(20000), 8, 6, 0, 0, 0, 0, 0, 0, 0,
    ...be32(idat.length - 4), ...idat, 0, 0, 0, 0];
}

async function openRun(page: Page, runId: string) {
  await page.evaluate((id) => (location.hash = `#/run/${id}`), runId);
  await expect(page.getByRole('list', { name: 'Artifacts' })).toBeVisible();
}

test('R5: images from the browser\'s own encoders preview; a 20000 × 20000 PNG is refused from its header, never decoded', async ({ page }) => {
  await openLab(page);
  const runId = await page.evaluate(async (bomb) => {
    const m = window.mfflow;
    await m.setExperiment('previews');
    const run = await m.startRun({ runName: 'images' });
    const canvas = document.createElement('canvas');
    canvas.width = 300;
    canvas.height = 200;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#4477aa';
    g.fillRect(0, 0, 300, 200);
    for (const [type, name] of [['image/png', 'a.png'], ['image/jpeg', 'b.jpg'], ['image/webp', 'c.webp']]) {
      const blob = await new Promise<Blob>((res) => canvas.toBlob((b) => res(b!), type));
      await m.logArtifact(`plots/${name}`, new Uint8Array(await blob.arrayBuffer()));
    }
    await m.logArtifact('plots/bomb.png', new Uint8Array(bomb));
    await m.endRun();
    return run.runId;
  }, pngBomb());
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
  await expect(preview.getByRole('status')).toHaveText(
    'Not previewed: The image is 20,000 × 20,000 pixels (400 megapixels), over the 50 megapixels preview limit; download it instead.');
  await expect(preview.getByRole('img')).toHaveCount(0);
  await expect(preview.getByRole('button', { name: 'Download' })).toBeEnabled();
});

test('R5: a 200 MB text artifact previews its first 256 KiB with a notice, and downloads whole', async ({ page }) => {
  test.setTimeout(180_000);
  await openLab(page);
  const runId = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('previews');
    const run = await m.startRun({ runName: 'big-log' });
    const line = new TextEncoder().encode('epoch 1 loss 0.123456 val_loss 0.234567 ok\n'); // 44 bytes
    const bytes = new Uint8Array(200 * 1000 * 1000);
    for (let o = 0; o < bytes.length; o += line.length) bytes.set(line.subarray(0, Math.min(line.length, bytes.length - o)), o);
    await m.logArtifact('logs/train.log', bytes);
    await m.endRun();
    return run.runId;
  });
  await openRun(page, runId);
  const tree = page.getByRole('list', { name: 'Artifacts' });
  const preview = page.getByRole('region', { name: /Preview of/ });
  await tree.getByRole('button', { name: 'logs' }).click();
  await tree.getByRole('button', { name: /train\.log/ }).click();
  await expect(preview.getByText('Showing the first 256.0 KiB of 190.7 MiB; download for the rest.')).toBeVisible();
  const text = await preview.locator('pre').textContent();
  expect(text!.length).toBe(256 * 1024);
  expect(text!.startsWith('epoch 1 loss 0.123456')).toBe(true);
  const download = page.waitForEvent('download');
  await preview.getByRole('button', { name: 'Download' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('train.log');
  const { size } = await import('node:fs').then((fs) => file.path().then((p) => fs.statSync(p)));
  expect(size).toBe(200 * 1000 * 1000);
});
