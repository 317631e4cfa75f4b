import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { openLab, expectNoOverflow, expectAccessible, shot, SIZES } from './helpers';

// Issue 12 item 3, walked as a person: train the wine example and an MLP from the form, open
// each run, and check what the page shows first (register, export, the metrics table, the
// charts of histories only, loss with val_loss), the training plots and coefficients logged at
// training time (and in the exported bundle), and the system tags folded and read-only.
// At a laptop's and a phone's size; clicks and typing only.

async function top(page: Page, locator: ReturnType<Page['locator']>): Promise<number> {
  await expect(locator).toBeAttached();
  await expect.poll(async () => (await locator.boundingBox()) !== null).toBe(true);
  return (await locator.boundingBox())!.y;
}

for (const size of SIZES) {
  test(`run page at ${size.width}px: metrics first, training plots and coefficients, loss with val_loss, system tags folded`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(size);
    await openLab(page);
    await page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('link', { name: /Train the wine example/ }).click();
    const job = page.getByRole('article', { name: /^Training job / }).first();
    await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
    await job.getByRole('link', { name: /^Open run / }).click();
    await expect(page).toHaveTitle('Run · MFFlow');

    // Register and export at the top, then the metrics table, before the overview.
    const register = page.getByRole('form', { name: 'Register model' });
    const exportRun = page.getByRole('button', { name: 'Export 1 run' });
    const metrics = page.getByRole('table', { name: 'Metrics', exact: true });
    await expect(metrics).toBeVisible();
    expect(await top(page, exportRun)).toBeLessThan(await top(page, metrics));
    expect(await top(page, register)).toBeLessThan(await top(page, metrics));
    expect(await top(page, metrics)).toBeLessThan(await top(page, page.getByRole('heading', { name: 'Overview' })));
    await expect(metrics.getByRole('row', { name: /^rmse / })).toContainText('0.7932');
    // Single values are in the table only: a chart only for a metric with more than one point.
    await expect(page.getByRole('figure', { name: 'rmse chart' })).toHaveCount(0);
    const counts = await metrics.locator('tbody tr td:last-child').allTextContents();
    expect(counts.length).toBeGreaterThanOrEqual(7);
    await expect(page.getByRole('figure', { name: / chart$/ })).toHaveCount(counts.filter((c) => Number(c) > 1).length);

    // The plots logged at training time, drawn (decoded), with the test set's points.
    const plots = page.getByRole('region', { name: 'Training plots' });
    for (const name of ['Predicted vs actual plot of the test set', 'Residuals plot of the test set']) {
      const img = plots.getByRole('img', { name });
      await img.scrollIntoViewIfNeeded();
      await expect(img).toBeVisible();
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
      expect((await img.boundingBox())!.width).toBeLessThanOrEqual(size.width);
    }
    // Coefficients: every feature and the intercept, largest effect first; alcohol raises quality.
    const coef = plots.getByRole('table', { name: 'Coefficients' });
    await expect(coef.locator('tbody tr')).toHaveCount(12);
    const values = await coef.locator('tbody tr:not(.icpt) td').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('title'))));
    expect(values).toHaveLength(11);
    expect(values.map(Math.abs)).toEqual([...values.map(Math.abs)].sort((a, b) => b - a));
    expect(values[0]).not.toBe(0);
    const alcohol = Number(await coef.getByRole('row', { name: /^alcohol / }).locator('td').getAttribute('title'));
    expect(alcohol).toBeGreaterThan(0);

    // Tags: the lab's and MLflow's are folded and read-only; user tags are editable.
    const system = page.getByRole('table', { name: 'System tags' });
    await expect(system).toBeHidden();
    await page.getByText(/^System tags \(\d+\)$/).click();
    await expect(system.getByRole('row', { name: /^mfflow\.model\.kind / })).toContainText('elasticnet');
    await expect(system.getByRole('row', { name: /^mlflow\.runName / })).toBeVisible();
    await expect(page.getByRole('button', { name: /^Edit tag m[lf]flow\./ })).toHaveCount(0);
    const userTags = page.getByRole('table', { name: 'Tags', exact: true });
    await expect(userTags).not.toContainText('mfflow.');
    const addTag = page.getByRole('form', { name: 'Add a tag' });
    await addTag.getByLabel('New tag key').fill('reviewed');
    await addTag.getByLabel('New tag value').fill('yes');
    await addTag.getByRole('button', { name: 'Add tag' }).click();
    await expect(page.getByRole('button', { name: 'Edit tag reviewed' })).toBeVisible();
    await expectNoOverflow(page);
    await expectAccessible(page, 'run (elastic net)');
    await shot(page, 'run-page/enet', { fullPage: true });

    // The plots and coefficients travel with the run in its bundle.
    const runId = new URL(page.url()).hash.split('/').pop()!;
    const [bundle] = await Promise.all([page.waitForEvent('download'), exportRun.click()]);
    const names = Object.keys(unzipSync(new Uint8Array(readFileSync(await bundle.path()))));
    for (const file of ['plots/predicted_vs_actual.svg', 'plots/residuals.svg', 'coefficients.json']) {
      expect(names.filter((n) => n.includes(runId) && n.endsWith(`/${file}`))).toHaveLength(1);
    }

    // An MLP with a validation split: loss and val_loss on one chart, plots, no coefficients.
    await page.goto('./#/new');
    const form = page.getByRole('form', { name: 'New run' });
    await form.getByLabel('Model').selectOption({ label: 'Neural network, MLP (TF.js)' });
    await form.getByLabel('Run name').fill('small-mlp');
    await form.getByLabel('epochs', { exact: true }).fill('4');
    await form.getByRole('button', { name: 'Train' }).click();
    const mlp = page.getByRole('article', { name: 'Training job small-mlp' });
    await expect(mlp.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 90_000 });
    await mlp.getByRole('link', { name: 'Open run small-mlp' }).click();
    const pair = page.getByRole('figure', { name: 'loss / val_loss chart' });
    await expect(pair).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
    await expect(pair).toHaveAttribute('data-points', '8'); // 4 epochs × 2 lines
    await expect(pair.getByRole('list', { name: 'Lines in loss / val_loss' }).getByRole('button')).toHaveText([/^\s*loss [\d.]+$/, /^\s*val_loss [\d.]+$/]);
    await expect(page.getByRole('figure', { name: 'val_loss chart', exact: true })).toHaveCount(0);
    // The training mae with its validation curve (the bare mae is the test score, in the table), after the loss.
    const charts = page.getByRole('figure', { name: / chart$/ });
    await expect(charts.first()).toHaveAccessibleName('loss / val_loss chart');
    await expect(charts.nth(1)).toHaveAccessibleName('train_mae / val_mae chart');
    await expect(page.getByRole('figure', { name: 'val_mae chart', exact: true })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Training plots' }).getByRole('img')).toHaveCount(2);
    await expect(page.getByRole('table', { name: 'Coefficients' })).toHaveCount(0);
    await expectNoOverflow(page);
    await expectAccessible(page, 'run (MLP)');
    await shot(page, 'run-page/mlp', { fullPage: true });
  });
}
