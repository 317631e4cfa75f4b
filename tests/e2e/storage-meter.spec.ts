import { expect, test, type Page } from '@playwright/test';
import { SIZES, go, openLab, openMenu, expectNoOverflow, expectAccessible } from './helpers';

// Issue 12's storage meter, where a person looks for it: under the experiments list on every
// page (behind the Menu button on a phone), following what the lab stores, with the details on
// the Class page; persistent storage is asked for once, after the first saved run.

/** A finished run holding `bytes` of incompressible artifact. */
async function logRunWithArtifact(page: Page, name: string, bytes: number): Promise<void> {
  await page.evaluate(async ({ name, bytes }) => {
    const m = window.mfflow;
    await m.startRun({ runName: name });
    const data = new Uint8Array(bytes);
    for (let o = 0; o < bytes; o += 65_536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65_536)));
    await m.logArtifact('blob.bin', data);
    m.logMetric('rmse', 0.5);
    await m.endRun();
  }, { name, bytes });
}

for (const size of SIZES) {
  test(`the storage meter is on every page and follows what the lab saves (${size.width} px)`, async ({ page }) => {
    // Counts the lab's calls to navigator.storage.persist (the browser's answer is passed on).
    await page.addInitScript(() => {
      const w = window as unknown as { persistCalls: number };
      w.persistCalls = 0;
      const original = navigator.storage.persist.bind(navigator.storage);
      navigator.storage.persist = () => { w.persistCalls++; return original(); };
    });
    await page.setViewportSize(size);
    await openLab(page);
    const persistCalls = () => page.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls);
    await openMenu(page);
    const meter = page.getByRole('region', { name: 'Storage' });
    await expect(meter.getByRole('meter', { name: / used$/ })).toBeVisible();
    const usage = meter.getByTestId('storage-usage');
    const bytes = async () => Number(await usage.getAttribute('data-bytes'));
    const before = await bytes();
    expect(await persistCalls()).toBe(0);

    await logRunWithArtifact(page, 'first', 2_000_000);
    // 2 MB more in use, said in the meter's words, without a reload or a click.
    await expect.poll(bytes, { timeout: 15_000 }).toBeGreaterThan(before + 1_500_000);
    await expect(usage).toHaveText(/^\d+(\.\d)? MiB of [\d.]+ (MiB|GiB) used$/);
    await expect(meter).toContainText(/Persistent|Not persistent/);
    // Asked once, after the first saved run, not again for the next.
    await expect.poll(persistCalls).toBe(1);
    await logRunWithArtifact(page, 'second', 1_000_000);
    await expect.poll(bytes, { timeout: 15_000 }).toBeGreaterThan(before + 2_500_000);
    expect(await persistCalls()).toBe(1);
    await expectNoOverflow(page);
    await expectAccessible(page, `storage meter ${size.width}`);
    await page.screenshot({ path: `test-results/storage-meter/footer-${size.width}.png` });

    // The details: the Class page's Storage part, scrolled to and focused.
    await meter.getByRole('link', { name: 'Storage details' }).click();
    await expect(page).toHaveURL(/#\/class\?show=storage/);
    await expect(page.getByRole('heading', { name: 'Storage', level: 3 })).toBeFocused();
    await expect(page.getByText(/^Used: .* of .*\(/)).toBeVisible();

    // On another page too (the Compare page here).
    await go(page, 'Compare');
    await expect(page).toHaveURL(/#\/compare/);
    await openMenu(page);
    await expect(page.getByRole('region', { name: 'Storage' }).getByRole('meter')).toBeVisible();
  });
}
