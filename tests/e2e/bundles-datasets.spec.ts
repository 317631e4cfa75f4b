// A bundle a colleague can continue from (issue 10): the wine example trained in the built lab,
// Export lab (Include datasets is on by default: the red wine CSV is far under 50 MB), imported
// in a fresh browser with an empty lab, the dataset is listed on the Datasets page, and Re-run of
// the imported run trains again on it and gets the same metrics.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { openLab } from './helpers';

test('train the wine example, Export lab with its dataset, import in a fresh browser: the dataset is listed and Re-run of the imported run works', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await openLab(page);
  await page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('link', { name: /Train the wine example/ }).click();
  const job = page.getByRole('article', { name: /^Training job / }).first();
  await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
  const runId = await page.evaluate(async () => {
    const ids = (await window.mfflow.listExperiments()).map((e) => e.experimentId);
    return (await window.mfflow.searchRuns({ experimentIds: ids })).runs[0].info.runId;
  });

  await expect(page.getByLabel('Include datasets')).toBeChecked();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  const file = await (await download).path();
  const names = [...unzipSafe(new Uint8Array(readFileSync(file))).keys()];
  expect(names).toContain('mlflow.db');
  expect(names).toContain('datasets/mfflow-datasets.json');
  expect(names.filter((n) => /^datasets\/[0-9a-f]{8}-Wine_quality_red\.csv$/.test(n))).toHaveLength(1);

  // Unchecked, the same export carries no dataset.
  await page.getByLabel('Include datasets').uncheck();
  const download2 = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  const names2 = [...unzipSafe(new Uint8Array(readFileSync(await (await download2).path()))).keys()];
  expect(names2.some((n) => n.startsWith('datasets/'))).toBe(false);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await openLab(other);
  await other.getByTestId('bundle-file-input').setInputFiles(file);
  const report = other.getByTestId('bundle-report');
  await expect(report).toContainText('1 run(s) added');
  await expect(report).toContainText('1 dataset(s) added');
  await report.getByRole('link', { name: '1 dataset(s)' }).click();
  await expect(other).toHaveURL(/#\/datasets$/);
  await expect(other.getByRole('main')).toContainText('Wine quality (red)');
  await report.getByRole('button', { name: 'Dismiss' }).click();

  // Re-run the imported run: it trains on the imported rows and gets the same numbers.
  await other.goto(`./#/run/${runId}`);
  const source = other.getByRole('region', { name: 'Source' });
  await source.getByRole('button', { name: 'Re-run', exact: true }).click();
  await source.getByRole('link', { name: /^open / }).click({ timeout: 90_000 });
  await expect(other.getByTestId('rerun-exactness')).toHaveText(/metrics should be identical, and they are\./, { timeout: 30_000 });
  const diffs = other.getByRole('table', { name: 'Metric differences from the original run' });
  await expect(diffs.getByRole('row', { name: /^rmse / }).getByRole('cell').last()).toHaveText('0');
  await fresh.close();
});
