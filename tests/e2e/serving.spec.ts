import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { WINE_URLS, winePath } from '../data/wine';
import { openLab, expectLabReady } from './helpers';
import { routeWine } from './wine-route';

const RED_URL = WINE_URLS['winequality-red.csv'];

interface LinearJson { feature_names: string[]; coef: number[]; intercept: number; scaler: { mean: number[]; scale: number[] } | null }

/** What linear.json says the model predicts for a row: coef·x̃ + intercept, x̃ standardised when a scaler is stored. */
function expected(m: LinearJson, row: Record<string, number>): number {
  let y = m.intercept;
  m.feature_names.forEach((n, j) => {
    const x = m.scaler ? (row[n] - m.scaler.mean[j]) / m.scaler.scale[j] : row[n];
    y += m.coef[j] * x;
  });
  return y;
}

const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

async function invoke(page: Page, path: string, init?: { method: string; body: string; contentType: string }) {
  return page.evaluate(async ({ path, init }) => {
    const res = await fetch(path, init ? { method: init.method, body: init.body, headers: { 'content-type': init.contentType } } : undefined);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }, { path, init });
}

test('wine elastic net: register, alias, serve from the form and /invocations, then offline', async ({ page, context }) => {
  test.setTimeout(120_000);
  const csv = readFileSync(await winePath('winequality-red.csv'));
  await routeWine(page);
  await openLab(page);
  const runId = await page.evaluate(async (url) => {
    const d = await window.mfflow.loadDataset(url);
    const run = await window.mfflow.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
    return run.info.runId;
  }, RED_URL);

  // The run's model/linear.json, read through the run page's artifact preview.
  await page.evaluate((id) => (location.hash = `#/run/${id}`), runId);
  const tree = page.getByRole('list', { name: 'Artifacts' });
  await tree.getByRole('button', { name: 'model' }).click();
  await tree.getByRole('button', { name: /linear\.json/ }).click();
  const linear = JSON.parse((await page.getByRole('region', { name: /Preview of model\/linear\.json/ }).locator('pre').textContent())!) as LinearJson;
  expect(linear.feature_names).toHaveLength(11);

  // Register from the run page, alias from the Models page.
  const reg = page.getByRole('form', { name: 'Register model' });
  await reg.getByRole('combobox').fill('wine');
  await reg.getByRole('button', { name: 'Register model' }).click();
  await expect(page.getByRole('list', { name: 'Registered versions of this run' })).toHaveText('wine version 1');
  await page.getByRole('list', { name: 'Registered versions of this run' }).getByRole('link', { name: 'wine' }).click();
  const aliasForm = page.getByRole('form', { name: 'Set alias' });
  await aliasForm.getByLabel('Alias').fill('champion');
  await aliasForm.getByLabel('Version').selectOption('1');
  await aliasForm.getByRole('button', { name: 'Set alias' }).click();
  await expect(page.getByRole('row', { name: 'Version 1' })).toContainText('@champion');

  // Serve page: the form's prediction for the first red wine row.
  const header = csv.toString('utf8').split('\n')[0].split(';').map((h) => h.replace(/"/g, ''));
  const cells = csv.toString('utf8').split('\n')[1].split(';').map(Number);
  const row = Object.fromEntries(header.map((h, j) => [h, cells[j]]));
  const want = expected(linear, row);
  await page.evaluate(() => (location.hash = `#/serve?model=${encodeURIComponent('models:/wine@champion')}`));
  const form = page.getByRole('form', { name: 'Prediction form' });
  for (const name of linear.feature_names) await form.getByLabel(name, { exact: true }).fill(String(row[name]));
  await form.getByRole('button', { name: 'Predict' }).click();
  const output = page.getByLabel('Prediction', { exact: true });
  await expect(output).toBeVisible();
  const shown = Number(await output.textContent());
  expect(close(shown, want)).toBe(true);

  // The same row through the service worker's /invocations.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  // Installable: Chromium finds no fault in the manifest; the only objection is Playwright's incognito context.
  const cdp = await context.newCDPSession(page);
  expect((await cdp.send('Page.getAppManifest')).errors).toEqual([]);
  expect((await cdp.send('Page.getInstallabilityErrors')).installabilityErrors.map((e) => e.errorId)).toEqual(['in-incognito']);
  await cdp.detach();
  const body = JSON.stringify({ dataframe_split: { columns: linear.feature_names, data: [linear.feature_names.map((n) => row[n])] } });
  const ok = await invoke(page, './invocations', { method: 'POST', body, contentType: 'application/json' });
  expect(ok.status).toBe(200);
  expect(ok.type).toContain('application/json');
  const served = JSON.parse(ok.text) as { predictions: number[] };
  expect(served.predictions).toHaveLength(1);
  expect(served.predictions[0]).toBe(shown);

  const bad = await invoke(page, './invocations', { method: 'POST', body: '{"dataframe_split": {"columns": [', contentType: 'application/json' });
  expect(bad.status).toBe(400);
  expect(JSON.parse(bad.text)).toMatchObject({ error_code: 'BAD_REQUEST', message: expect.any(String) });
  const missing = await invoke(page, './invocations', { method: 'POST', body: JSON.stringify({ dataframe_records: [{ alcohol: 9.4 }] }), contentType: 'application/json' });
  expect(missing.status).toBe(400);
  expect(JSON.parse(missing.text).error_code).toBe('INVALID_PARAMETER_VALUE');
  const unsupported = await invoke(page, './invocations', { method: 'POST', body: 'x', contentType: 'application/xml' });
  expect(unsupported.status).toBe(415);
  const ping = await invoke(page, './ping');
  expect(ping).toMatchObject({ status: 200, text: '\n' });
  const version = await invoke(page, './version');
  expect(version.status).toBe(200);
  expect(version.text).toMatch(/^\d+\.\d+\.\d+$/);
  // A model named on the request URL: by version number; an unknown one is MLflow's 404.
  const byVersion = await invoke(page, `./invocations?model=${encodeURIComponent('models:/wine/1')}`, { method: 'POST', body, contentType: 'application/json' });
  expect(JSON.parse(byVersion.text).predictions[0]).toBe(shown);
  const unknown = await invoke(page, `./invocations?model=${encodeURIComponent('models:/nope/1')}`, { method: 'POST', body, contentType: 'application/json' });
  expect(unknown.status).toBe(404);
  expect(JSON.parse(unknown.text).error_code).toBe('RESOURCE_DOES_NOT_EXIST');

  // Batch: the first 50 red wine rows as a CSV file; the download holds the same numbers.
  const lines = csv.toString('utf8').trim().split('\n');
  const batchRows = lines.slice(1, 51).map((l) => l.split(';').map(Number));
  const batchCsv = `${header.map((h) => JSON.stringify(h)).join(',')}\n${batchRows.map((r) => r.join(',')).join('\n')}\n`;
  await page.getByLabel('Score a CSV file').setInputFiles({ name: 'first50.csv', mimeType: 'text/csv', buffer: Buffer.from(batchCsv) });
  await expect(page.getByRole('status').filter({ hasText: /^Scored 50 rows/ })).toBeVisible({ timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download predictions' }).click()]);
  expect(download.suggestedFilename()).toBe('first50-predictions.csv');
  const out = readFileSync((await download.path())!, 'utf8').trim().split('\n');
  expect(out).toHaveLength(51);
  expect(out[0].split(',').pop()).toBe('prediction');
  out.slice(1).forEach((l, i) => {
    const got = Number(l.split(',').pop());
    expect(close(got, expected(linear, Object.fromEntries(header.map((h, j) => [h, batchRows[i][j]]))))).toBe(true);
  });
  await expect(page.getByLabel('Latency figures')).toContainText(/p50 [\d.]+ ms · p99 [\d.]+ ms over \d+ requests · last batch [\d,]+ rows\/s/);

  // Cancel while a big CSV is being read: nothing is scored or stored, no download. The 40 MB file
  // is made in the page (sending it through Playwright's protocol would take longer than the test).
  await page.getByLabel('Score a CSV file').evaluate((input, { head, line }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([`${head}\n${`${line}\n`.repeat(600_000)}`], 'big.csv', { type: 'text/csv' }));
    (input as HTMLInputElement).files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, { head: header.map((h) => JSON.stringify(h)).join(','), line: batchRows[0].join(',') });
  const progress = page.getByRole('status', { name: 'Batch progress' });
  await expect(progress).toBeVisible();
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Batch cancelled.' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('link', { name: 'Download predictions' })).toHaveCount(0);
  expect((await page.evaluate(() => window.mfflow.listDatasets())).map((d) => d.name)).not.toContain('big.csv');

  // Offline: the lab opens from the service worker's cache and still predicts.
  await context.setOffline(true);
  await page.reload();
  await expectLabReady(page);
  const offlineForm = page.getByRole('form', { name: 'Prediction form' });
  for (const name of linear.feature_names) await offlineForm.getByLabel(name, { exact: true }).fill(String(row[name]));
  await offlineForm.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(String(shown));
  const offline = await invoke(page, './invocations', { method: 'POST', body, contentType: 'application/json' });
  expect(JSON.parse(offline.text).predictions[0]).toBe(shown);
  await context.setOffline(false);
});

test('Models page: versions, aliases moved and removed, stages, description, tags; other tabs follow', async ({ page, context }) => {
  await routeWine(page);
  await openLab(page);
  const runId = await page.evaluate(async (url) => {
    const d = await window.mfflow.loadDataset(url);
    const run = await window.mfflow.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
    await window.mfflow.registerModel(run.info.runId, 'model', 'wine');
    await window.mfflow.registerModel(run.info.runId, 'model', 'wine');
    return run.info.runId;
  }, RED_URL);
  const other = await context.newPage();
  await openLab(other, '#/models/wine');
  await page.bringToFront(); // background tabs get throttled frames, which slows Playwright's clicks

  await page.evaluate(() => (location.hash = '#/models/wine'));
  const versions = page.getByRole('table', { name: 'Versions of wine' });
  await expect(versions.getByRole('row', { name: /^Version \d+$/ })).toHaveCount(2);
  await expect(versions.getByRole('row', { name: 'Version 1' })).toContainText(`runs:/${runId}/model`);

  const aliasForm = page.getByRole('form', { name: 'Set alias' });
  await aliasForm.getByLabel('Alias').fill('champion');
  await aliasForm.getByLabel('Version').selectOption('1');
  await aliasForm.getByRole('button', { name: 'Set alias' }).click();
  await expect(versions.getByRole('row', { name: 'Version 1' })).toContainText('@champion');
  // Moving it: the same alias on version 2 leaves version 1.
  await aliasForm.getByLabel('Alias').fill('champion');
  await aliasForm.getByLabel('Version').selectOption('2');
  await aliasForm.getByRole('button', { name: 'Set alias' }).click();
  await expect(versions.getByRole('row', { name: 'Version 2' })).toContainText('@champion');
  await expect(versions.getByRole('row', { name: 'Version 1' })).not.toContainText('@champion');
  // The other tab hears about it without a reload.
  await expect(other.getByRole('table', { name: 'Versions of wine' }).getByRole('row', { name: 'Version 2' })).toContainText('@champion');
  // A reserved alias is refused with MLflow's rule, nothing changes.
  await aliasForm.getByLabel('Alias').fill('latest');
  await aliasForm.getByLabel('Version').selectOption('1');
  await aliasForm.getByRole('button', { name: 'Set alias' }).click();
  await expect(page.getByRole('alert')).toContainText('latest');
  await versions.getByRole('button', { name: 'Remove alias champion' }).click();
  await expect(versions).not.toContainText('@champion');

  await versions.getByLabel('Stage of version 1').selectOption('Production');
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByLabel('Model description').fill('Red wine quality, elastic net');
  await page.getByRole('button', { name: 'Save' }).click();
  const tagForm = page.getByRole('form', { name: 'Add tag' });
  await tagForm.getByLabel('Tag key').fill('team');
  await tagForm.getByLabel('Tag value').fill('=cmd|x');
  await tagForm.getByRole('button', { name: 'Set tag' }).click();
  await expect(page.getByRole('table', { name: 'Model tags' })).toContainText('=cmd|x');

  // All of it is stored: a reload shows the same, and the script API sees it.
  await page.reload();
  await expectLabReady(page);
  await expect(page.getByRole('table', { name: 'Versions of wine' }).getByLabel('Stage of version 1')).toHaveValue('Production');
  await expect(page.getByText('Red wine quality, elastic net')).toBeVisible();
  const models = await page.evaluate(() => window.mfflow.listRegisteredModels());
  expect(models).toHaveLength(1);
  expect(models[0]).toMatchObject({ name: 'wine', description: 'Red wine quality, elastic net', tags: { team: '=cmd|x' }, aliases: {} });
  expect(models[0].versions.map((v) => [v.version, v.currentStage])).toEqual([[1, 'Production'], [2, 'None']]);

  // mfflow.predict: MLflow's errors reject with the code and status.
  const err = await page.evaluate(async () => {
    try {
      await window.mfflow.predict('models:/wine/1', { dataframe_records: [{ alcohol: 9.4 }] });
      return null;
    } catch (e) {
      return { code: (e as { errorCode?: string }).errorCode, status: (e as { status?: number }).status };
    }
  });
  expect(err).toEqual({ code: 'INVALID_PARAMETER_VALUE', status: 400 });

  // Deleting a version drops it (and its number is not reused).
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete version 2' }).click();
  await expect(page.getByRole('table', { name: 'Versions of wine' }).getByRole('row', { name: /^Version \d+$/ })).toHaveCount(1);
  await page.evaluate((id) => window.mfflow.registerModel(id, 'model', 'wine'), runId);
  await expect(page.getByRole('table', { name: 'Versions of wine' }).getByRole('row', { name: 'Version 3' })).toBeVisible();
});

test('a new deployment is offered as a reload, never forced while training runs', async ({ page, context }) => {
  // Every fetch of sw.js gets a different trailing comment: to the browser, a new version.
  let deploy = 0;
  await context.route('**/sw.js', async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: `${await res.text()}\n// deployment ${deploy++}\n` });
  });
  await routeWine(page);
  await openLab(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  await page.evaluate(async (url) => {
    const d = await window.mfflow.loadDataset(url);
    (window as unknown as { pending: Promise<unknown> }).pending = window.mfflow.train({
      dataset: d.digest, model: 'mlp', target: 'quality', backend: 'cpu', runName: 'long-mlp',
      params: { epochs: 5000, batch_size: 32, hidden_layers: '32,16' },
    });
    (window as unknown as { marker: number }).marker = 1; // gone after a reload
  }, RED_URL);
  await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())!.update(); });
  const banner = page.getByRole('status', { name: 'Update available' });
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText('Training is running');
  await expect(banner.getByRole('button', { name: 'Reload anyway' })).toBeVisible();
  // Declining the confirmation keeps the page and its training.
  page.once('dialog', (d) => void d.dismiss());
  await banner.getByRole('button', { name: 'Reload anyway' }).click();
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  expect(await page.evaluate(() => window.mfflow.jobs()[0].status)).toBe('RUNNING');

  // Once training has ended, a plain Reload loads the new version.
  await page.evaluate(() => window.mfflow.cancel(window.mfflow.jobs()[0].jobId));
  await expect(banner.getByRole('button', { name: 'Reload', exact: true })).toBeVisible({ timeout: 20_000 });
  await Promise.all([
    page.waitForEvent('framenavigated', { timeout: 20_000 }),
    banner.getByRole('button', { name: 'Reload', exact: true }).click(),
  ]);
  await expectLabReady(page);
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
  await expect(page.getByRole('status', { name: 'Update available' })).toHaveCount(0);
});

test('with no lab tab open the endpoint answers 503 in MLflow\'s error shape', async ({ page, context }) => {
  await openLab(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  const url = new URL('./version', page.url()).href;
  await page.close();
  // A navigation straight to the endpoint: the service worker has no lab page to ask.
  const fresh = await context.newPage();
  const res = await fresh.goto(url);
  expect(res!.status()).toBe(503);
  expect(res!.headers()['content-type']).toContain('application/json');
  expect(await res!.json()).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE', message: expect.stringContaining('No MFFlow lab page') });
});
