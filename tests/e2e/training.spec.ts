import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';
import { routeWine } from './wine-route';
import { WINE_URLS } from '../data/wine';

const relClose = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b);

/** Loads red wine through the Datasets page and returns its digest. */
async function loadRedWine(page: Page): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
  await page.getByRole('group', { name: 'Built-in examples' }).getByRole('button', { name: 'Wine quality (red)' }).click();
  await expect(page.getByRole('status')).toContainText('Loaded Wine quality (red): 1,599 rows, 12 columns', { timeout: 20_000 });
  const item = page.getByRole('listitem', { name: 'Dataset Wine quality (red)' });
  await expect(item).toBeVisible();
  const text = (await item.textContent()) ?? '';
  return /digest ([0-9a-f]{8})/.exec(text)![1];
}

test('wine red from the Datasets page, elastic net from the form: MLflow tutorial numbers', async ({ page }) => {
  const hits = await routeWine(page);
  await openLab(page);
  const digest = await loadRedWine(page);
  // The example ships with the lab: GitHub is never asked for it.
  expect(hits['winequality-red.csv']).toBe(0);

  // The profile: 12 columns, quality's mean as pandas describes it.
  const profile = page.getByRole('table', { name: 'Profile of Wine quality (red)' });
  await expect(profile.getByRole('row')).toHaveCount(13);
  await expect(profile.getByRole('row', { name: /^quality number 1599 0 5\.636/ })).toBeVisible();

  // The same example again is served from IndexedDB: no second download, nothing new stored.
  await page.getByRole('group', { name: 'Built-in examples' }).getByRole('button', { name: 'Wine quality (red)' }).click();
  await expect(page.getByRole('status')).toContainText('already stored');
  expect(hits['winequality-red.csv']).toBe(0);
  await expect(page.getByRole('listitem', { name: /^Dataset / })).toHaveCount(1);

  await page.getByRole('link', { name: 'New run' }).click();
  const form = page.getByRole('form', { name: 'New run' });
  await expect(form.getByLabel('Target')).toHaveValue('quality');
  await form.getByLabel('Model').selectOption('elasticnet');
  await form.getByLabel('alpha', { exact: true }).fill('0.5');
  await form.getByLabel('l1_ratio', { exact: true }).fill('0.5');
  await form.getByLabel('Test fraction').fill('0.25');
  await form.getByLabel('Seed', { exact: true }).fill('40');
  await form.getByLabel('Shuffle').selectOption('numpy');
  // A bad value shows the schema's message and blocks training; fixing it clears the message.
  await form.getByLabel('l1_ratio', { exact: true }).fill('1.5');
  await expect(form.getByText('l1_ratio must be at most 1')).toBeVisible();
  await form.getByLabel('l1_ratio', { exact: true }).fill('0.5');
  await expect(form.getByText('l1_ratio must be at most 1')).toHaveCount(0);
  await form.getByRole('button', { name: 'Train' }).click();

  const job = page.getByRole('article', { name: /^Training job / }).first();
  await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 30_000 });
  const runId = (await job.getAttribute('data-run-id'))!;
  const metrics = job.getByRole('table', { name: /^Metrics of / });
  await expect(metrics.getByRole('row', { name: 'rmse 0.7932' })).toBeVisible();
  await expect(metrics.getByRole('row', { name: 'mae 0.6272' })).toBeVisible();
  await expect(metrics.getByRole('row', { name: 'r2 0.1086' })).toBeVisible();
  await expect(job.getByRole('link', { name: /^Open run / })).toHaveAttribute('href', `#/run/${runId}`);

  const run = await page.evaluate((id) => window.mfflow.getRun(id), runId);
  expect(run.info.status).toBe('FINISHED');
  expect(relClose(run.metrics.rmse.latest, 0.7931640229276851)).toBe(true);
  expect(relClose(run.metrics.mae.latest, 0.6271946374319586)).toBe(true);
  expect(relClose(run.metrics.r2.latest, 0.10862644997792614)).toBe(true);
  expect(run.params).toMatchObject({ alpha: '0.5', l1_ratio: '0.5', seed: '40', test_size: '0.25', shuffle: 'numpy' });
  expect(run.inputs).toHaveLength(1);
  expect(run.inputs[0].dataset).toMatchObject({ name: 'Wine quality (red)', digest, sourceType: 'http' });
  expect(run.inputs[0].tags).toEqual({ 'mlflow.data.context': 'training' });
  const files = await page.evaluate((id) => window.mfflow.listArtifacts(id), runId);
  expect(files.map((f) => f.path)).toContain('model');
});

test('a 3 × 3 grid sweep from the form gives 9 children under one parent with the best rmse', async ({ page }) => {
  await routeWine(page);
  await openLab(page);
  await loadRedWine(page);
  await page.getByRole('link', { name: 'New run' }).click();
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('Sweep (parent run with nested runs)').check();
  await form.getByLabel('Sweep alpha').check();
  await form.getByLabel('Values of alpha').fill('0.1, 0.5, 1');
  await form.getByLabel('Sweep l1_ratio').check();
  await form.getByLabel('Values of l1_ratio').fill('0.1, 0.5, 0.9');
  await expect(form.getByText('9 runs, trained in parallel')).toBeVisible();
  await form.getByRole('button', { name: 'Start sweep' }).click();

  const sweep = page.getByRole('region', { name: /^Sweep / });
  await expect(sweep.getByTestId('sweep-status')).toHaveText('FINISHED', { timeout: 60_000 });
  const parentId = (await sweep.getAttribute('data-parent-run-id'))!;
  const out = await page.evaluate(async (pid) => {
    const m = window.mfflow;
    const parent = await m.getRun(pid);
    const res = await m.searchRuns({ experimentIds: [parent.info.experimentId], filter: `tags.mlflow.parentRunId = '${pid}'`, maxResults: 100 });
    return {
      parent,
      children: res.runs.map((r) => ({ id: r.info.runId, status: r.info.status, rmse: r.metrics.rmse?.latest, alpha: r.params.alpha, l1: r.params.l1_ratio })),
    };
  }, parentId);
  expect(out.parent.info.status).toBe('FINISHED');
  expect(out.children).toHaveLength(9);
  expect(out.children.every((c) => c.status === 'FINISHED')).toBe(true);
  expect(new Set(out.children.map((c) => `${c.alpha}/${c.l1}`)).size).toBe(9);
  const best = out.children.reduce((a, b) => (b.rmse < a.rmse ? b : a));
  expect(out.parent.tags['mfflow.best_run_id']).toBe(best.id);
  expect(out.parent.metrics.best_rmse.latest).toBe(best.rmse);
  expect(out.parent.tags['mfflow.sweep.size']).toBe('9');
});

test('cancelling a long MLP run leaves it KILLED with the epochs it finished', async ({ page }) => {
  await routeWine(page);
  await openLab(page);
  await loadRedWine(page);
  await page.getByRole('link', { name: 'New run' }).click();
  await page.evaluate(() => {
    (window as unknown as { pending: Promise<unknown> }).pending = window.mfflow.train({
      dataset: 'Wine quality (red)', model: 'mlp', target: 'quality', backend: 'cpu', runName: 'long-mlp',
      params: { epochs: 5000, batch_size: 32, hidden_layers: '32,16', validation_split: 0.1 },
    });
  });
  const job = page.getByRole('article', { name: 'Training job long-mlp' });
  const bar = job.getByRole('progressbar', { name: 'Progress of long-mlp' });
  await expect(bar).toBeVisible({ timeout: 30_000 });
  await expect(job).toContainText(/epoch ([3-9]|\d\d+) of 5000/, { timeout: 60_000 });
  // The live loss chart draws while it trains (uPlot: a canvas and a legend naming the series).
  await expect(job.getByRole('figure', { name: 'Loss of long-mlp chart' }).locator('canvas')).toBeVisible();
  await expect(job.getByRole('figure', { name: 'Loss of long-mlp chart' })).toContainText('val_loss');
  // The same chart as stored runs get (MetricChart): a legend of its lines, drawn, the placeholder gone.
  await expect(job.getByRole('list', { name: 'Lines in Loss of long-mlp' }).getByRole('listitem')).toHaveCount(2);
  await expect(job.getByRole('figure', { name: 'Loss of long-mlp chart' })).toHaveAttribute('data-ready', 'true');
  await expect(job.getByText('The loss curve appears here')).toHaveCount(0);
  await job.getByRole('button', { name: 'Cancel long-mlp' }).click();
  await expect(job.getByTestId('job-status')).toHaveText('KILLED', { timeout: 20_000 });
  const out = await page.evaluate(async () => {
    const run = (await (window as unknown as { pending: Promise<import('../../src/lib/tracking/types').Run> }).pending);
    const loss = await window.mfflow.getMetricHistory(run.info.runId, 'loss');
    return { status: run.info.status, epochs: run.tags['mfflow.training.epochs_done'], steps: Array.from(loss.steps) };
  });
  expect(out.status).toBe('KILLED');
  const epochs = Number(out.epochs);
  expect(epochs).toBeGreaterThanOrEqual(3);
  expect(epochs).toBeLessThan(5000);
  expect(out.steps).toHaveLength(epochs);
  await expect(job).toContainText(`${epochs} epochs completed`);
});

test('scripting: loadDataset by URL reuses stored content, invalid specs reject before any run, failures are FAILED with the error', async ({ page }) => {
  const hits = await routeWine(page);
  await openLab(page);
  const out = await page.evaluate(async (url) => {
    const m = window.mfflow;
    await m.setExperiment('scripted training');
    const first = await m.loadDataset(url);
    const again = await m.loadDataset(url);
    const bad = await m.train({ dataset: first.digest, model: 'elasticnet', target: 'nope' }).then(() => 'resolved', (e: Error) => e.message);
    const runsAfterBad = (await m.searchRuns({})).runs.length;
    // A target missing in every row passes the spec check but leaves nothing to train on: the worker fails the run.
    const holes = await m.loadDataset(new Blob(['a,b,y\n1,2,\n3,4,\n5,6,\n7,8,\n']), { name: 'holes' });
    const failed = await m.train({ dataset: holes.digest, model: 'elasticnet', target: 'y' })
      .then((r) => ({ status: r.info.status, error: r.tags['mfflow.error'], note: r.tags['mlflow.note.content'] }), (e: Error) => ({ rejected: e.message }));
    const viaUrl = await m.train({ dataset: url, model: 'elasticnet', target: 'quality', runName: 'by-url' });
    return { first, again, bad, runsAfterBad, failed, viaUrl: { status: viaUrl.info.status, digest: viaUrl.inputs[0].dataset.digest, exp: viaUrl.info.experimentId } };
  }, WINE_URLS['winequality-red.csv']);
  expect(out.first).toMatchObject({ name: 'Wine quality (red)', rows: 1599, reused: false, sourceType: 'http' });
  expect(out.first.columns).toHaveLength(12);
  expect(out.again).toMatchObject({ digest: out.first.digest, reused: true });
  // MLflow's URL is the source, the shipped copy the bytes: nothing is downloaded from GitHub.
  expect(JSON.parse(out.first.source)).toEqual({ url: WINE_URLS['winequality-red.csv'] });
  expect(hits['winequality-red.csv']).toBe(0);
  expect(out.bad).toContain('target: no column named "nope"');
  expect(out.runsAfterBad).toBe(0);
  expect(out.viaUrl.status).toBe('FINISHED');
  expect(out.viaUrl.digest).toBe(out.first.digest);
  expect(out.failed).toMatchObject({ status: 'FAILED', error: expect.stringContaining('nothing to train on') });
  expect((out.failed as { note: string }).note).toMatch(/^Training failed: /);
});

const BAD_CSVS: { name: string; text: string; message: RegExp }[] = [
  { name: 'ragged.csv', text: 'a,b,c\n1,2,3\n4,5\n6,7,8\n', message: /Row 3: expected 3 fields/ },
  { name: 'quote.csv', text: 'a,b,c\n1,2,3\n4,"5,6\n7,8,9\n', message: /Row 3, column `b`: a quoted cell starts here/ },
  {
    name: 'text.csv',
    text: `a,pH,c\n${Array.from({ length: 40 }, (_, i) => (i === 20 ? `${i},n/a!,1` : `${i},${3 + i / 100},1`)).join('\n')}\n`,
    message: /Row 22, column `pH`: 'n\/a!' is not a number/,
  },
  { name: 'empty.csv', text: '', message: /The file is empty/ },
];

test('C2: bad CSVs give a message naming row and column and store nothing', async ({ page }) => {
  await openLab(page);
  await page.getByRole('link', { name: 'Datasets' }).click();
  const picker = page.getByLabel('choose a file');
  for (const bad of BAD_CSVS) {
    await picker.setInputFiles({ name: bad.name, mimeType: 'text/csv', buffer: Buffer.from(bad.text) });
    await expect(page.getByRole('alert')).toContainText(bad.message);
  }
  const stored = await page.evaluate(() => window.mfflow.listDatasets());
  expect(stored).toEqual([]);
  await expect(page.getByRole('listitem', { name: /^Dataset / })).toHaveCount(0);
});

test('C1: a 200 MB generated CSV streams without a long task over 200 ms', async ({ page }) => {
  test.setTimeout(240_000);
  await openLab(page);
  await page.getByRole('link', { name: 'Datasets' }).click();
  const out = await page.evaluate(async () => {
    const tasks: { start: number; duration: number }[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
    });
    obs.observe({ type: 'longtask', buffered: false });
    // 8 columns of 12-character numbers: 200 MB of text, about 2 M rows.
    const rows: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r: string[] = [];
      for (let j = 0; j < 8; j++) r.push((((i * 7919 + j * 104729) % 1_000_000) / 1000 + 100000).toFixed(5));
      rows.push(r.join(','));
    }
    const chunk = `${rows.join('\n')}\n`;
    const parts = ['a,b,c,d,e,f,g,h\n'];
    let size = 0;
    while (size < 200 * 1024 * 1024) {
      parts.push(chunk);
      size += chunk.length;
    }
    const blob = new Blob(parts, { type: 'text/csv' });
    const t0 = performance.now();
    let streamEnd = Infinity;
    let progressEvents = 0;
    let outcome: string;
    try {
      const d = await window.mfflow.loadDataset(new File([blob], 'big.csv'), {
        onProgress: (p) => {
          progressEvents++;
          if (p.phase !== 'reading' && streamEnd === Infinity) streamEnd = performance.now();
        },
      });
      outcome = `stored ${d.rows} rows`;
    } catch (e) {
      outcome = `failed: ${(e as Error).message}`;
    }
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    obs.disconnect();
    const during = tasks.filter((t) => t.start >= t0 && t.start < Math.min(streamEnd, t1));
    return {
      outcome, bytes: blob.size, progressEvents, seconds: (t1 - t0) / 1000,
      longestDuringStream: Math.max(0, ...during.map((t) => t.duration)),
      longestOverall: Math.max(0, ...tasks.filter((t) => t.start >= t0).map((t) => t.duration)),
      tasks: tasks.map((t) => [Math.round(t.start - t0), Math.round(t.duration)]), streamEnd: streamEnd - t0,
    };
  });
  console.log('200 MB CSV:', JSON.stringify(out));
  expect(out.bytes).toBeGreaterThan(200 * 1024 * 1024);
  expect(out.progressEvents).toBeGreaterThan(10);
  expect(out.outcome).toMatch(/^stored \d+ rows$|^failed: \S/);
  expect(out.longestDuringStream).toBeLessThanOrEqual(200);
  // Saving the parsed table is cut into parts too (dataset-store.ts), so the page never freezes.
  expect(out.longestOverall).toBeLessThanOrEqual(200);
});
