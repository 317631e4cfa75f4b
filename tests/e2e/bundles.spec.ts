import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { rawZip } from '../unit/archive-zip-craft';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { openLab } from './helpers';
import { IMPORT_NULL_ERROR, zipBomb } from '../fixtures/untrusted-files';
import { countRunsInPage } from '../fixtures/lab-in-page';

async function logRun(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('e2e bundles');
    const run = await m.startRun({ runName: 'shared-run' });
    await m.logParams({ alpha: 0.5 });
    for (let step = 0; step < 200; step++) m.logMetric('loss', 1 / (step + 1), step);
    await m.logText('hello bundle', 'notes.txt');
    await m.endRun();
    return run.runId;
  });
}

const countRuns = (page: Page) => page.evaluate(countRunsInPage);

async function runInLab(page: Page, runId: string) {
  return page.evaluate(async (id) => {
    const run = await window.mfflow.getRun(id);
    const h = await window.mfflow.getMetricHistory(id, 'loss');
    return { name: run.info.runName, status: run.info.status, alpha: run.params.alpha, n: h.values.length };
  }, runId);
}

test('export from the UI (SQLite by default, mlruns/ when chosen), import by the file picker in a fresh browser, the run is there with its metrics', async ({ page, browser }) => {
  await openLab(page);
  const runId = await logRun(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  const file = await (await download).path();
  expect(file).toBeTruthy();
  // The default layout is MLflow's SQLite store: mlflow.db and the run's artifacts next to it.
  const names = [...unzipSafe(new Uint8Array(readFileSync(file))).keys()];
  expect(names).toContain('mlflow.db');
  expect(names.filter((n) => n.endsWith(`/${runId}/artifacts/notes.txt`))).toHaveLength(1);
  expect(names.some((n) => n.endsWith('meta.yaml'))).toBe(false);
  // "Export as" mlruns/ gives MLflow's file store instead.
  await page.getByLabel('Export as').selectOption('mlruns');
  const download2 = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  const names2 = [...unzipSafe(new Uint8Array(readFileSync(await (await download2).path()))).keys()];
  expect(names2).not.toContain('mlflow.db');
  expect(names2.filter((n) => n.startsWith('mlruns/') && n.endsWith(`/${runId}/meta.yaml`))).toHaveLength(1);

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await openLab(other);
  await other.getByTestId('bundle-file-input').setInputFiles(file);
  await expect(other.getByTestId('bundle-report')).toContainText('run(s) added');
  expect(await runInLab(other, runId)).toEqual({ name: 'shared-run', status: 'FINISHED', alpha: '0.5', n: 200 });
  // The report links to the run it added; the run says which bundle brought it, and when.
  await other.getByTestId('bundle-report').getByRole('link', { name: runId }).click();
  await expect(other).toHaveURL(new RegExp(`#/run/${runId}$`));
  const [from, at] = await other.evaluate(async (id) => {
    const r = await window.mfflow.getRun(id);
    return [r.tags['mfflow.import.source'], r.tags['mfflow.import.time']];
  }, runId);
  expect(from).toBe(basename(file));
  expect(Math.abs(Date.now() - Date.parse(at))).toBeLessThan(10 * 60_000);
  await other.getByRole('navigation', { name: 'Experiments' }).getByRole('button', { name: /e2e bundles/ }).click();
  await expect(other.getByRole('row').filter({ hasText: 'shared-run' })).toBeVisible();

  // The same file again adds nothing.
  await other.getByRole('button', { name: 'Dismiss' }).click();
  await other.getByTestId('bundle-file-input').setInputFiles(file);
  await expect(other.getByTestId('bundle-report')).toContainText('0 run(s) added');
  await expect(other.getByTestId('bundle-report')).toContainText('1 already here');
  await expect(other.getByTestId('bundle-report')).not.toContainText('conflict');
  await fresh.close();
});

test('?bundle=<url> imports a hosted bundle on open', async ({ page, browser }) => {
  await openLab(page);
  const runId = await logRun(page);
  const bytes = await page.evaluate(async () => {
    const f = await window.mfflow.exportLab();
    return Array.from(new Uint8Array(await f.arrayBuffer()));
  });
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.route('**/hosted/lab.zip', (route) => route.fulfill({ body: Buffer.from(bytes), contentType: 'application/zip' }));
  await openLab(other, '?bundle=hosted/lab.zip');
  await expect(other.getByTestId('bundle-report')).toContainText('run(s) added');
  expect(await runInLab(other, runId)).toMatchObject({ name: 'shared-run', n: 200 });
  expect(other.url()).not.toContain('bundle=');
  // The run remembers the URL it came from.
  expect(await other.evaluate(async (id) => (await window.mfflow.getRun(id)).tags['mfflow.import.source'], runId)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lab\/hosted\/lab\.zip$/);
  await fresh.close();
});

test('Z1: a bad archive shows the entry and the rule and imports nothing', async ({ page }) => {
  await openLab(page);
  await logRun(page);
  const before = await countRuns(page);
  const bad = rawZip([
    { name: 'mlruns/0/meta.yaml', data: new TextEncoder().encode("artifact_location: x\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n") },
    { name: 'mlruns/../../evil.txt', data: new TextEncoder().encode('x') },
  ]);
  await page.getByTestId('bundle-file-input').setInputFiles({ name: 'bad.zip', mimeType: 'application/zip', buffer: Buffer.from(bad) });
  const err = page.getByTestId('bundle-error');
  await expect(err).toContainText('mlruns/../../evil.txt');
  await expect(err).toContainText('Nothing was imported');
  await expect(err).toContainText('entry mlruns/../../evil.txt broke the rule dot-dot.');
  const after = await countRuns(page);
  expect(after).toBe(before);
});

test('Z4: a zip bomb is refused from its table of contents; a wrong argument gets a sentence', async ({ page }) => {
  await openLab(page);
  const before = await countRuns(page);
  await page.getByTestId('bundle-file-input').setInputFiles({ name: 'bomb.zip', mimeType: 'application/zip', buffer: Buffer.from(zipBomb()) });
  const err = page.getByTestId('bundle-error');
  await expect(err).toContainText('broke the rule ratio');
  await expect(err).toContainText('as a zip bomb does');
  expect(await page.evaluate(() => window.mfflow.importBundle(null as unknown as string).then(() => 'imported', (e: Error & { code?: string }) => `${e.code}: ${e.message}`)))
    .toBe(IMPORT_NULL_ERROR);
  const after = await countRuns(page);
  expect(after).toBe(before);
});
