/**
 * Workers that die (issue 14 item 3), in the built lab. A worker is made to close itself from
 * the inside with `mfflow.debug.crashWorkers(kind)`: the page does not terminate it and no
 * event fires on the Worker object, exactly as when the browser kills it or it runs out of
 * memory. The page must notice (the worker's liveness lock), end the job, and carry on.
 */
import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';
import { routeWine } from './wine-route';
import type { Run } from '../../src/lib/tracking/types';

type Pending = { pending: Promise<Run> };

async function loadRedWine(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
  await page.getByRole('group', { name: 'Built-in examples' }).getByRole('button', { name: 'Wine quality (red)' }).click();
  await expect(page.getByRole('status')).toContainText('Loaded Wine quality (red): 1,599 rows', { timeout: 20_000 });
}

/** Run locks (`mfflow-run:*`) held in this origin right now. */
async function heldRunLocks(page: Page): Promise<string[]> {
  return page.evaluate(async () => ((await navigator.locks.query()).held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith('mfflow-run:')));
}

test('M5: a training worker that dies mid-MLP ends its run FAILED with the reason, frees its lock, and the next training works', async ({ page }) => {
  test.setTimeout(180_000);
  await routeWine(page);
  await openLab(page);
  await loadRedWine(page);
  await page.getByRole('link', { name: 'New run' }).click();
  await page.evaluate(() => {
    (window as unknown as Pending).pending = window.mfflow.train({
      dataset: 'Wine quality (red)', model: 'mlp', target: 'quality', backend: 'cpu', runName: 'doomed-mlp',
      params: { epochs: 5000, batch_size: 32, hidden_layers: '32,16', validation_split: 0.1 },
    });
  });
  const job = page.getByRole('article', { name: 'Training job doomed-mlp' });
  await expect(job).toContainText(/epoch ([3-9]|\d\d+) of 5000/, { timeout: 60_000 });
  expect(await heldRunLocks(page)).toHaveLength(1);

  const asked = await page.evaluate(() => window.mfflow.debug.crashWorkers('training'));
  expect(asked).toBe(1);
  const t0 = Date.now();
  // The person sees it on the job card: FAILED, and why.
  await expect(job.getByTestId('job-status')).toHaveText('FAILED', { timeout: 10_000 });
  await expect(job.getByRole('alert')).toContainText('training worker crashed: stopped unexpectedly');
  const noticedMs = Date.now() - t0;
  expect(noticedMs).toBeLessThan(10_000);

  const run = await page.evaluate(async () => {
    const r = await (window as unknown as Pending).pending;
    return { status: r.info.status, endTime: r.info.endTime, error: r.tags['mfflow.error'], note: r.tags['mlflow.note.content'] };
  });
  expect(run.status).toBe('FAILED');
  expect(run.endTime).toBeGreaterThan(0);
  expect(run.error).toContain('stopped unexpectedly (closed, killed by the browser, or out of memory)');
  expect(run.note).toContain('Training failed: training worker crashed');
  expect(await heldRunLocks(page)).toEqual([]);

  // The pool replaced the worker: a new MLP trains to the end.
  const next = await page.evaluate(async () => {
    const r = await window.mfflow.train({
      dataset: 'Wine quality (red)', model: 'mlp', target: 'quality', backend: 'cpu', runName: 'after-crash',
      params: { epochs: 3, batch_size: 64, hidden_layers: '8' },
    });
    return { status: r.info.status, loss: (await window.mfflow.getMetricHistory(r.info.runId, 'loss')).values.length };
  });
  expect(next).toEqual({ status: 'FINISHED', loss: 3 });
  await expect(page.getByRole('article', { name: 'Training job after-crash' }).getByTestId('job-status')).toHaveText('FINISHED');
});

test('a CSV worker that dies mid-parse rejects the load with the typed reason, stores nothing, and the next load works', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page);
  const out = await page.evaluate(async () => {
    const row = '1.5,2.5,3.5,4.5,5.5,6.5,7.5,8.5\n';
    const blob = new Blob(['a,b,c,d,e,f,g,h\n', row.repeat(500_000)], { type: 'text/csv' });
    let crashed = 0;
    const loading = window.mfflow.loadDataset(new File([blob], 'big.csv'), {
      onProgress: (p) => { if (p.rows > 0 && crashed === 0) crashed = window.mfflow.debug.crashWorkers('CSV'); },
    });
    let message = '';
    let name = '';
    try {
      await loading;
    } catch (e) {
      message = (e as Error).message;
      name = (e as Error).name;
    }
    const after = (await window.mfflow.listDatasets()).map((d) => d.name);
    const small = await window.mfflow.loadDataset(new File(['x,y\n1,2\n3,4\n'], 'small.csv'));
    return { crashed, name, message, after, small: small.rows };
  });
  expect(out.crashed).toBe(1);
  expect(out.name).toBe('WorkerCrashedError');
  expect(out.message).toBe('The CSV worker stopped unexpectedly (closed, killed by the browser, or out of memory).');
  expect(out.after).not.toContain('big.csv');
  expect(out.small).toBe(2);
});
