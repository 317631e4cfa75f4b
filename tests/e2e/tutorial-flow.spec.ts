import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';
import { routeWine } from './wine-route';

// MLflow's sklearn_elasticnet_wine tutorial, end to end through the UI: load red wine, train three
// elastic nets from the New run form, filter the runs table as the tutorial's search does, pick
// two runs with the keyboard and compare them. Screenshots go to test-results/ for review.

async function trainFromForm(page: Page, runName: string, alpha: string, l1: string): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New run' }).click();
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('Run name').fill(runName);
  await form.getByLabel('alpha', { exact: true }).fill(alpha);
  await form.getByLabel('l1_ratio', { exact: true }).fill(l1);
  await form.getByRole('button', { name: 'Train' }).click();
  const job = page.getByRole('article', { name: `Training job ${runName}` });
  await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
  return (await job.getAttribute('data-run-id'))!;
}

test('tutorial: wine, three elastic nets, filter, keyboard selection, compare', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  await routeWine(page);
  await openLab(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
  await page.getByRole('group', { name: 'Built-in examples' }).getByRole('button', { name: 'Wine quality (red)' }).click();
  await expect(page.getByRole('status')).toContainText('Loaded Wine quality (red): 1,599 rows', { timeout: 30_000 });

  const specs = [['en-a05-l05', '0.5', '0.5'], ['en-a05-l01', '0.5', '0.1'], ['en-a1-l05', '1', '0.5']] as const;
  const ids: string[] = [];
  for (const [name, alpha, l1] of specs) ids.push(await trainFromForm(page, name, alpha, l1));

  // Which runs the filter must keep, from the stored runs themselves.
  const stored = await page.evaluate((list) => Promise.all(list.map((id) => window.mfflow.getRun(id))), ids);
  const expected = stored.filter((r) => r.metrics.rmse.latest < 0.8 && r.params.alpha === '0.5').map((r) => r.info.runName).sort();
  // The tutorial's numbers: alpha = l1_ratio = 0.5 gives rmse 0.793, under 0.8; alpha 1 gives more.
  expect(expected).toContain('en-a05-l05');
  expect(expected).not.toContain('en-a1-l05');
  expect(expected.length).toBe(2);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  const grid = page.getByRole('grid', { name: /^Runs of / });
  await expect(grid.locator('tbody tr[data-run-id]')).toHaveCount(3);
  // Typed, with the key completed from the suggestions (the runs' keys) on the way.
  const filter = page.getByRole('combobox', { name: 'Filter runs' });
  await filter.click();
  await filter.pressSequentially('metrics.rm');
  const suggestions = page.getByRole('listbox', { name: 'Filter keys' });
  await expect(suggestions.getByRole('option')).toHaveText(['metrics.rmse']);
  await filter.press('ArrowDown');
  await filter.press('Tab');
  await expect(filter).toHaveValue('metrics.rmse');
  await filter.pressSequentially(" < 0.8 and params.alpha = '0.5'");
  await expect(suggestions).toBeHidden();
  await filter.press('Enter');
  await expect(page).toHaveURL(/filter=/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('2 of 3 runs');
  const rows = grid.locator('tbody tr[data-run-id]');
  await expect(rows).toHaveCount(2);
  const shownNames = (await rows.locator('a').allTextContents()).sort();
  expect(shownNames).toEqual(expected);

  // Keyboard only: focus the grid, select the first row, move down, select the second.
  await grid.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press(' ');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press(' ');
  await expect(page.getByRole('toolbar', { name: 'Selected runs' })).toContainText('2 selected');
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: 'test-results/tutorial-runs-table.png' });

  // A run page on the way (its metrics table, with sparklines), then back to the table.
  await rows.nth(0).locator('a').click();
  await expect(page.getByRole('table', { name: 'Metrics' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Metrics' }).getByRole('row', { name: /^rmse/ })).toBeVisible();
  const history = page.getByRole('table', { name: 'Metrics' }).getByRole('img', { name: 'rmse history', exact: true });
  await expect(history).toHaveAttribute('data-points', '1');
  await history.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/tutorial-run-page.png' });
  await page.goBack();
  await expect(page.getByRole('toolbar', { name: 'Selected runs' })).toContainText('2 selected');

  await page.getByRole('toolbar', { name: 'Selected runs' }).getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Compare · 2 runs');
  // One point per run (a final score): a bar per run with its value, not dots at step 0.
  const rmse = page.getByRole('img', { name: /^Bar chart of rmse over 2 runs: / });
  await expect(rmse).toBeVisible();
  const bars = (await rmse.getAttribute('aria-label'))!;
  for (const name of expected) expect(bars).toMatch(new RegExp(`${name} 0\\.\\d+`));
  await expect(page.locator('figure[data-metric="rmse"]')).toHaveCount(0);

  const header = page.getByRole('table').filter({ has: page.getByRole('row', { name: /param alpha/ }) });
  for (const name of expected) await expect(header.getByRole('columnheader', { name })).toBeVisible();
  const l1Row = page.getByRole('row', { name: /param l1_ratio/ });
  await expect(l1Row).toHaveAttribute('data-differs', 'true');
  await expect(page.getByRole('row', { name: /param alpha/ })).toHaveAttribute('data-differs', 'false');
  const l1Values = (await l1Row.getByRole('cell').allTextContents()).sort();
  expect(l1Values).toEqual(['0.1', '0.5']);
  await expect(page.getByRole('row', { name: /metric rmse/ })).toHaveAttribute('data-differs', 'true');
  await page.screenshot({ path: 'test-results/tutorial-compare.png', fullPage: true });
});

test('runs table: shift-click selects the range from the last checkbox, Shift+Space from the keyboard', async ({ page }) => {
  await openLab(page);
  await page.evaluate(async () => {
    const m = window.mfflow;
    for (let i = 0; i < 8; i++) {
      await m.startRun({ runName: `r${i}` });
      await m.logMetric('loss', i, 0);
      await m.endRun();
    }
  });
  await page.goto('./#/runs?sort=a%3Aname&dir=asc');
  const grid = page.getByRole('grid', { name: /^Runs of / });
  const rows = grid.locator('tbody tr[data-run-id]');
  await expect(rows).toHaveCount(8);
  await rows.nth(1).getByRole('checkbox').click();
  await rows.nth(4).getByRole('checkbox').click({ modifiers: ['Shift'] });
  const toolbar = page.getByRole('toolbar', { name: 'Selected runs' });
  await expect(toolbar).toContainText('4 selected');
  const selected = async () => (await rows.evaluateAll((trs) => trs.filter((t) => t.getAttribute('aria-selected') === 'true')
    .map((t) => t.querySelector('a')!.textContent))).join(' ');
  expect(await selected()).toBe('r1 r2 r3 r4');
  // Every box in the range shows checked, the shift-clicked one included.
  for (const i of [1, 2, 3, 4]) await expect(rows.nth(i).getByRole('checkbox')).toBeChecked();
  await expect(rows.nth(5).getByRole('checkbox')).not.toBeChecked();

  // Keyboard: the anchor is the last row toggled (r4); Shift+Space on r6 adds r5 and r6.
  await grid.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+Space');
  await expect(toolbar).toContainText('6 selected');
  expect(await selected()).toBe('r1 r2 r3 r4 r5 r6');
});
