import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';

/**
 * Creates a finished run with params and a metric `key` whose value at step i is f(i), computed
 * here (the lab's CSP rightly refuses `new Function` in the page).
 */
async function makeRun(page: Page, name: string, params: Record<string, string | number>, key: string, n: number, f: (i: number) => number): Promise<string> {
  const values = Array.from({ length: n }, (_, i) => f(i));
  return page.evaluate(async ({ name, params, key, values }) => {
    const m = window.mfflow;
    await m.setExperiment('compare e2e');
    const run = await m.startRun({ runName: name });
    await m.logParams(params);
    values.forEach((v, i) => m.logMetric(key, v, i));
    await m.endRun();
    return run.runId;
  }, { name, params, key, values });
}

const chart = (page: Page, metric: string) => page.locator(`figure[data-metric="${metric}"]`);

test('two runs: both in the chart legend, the differing param highlighted, only-differences toggle', async ({ page }) => {
  await openLab(page);
  const a = await makeRun(page, 'alpha-low', { alpha: 0.1, l1_ratio: 0.5 }, 'loss', 300, (i) => 1 / (i + 1));
  const b = await makeRun(page, 'alpha-high', { alpha: 0.9, l1_ratio: 0.5 }, 'loss', 300, (i) => 2 / (i + 1));
  await page.goto(`./#/compare?runs=${a},${b}`);
  const loss = chart(page, 'loss');
  await expect(loss).toHaveAttribute('data-ready', 'true');
  const legend = loss.getByRole('list', { name: 'Runs in loss' });
  await expect(legend.getByRole('button', { name: /alpha-low/ })).toBeVisible();
  await expect(legend.getByRole('button', { name: /alpha-high/ })).toBeVisible();
  // Both runs' 300 points are drawn (few points: no downsampling).
  await expect(loss).toHaveAttribute('data-points', '600');

  const alphaRow = page.getByRole('row', { name: /param alpha/ });
  await expect(alphaRow).toHaveAttribute('data-differs', 'true');
  await expect(alphaRow.getByRole('cell')).toHaveText(['0.1', '0.9']);
  const l1Row = page.getByRole('row', { name: /param l1_ratio/ });
  await expect(l1Row).toHaveAttribute('data-differs', 'false');
  await page.getByRole('checkbox', { name: 'Only differences' }).check();
  await expect(l1Row).toHaveCount(0);
  await expect(alphaRow).toBeVisible();
  expect(page.url()).toContain('diff=1');

  await expect(page.getByRole('group', { name: /Parallel coordinates: 2 of 2 runs/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Scatter of loss against alpha over 2 runs/ })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Only differences' }).uncheck();
  // The page scrolls inside <main>, so a tall viewport shows the whole view.
  await page.setViewportSize({ width: 1280, height: 1500 });
  await expect(legend.getByRole('button', { name: /alpha-low.*0\.003333/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/compare-view.png' });
});

test('a 1,000,000-point metric with one spike draws downsampled with the spike inside the y range', async ({ page }) => {
  await openLab(page);
  const id = await page.evaluate(async () => {
    const m = window.mfflow;
    const run = await m.startRun({ runName: 'million' });
    for (let i = 0; i < 1_000_000; i++) m.logMetric('noise', i === 777_777 ? 1000 : Math.sin(i / 500), i);
    await m.endRun();
    return run.runId;
  });
  await page.goto(`./#/compare?runs=${id}`);
  const c = chart(page, 'noise');
  await expect(c).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  const yMax = Number(await c.getAttribute('data-y-max'));
  const points = Number(await c.getAttribute('data-points'));
  expect(yMax).toBeGreaterThanOrEqual(1000);
  expect(points).toBeGreaterThan(100);
  expect(points).toBeLessThan(8_000);
  await c.screenshot({ path: 'test-results/compare-million.png' });
});

test('a running run’s chart grows while points are logged, without a reload', async ({ page }) => {
  await openLab(page);
  const id = await page.evaluate(async () => {
    const m = window.mfflow;
    const run = await m.startRun({ runName: 'live' });
    for (let i = 0; i < 20; i++) m.logMetric('acc', i / 100, i);
    await m.flush();
    return run.runId;
  });
  await page.goto(`./#/compare?runs=${id}`);
  const c = chart(page, 'acc');
  await expect(c).toHaveAttribute('data-x-max', '19');
  await page.evaluate(async () => {
    for (let i = 20; i < 120; i++) {
      window.mfflow.logMetric('acc', i / 100, i);
      if (i % 25 === 0) await window.mfflow.flush();
    }
    await window.mfflow.flush();
  });
  await expect(c).toHaveAttribute('data-x-max', '119');
  await expect(c).toHaveAttribute('data-points', '120');
  await page.evaluate(() => window.mfflow.endRun());
});

test('chart controls work from the keyboard and live in the URL', async ({ page }) => {
  await openLab(page);
  const id = await makeRun(page, 'kbd', { alpha: 1 }, 'loss', 500, (i) => (i % 50 === 0 ? 0 : 1 + 1 / (i + 1)));
  await page.goto(`./#/compare?runs=${id}`);
  const c = chart(page, 'loss');
  await expect(c).toHaveAttribute('data-ready', 'true');

  const slider = page.getByRole('slider', { name: 'Smoothing' });
  await slider.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => page.url()).toContain('smooth=0.06');
  // Smoothing on: raw (faint) and smoothed lines are both drawn.
  await expect(c).toHaveAttribute('data-points', '1000');

  await page.getByRole('checkbox', { name: 'Log scale' }).focus();
  await page.keyboard.press('Space');
  await expect.poll(() => page.url()).toContain('log=1');
  await expect(c.getByText(/values ≤ 0 not shown on the log scale/)).toBeVisible();

  await page.getByRole('combobox', { name: 'X axis' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => page.url()).toContain('x=wall');

  // Drag-zoom with the mouse, reset from the keyboard.
  await page.getByRole('combobox', { name: 'X axis' }).selectOption('step');
  await expect(c).toHaveAttribute('data-x-max', '499');
  const box = (await c.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => Number(await c.getAttribute('data-x-max'))).toBeLessThan(300);
  const reset = c.getByRole('button', { name: 'Reset zoom' });
  await reset.focus();
  await page.keyboard.press('Enter');
  await expect(c).toHaveAttribute('data-x-max', '499');
});
