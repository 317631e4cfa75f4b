import { expect, test } from '@playwright/test';
import { openLab } from './helpers';
import { seedRunsInPage, type SeedRuns } from '../fixtures/lab-in-page';

// The windowed runs table keeps the row elements of runs that stay in view while it scrolls
// (RunsList keys rows by slot): only the rows that leave the window are moved and rewritten.

test('scrolling by a few rows keeps the row elements, and their text, of the runs still in view', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page);
  await page.evaluate(seedRunsInPage, { count: 2000, experimentId: '0', rmse: 'scatter', alpha: 'seven' } satisfies SeedRuns);
  await page.evaluate(() => (location.hash = '#/runs?exp=0'));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('2000 runs', { timeout: 30_000 });
  const rows = page.locator('tbody tr[data-run-id]');
  await expect(rows.first()).toBeVisible();

  const scroller = page.getByRole('grid').locator('xpath=..');
  await scroller.evaluate((el) => { el.scrollTop = 3000; });
  await expect(page.locator('tbody tr[data-run-id="' + (100).toString(16).padStart(8, '0') + '0'.repeat(24) + '"]')).toBeAttached();
  // Tag each row element with the run it shows and its text.
  const before = await page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const tr of document.querySelectorAll<HTMLTableRowElement>('tbody tr[data-run-id]')) {
      (tr as unknown as { shown: string }).shown = tr.dataset.runId!;
      out[tr.dataset.runId!] = tr.textContent ?? '';
    }
    return out;
  });
  await scroller.evaluate((el) => { el.scrollTop += 300; }); // 10 rows of 30 px
  await expect(page.locator('tbody tr[data-run-id="' + (110).toString(16).padStart(8, '0') + '0'.repeat(24) + '"]')).toBeAttached();
  await page.waitForTimeout(200);
  const after = await page.evaluate(() => [...document.querySelectorAll<HTMLTableRowElement>('tbody tr[data-run-id]')].map((tr) => ({
    id: tr.dataset.runId!, shown: (tr as unknown as { shown?: string }).shown, text: tr.textContent ?? '',
  })));
  const stayed = after.filter((r) => r.id in before);
  expect(stayed.length).toBeGreaterThan(10);
  // Every run still in view is shown by the element that showed it before, with the same text.
  for (const r of stayed) {
    expect(r.shown, r.id).toBe(r.id);
    expect(r.text).toBe(before[r.id]);
  }
  // The rows are in display order (the default sort: newest first, so run ids ascend).
  const ids = after.map((r) => r.id);
  expect(ids).toEqual([...ids].sort());
  // Keyboard selection still follows the rows: Home, then Down twice selects the third run.
  await page.getByRole('grid').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press(' ');
  await expect(page.getByText('1 selected')).toBeVisible();
  await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'true');
  await expect(rows.nth(2)).toHaveAttribute('data-run-id', (2).toString(16).padStart(8, '0') + '0'.repeat(24));
});
