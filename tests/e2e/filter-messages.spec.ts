import { expect, test, type Page } from '@playwright/test';
import { openLab, expectAccessible, shot, SIZES } from './helpers';

// Issue 12 item 6 (filter part), typed as a person types: a message only after a pause in
// typing, one wording for where ("At character N"), and a metric no run has named as such with
// the close one suggested; the suggested fix applies and shows the run.

/** Records, in the page, when the last keystroke landed and when the filter's message appeared. */
async function watchMessage(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __typed: number; __shown: number };
    w.__typed = 0;
    w.__shown = 0;
    const box = document.querySelector('input[aria-label="Filter runs"]')!;
    box.addEventListener('input', () => { w.__typed = performance.now(); w.__shown = 0; });
    const status = document.getElementById('filter-error')!;
    new MutationObserver(() => { if (status.textContent!.trim() && !w.__shown) w.__shown = performance.now(); })
      .observe(status, { childList: true, subtree: true, characterData: true });
  });
}

const pause = (page: Page) => page.evaluate(() => {
  const w = window as unknown as { __typed: number; __shown: number };
  return w.__shown - w.__typed;
});

for (const size of SIZES) {
  test(`filter messages at ${size.width}px: after a pause, "At character N", an unknown metric named with a suggestion`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(size);
    await openLab(page);
    await page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('link', { name: /Train the wine example/ }).click();
    await expect(page.getByRole('article', { name: /^Training job / }).first().getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
    await page.goto('./#/runs');
    const rows = page.getByRole('grid', { name: /^Runs of / }).locator('tbody tr[data-run-id]');
    await expect(rows).toHaveCount(1);

    const box = page.getByRole('combobox', { name: 'Filter runs' });
    const status = page.locator('#filter-error');
    await watchMessage(page);
    await box.click();
    await box.pressSequentially('metrics.rsme < 0.8', { delay: 40 });
    await expect(status).toHaveText(/At character 1: no run has metric `rsme`; did you mean `rmse`\?/);
    // Shown after the typing paused, not at a keystroke.
    expect(await pause(page)).toBeGreaterThanOrEqual(450);
    await expect(status.locator('mark')).toHaveText('metrics.rsme');
    // Valid MLflow all the same: it applies, and matches nothing.
    await expect(page.getByRole('button', { name: 'Search' })).toBeEnabled();
    await box.press('Enter');
    await expect(page.getByText('No run matches the filter.')).toBeVisible();
    await shot(page, 'filter-messages/unknown');
    await expectAccessible(page, 'runs, unknown metric');

    // The suggested fix shows the run.
    await box.fill('');
    await box.pressSequentially('metrics.rmse < 0.8', { delay: 20 });
    await box.press('Enter');
    await expect(rows).toHaveCount(1);
    await expect(status).toHaveText('');

    // A syntax error: the same wording of where, and Search waits for a fix.
    await box.fill('');
    await box.pressSequentially('metrics.rmse 0.8', { delay: 40 });
    await expect(status).toHaveText(/^At character 14: Expected a comparison operator after `metrics\.rmse`, found `0\.8`/);
    expect(await pause(page)).toBeGreaterThanOrEqual(450);
    await expect(box).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('button', { name: 'Search' })).toBeDisabled();
    await expect(status).not.toContainText('position');
    await expect.poll(() => page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(size.width);
    await shot(page, 'filter-messages/syntax');
    await expectAccessible(page, 'runs, syntax error');
  });
}
