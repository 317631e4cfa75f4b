import { expect, test } from '@playwright/test';
import { openLab, expectLabReady } from './helpers';

test('a run logged through window.mfflow is listed after a reload with its latest metric', async ({ page }) => {
  await openLab(page);
  const runId = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('e2e tracking');
    const run = await m.startRun({ runName: 'scripted-run' });
    await m.logParams({ alpha: 0.5, l1_ratio: 0.1, optimizer: 'adam' });
    for (let step = 0; step < 1000; step++) m.logMetric('loss', 1 / (step + 1), step);
    await m.endRun();
    return run.runId;
  });

  await page.reload();
  await expectLabReady(page);
  await page.getByRole('navigation', { name: 'Experiments' }).getByRole('button', { name: /e2e tracking/ }).click();
  const row = page.getByRole('row').filter({ hasText: 'scripted-run' });
  await expect(row).toBeVisible();
  // Latest value of loss is 1/1000, shown to 4 significant digits.
  await expect(row.getByRole('gridcell', { name: '0.001', exact: true })).toBeVisible();
  await expect(row.getByRole('gridcell', { name: 'adam' })).toBeVisible();

  const stored = await page.evaluate(async (id) => {
    const run = await window.mfflow.getRun(id);
    const h = await window.mfflow.getMetricHistory(id, 'loss');
    return { status: run.info.status, params: run.params, n: h.values.length, lastStep: h.steps[h.steps.length - 1] };
  }, runId);
  expect(stored).toEqual({ status: 'FINISHED', params: { alpha: '0.5', l1_ratio: '0.1', optimizer: 'adam' }, n: 1000, lastStep: 999 });
});

test('M1: a page closed while its run is RUNNING leaves a run the next open marks KILLED, metrics kept', async ({ context }) => {
  const first = await context.newPage();
  await openLab(first);
  const runId = await first.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('orphans');
    const run = await m.startRun({ runName: 'left-running' });
    for (let step = 0; step < 300; step++) m.logMetric('acc', step / 300, step);
    await m.flush();
    // Logged after the last flush and never flushed: lost with the tab, as expected.
    m.logMetric('acc', 2, 999);
    return run.runId;
  });
  await first.close();

  const second = await context.newPage();
  await openLab(second);
  const after = await second.evaluate(async (id) => {
    const run = await window.mfflow.getRun(id);
    const h = await window.mfflow.getMetricHistory(id, 'acc');
    return { status: run.info.status, ended: run.info.endTime !== null, n: h.values.length };
  }, runId);
  expect(after).toEqual({ status: 'KILLED', ended: true, n: 300 });
});

test('M2: a run still driven by another open tab is not marked KILLED', async ({ context }) => {
  const owner = await context.newPage();
  await openLab(owner);
  const runId = await owner.evaluate(async () => {
    const run = await window.mfflow.startRun({ runName: 'alive' });
    window.mfflow.logMetric('x', 1);
    await window.mfflow.flush();
    return run.runId;
  });
  const other = await context.newPage();
  await openLab(other);
  const status = await other.evaluate(async (id) => (await window.mfflow.getRun(id)).info.status, runId);
  expect(status).toBe('RUNNING');
});

test('scripts in a Web Worker use the same API through the page store', async ({ page }) => {
  await openLab(page);
  const result = await page.evaluate(() => window.mfflow.runScript(`
    await mfflow.setExperiment('from a worker');
    const run = await mfflow.startRun({ runName: 'worker-run' });
    await mfflow.logParam('where', 'worker');
    for (let i = 0; i < 500; i++) mfflow.logMetric('y', i * 2, i);
    await mfflow.endRun();
    return run.runId;
  `));
  const run = await page.evaluate(async (id) => {
    const r = await window.mfflow.getRun(id as string);
    const h = await window.mfflow.getMetricHistory(id as string, 'y');
    return { status: r.info.status, where: r.params.where, latest: r.metrics.y.latest, n: h.values.length };
  }, result);
  expect(run).toEqual({ status: 'FINISHED', where: 'worker', latest: 998, n: 500 });
  await page.getByRole('button', { name: /from a worker/ }).click();
  await expect(page.getByRole('row').filter({ hasText: 'worker-run' })).toBeVisible();
});
