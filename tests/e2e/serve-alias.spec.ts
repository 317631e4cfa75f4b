import { expect, test, type Page } from '@playwright/test';
import { openLab, go, expectNoOverflow, expectAccessible, shot, SIZES } from './helpers';
import { wineText } from '../data/wine';

// Issue 12 item 4, walked as a person: two wine models registered as versions 1 and 2 from their
// run pages; the versions table names each version's run and signature; "Serve @champion" from
// the registry serves the alias, and when a colleague (another tab) moves @champion to version 2
// the Serve page follows it and predicts with version 2. A batch file is scored on screen and is
// not added to Datasets unless asked. Clicks and typing only, at a laptop's and a phone's size.

async function trainAndRegister(page: Page, runName: string, alpha: string, version: string): Promise<void> {
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('alpha', { exact: true }).fill(alpha);
  await form.getByLabel('Run name').fill(runName);
  await form.getByRole('button', { name: 'Train' }).click();
  const job = page.getByRole('article', { name: `Training job ${runName}` });
  await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
  await job.getByRole('link', { name: `Open run ${runName}` }).click();
  const register = page.getByRole('form', { name: 'Register model' });
  await register.getByPlaceholder('model name').fill('wine');
  await register.getByRole('button', { name: 'Register model' }).click();
  await expect(page.getByRole('list', { name: 'Registered versions of this run' })).toContainText(`wine version ${version}`);
}

async function predict(page: Page): Promise<number> {
  const form = page.getByRole('form', { name: 'Prediction form' });
  await expect(form.getByLabel('alcohol', { exact: true })).not.toHaveValue('');
  const out = page.getByLabel('Prediction', { exact: true });
  // A new model clears the last answer, so the one read here is this click's.
  await expect(out).toHaveCount(0);
  await form.getByRole('button', { name: 'Predict' }).click();
  await expect(out).toHaveText(/^\d/);
  return Number(await out.textContent());
}

for (const size of SIZES) {
  test(`serve @alias at ${size.width}px: versions show run and signature; Serve @champion follows the alias; batch not kept`, async ({ page, context }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await openLab(page, '#/new?example=wine');
    await expect(page.getByRole('article', { name: /^Training job / }).first().getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
    await go(page, 'New run');
    await trainAndRegister(page, 'strong-l1', '0.5', '1');
    await go(page, 'New run');
    await trainAndRegister(page, 'weak-l1', '0.01', '2');

    await go(page, 'Models');
    await page.getByRole('navigation', { name: 'Registered models' }).getByRole('link', { name: 'wine' }).click();
    const versions = page.getByRole('table', { name: 'Versions of wine' });
    // Each version names its run (a link to it) and its signature.
    await expect(versions.getByRole('row', { name: /^Version 1/ }).getByRole('link', { name: 'strong-l1' })).toBeVisible();
    await expect(versions.getByRole('row', { name: /^Version 2/ }).getByRole('link', { name: 'weak-l1' })).toBeVisible();
    await expect(versions.getByRole('row', { name: /^Version 1/ })).toContainText('11 columns (double) → 1 column (double)');
    const aliasForm = page.getByRole('form', { name: 'Set alias' });
    await aliasForm.getByLabel('Alias').fill('@champion');
    await aliasForm.getByLabel('Version').selectOption('1');
    await aliasForm.getByRole('button', { name: 'Set alias' }).click();
    const serveLink = versions.getByRole('row', { name: /^Version 1/ }).getByRole('link', { name: 'Serve @champion' });
    await expect(serveLink).toBeVisible();
    await expectNoOverflow(page);
    await expectAccessible(page, 'models');
    await shot(page, 'serve-alias/models', { fullPage: true });

    await serveLink.click();
    await expect(page.getByLabel('Model URI')).toHaveValue('models:/wine@champion');
    await expect(page.getByLabel('Served model')).toContainText('wine version 1');
    const p1 = await predict(page);

    // A colleague moves @champion to version 2 in another tab; this page follows.
    const other = await context.newPage();
    await other.setViewportSize(size);
    await other.goto('./#/models/wine');
    const otherAlias = other.getByRole('form', { name: 'Set alias' });
    await otherAlias.getByLabel('Alias').fill('champion');
    await otherAlias.getByLabel('Version').selectOption('2');
    await otherAlias.getByRole('button', { name: 'Set alias' }).click();
    await expect(other.getByRole('table', { name: 'Versions of wine' }).getByRole('row', { name: /^Version 2/ })).toContainText('@champion');
    await other.close();

    await expect(page.getByRole('status').filter({ hasText: 'models:/wine@champion moved from version 1 to version 2' })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByLabel('Served model')).toContainText('wine version 2');
    const p2 = await predict(page);
    expect(p2).not.toBe(p1);
    // Both are wine qualities on the data's 3–8 scale.
    for (const p of [p1, p2]) { expect(p).toBeGreaterThan(3); expect(p).toBeLessThan(8); }

    // Batch: shown on screen; the file is not added to Datasets (the box is not ticked).
    const lines = (await wineText('winequality-red.csv')).trim().split('\n');
    const head = lines[0].split(';').map((h) => JSON.parse(h) as string);
    const rows = lines.slice(1, 21).map((l) => l.split(';').join(','));
    const csv = `${head.map((h) => JSON.stringify(h)).join(',')}\n${rows.join('\n')}\n`;
    await expect(page.getByRole('checkbox', { name: 'Keep the file in Datasets' })).not.toBeChecked();
    await page.getByLabel('Score a CSV file').setInputFiles({ name: 'twenty-wines.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect(page.getByRole('status').filter({ hasText: /^Scored 20 rows/ })).toContainText('The file was not added to Datasets.', { timeout: 30_000 });
    await expect(page.getByRole('table', { name: /^Batch predictions, first 10 rows/ }).locator('tbody tr')).toHaveCount(10);
    await expectNoOverflow(page);
    await expectAccessible(page, 'serve');
    await shot(page, 'serve-alias/serve', { fullPage: true });
    await go(page, 'Datasets');
    const stored = page.getByRole('region', { name: 'Stored datasets' });
    await expect(stored).toContainText('Wine quality (red)');
    await expect(stored).not.toContainText('twenty-wines.csv');
  });
}
