import { expect, test, type Page } from '@playwright/test';
import { openLab, expectNoOverflow, expectAccessible, shot, SIZES } from './helpers';

// Issue 12: metric columns showing last/min/max/mean (mlflow/mlflow#7790), sorted and filtered
// on what they show and kept with the view; and the runs list as cards under 600 px. The runs
// are logged through window.mfflow (setup); every checked step is clicks and typing.

// loss histories: last / min / max / mean
const RUNS: [string, number[]][] = [
  ['falls', [8, 4, 1]], //  1 / 1   / 8  / 4.333
  ['flat', [3, 3, 3]], //   3 / 3   / 3  / 3
  ['spike', [2, 12, 2]], // 2 / 2   / 12 / 5.333
  ['noisy', [6, 0.5, 5]], // 5 / 0.5 / 6 / 3.833
];

/** Logs the runs and opens their table through its link. */
async function seed(page: Page): Promise<void> {
  const exp = await page.evaluate(async (runs) => {
    const m = window.mfflow;
    const id = (await m.setExperiment('stats')).experimentId;
    for (const [name, loss] of runs) {
      await m.startRun({ runName: name });
      await m.logParams({ seed: String(name.length), width: name === 'flat' ? '8' : '16' });
      loss.forEach((v, step) => m.logMetric('loss', v, step));
      await m.endRun();
    }
    return id;
  }, RUNS);
  await page.goto(`./#/runs?exp=${exp}`);
}

const names = (page: Page) => page.locator('[role=grid] tbody tr[data-run-id]').evaluateAll((trs) =>
  trs.map((tr) => tr.querySelector('td.c-name a, td a')?.textContent?.trim()));

for (const size of SIZES) {
  test(`metric columns show the mean, sort and filter on it, and keep it on reload at ${size.width}px`, async ({ page }) => {
    await page.setViewportSize(size);
    await openLab(page);
    await seed(page);
    const grid = page.getByRole('grid', { name: /^Runs of stats/ });
    await expect(grid.locator('tbody tr[data-run-id]')).toHaveCount(4);

    await page.getByRole('button', { name: /^Columns/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Columns' });
    await dialog.getByRole('combobox', { name: 'Metric columns show' }).selectOption({ label: 'mean' });
    await page.keyboard.press('Escape');
    const mean = grid.getByRole('columnheader', { name: 'M loss (mean)' });
    await expect(mean).toBeVisible();
    await expect(grid.getByRole('columnheader', { name: 'M loss', exact: true })).toHaveCount(0);

    // Smallest mean first: flat 3, noisy 3.833, falls 4.333, spike 5.333.
    await mean.getByRole('button').click();
    await expect(mean).toHaveAttribute('aria-sort', 'ascending');
    await expect.poll(() => names(page)).toEqual(['flat', 'noisy', 'falls', 'spike']);
    await expect(grid.locator('tbody tr[data-run-id]').nth(1)).toContainText('3.833');
    await expect(grid.locator('tbody tr[data-run-id]').nth(3)).toContainText('5.333');

    // The min too, from the same menu, per column: a different order.
    await page.getByRole('button', { name: /^Columns/ }).click();
    await dialog.getByRole('checkbox', { name: 'loss (min)' }).check();
    await page.keyboard.press('Escape');
    const min = grid.getByRole('columnheader', { name: 'M loss (min)' });
    await min.getByRole('button').click();
    await expect.poll(() => names(page)).toEqual(['noisy', 'falls', 'spike', 'flat']);

    // Filtering on the mean (a statistic MLflow's grammar lacks: mean(metrics.loss)).
    const filter = page.getByRole('combobox', { name: 'Filter runs' });
    await filter.fill('mean(metrics.loss) < 4');
    await filter.press('Enter');
    await expect.poll(() => names(page)).toEqual(['noisy', 'flat']);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('2 of 4 runs');

    // Stored with the view: a reload (or the link) shows the same columns, order and filter.
    await page.reload();
    await expect(grid.getByRole('columnheader', { name: 'M loss (mean)' })).toBeVisible();
    await expect.poll(() => names(page)).toEqual(['noisy', 'flat']);
    await expectNoOverflow(page);
    await expectAccessible(page, 'runs with stat columns');
    await shot(page, 'journeys/stats-columns');
  });
}

test('under 600 px the runs are cards: name, status and key values; select by touch and keyboard; nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openLab(page);
  await seed(page);
  const grid = page.getByRole('grid', { name: /^Runs of stats/ });
  const cards = grid.locator('tbody tr[data-run-id]');
  await expect(cards).toHaveCount(4);
  const card = cards.filter({ hasText: 'spike' });
  // A card is one column wide, within the viewport, and shows the key values with their names.
  const box = (await card.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.height).toBeGreaterThan(60);
  await expect(card.locator('td.c-value').filter({ hasText: 'loss' })).toContainText('2');
  await expect(card.locator('td.c-value').filter({ hasText: 'width' })).toContainText('16');
  await expect(card.getByRole('link', { name: 'spike' })).toBeVisible();
  await expect(card.locator('td.c-status')).toBeVisible();
  await expectNoOverflow(page);
  expect(await grid.evaluate((el) => el.parentElement!.scrollWidth <= el.parentElement!.clientWidth)).toBe(true);

  // Touch: tap two cards' boxes; Compare opens with both.
  await card.getByRole('checkbox', { name: 'Select spike' }).tap().catch(async () => card.getByRole('checkbox', { name: 'Select spike' }).click());
  await cards.filter({ hasText: 'flat' }).getByRole('checkbox', { name: 'Select flat' }).click();
  await expect(page.getByRole('toolbar', { name: 'Selected runs' })).toContainText('2 selected');
  // Keyboard: focus the list, move with arrows, Space selects.
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await grid.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(page.getByRole('toolbar', { name: 'Selected runs' })).toContainText('2 selected');
  await expect(cards.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(cards.nth(1)).toHaveAttribute('aria-selected', 'true');
  // Sorting from the header chips works by keyboard too.
  const loss = grid.getByRole('columnheader', { name: 'M loss', exact: true });
  await loss.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(loss).toHaveAttribute('aria-sort', 'ascending');
  await expect.poll(() => names(page)).toEqual(['falls', 'spike', 'flat', 'noisy']);
  await expectAccessible(page, 'runs cards');
  await page.screenshot({ path: 'test-results/journeys/runs-cards-390.png' });
});
