/**
 * Storage that fails or disappears (docs/reliability-matrix.md S3, S7; issue 14 item 4), in Chromium with
 * faults injected before the lab runs: IndexedDB that throws (a private window, storage blocked),
 * IndexedDB that never answers, and origin data deleted by the browser between two visits.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openLab, expectLabReady } from './helpers';
import { countRunsInPage } from '../fixtures/lab-in-page';
import { winePath } from '../data/wine';

async function logRun(page: Page, name: string): Promise<string> {
  return page.evaluate(async (n) => {
    const m = window.mfflow;
    await m.setExperiment('storage faults');
    const run = await m.startRun({ runName: n });
    for (let i = 0; i < 20; i++) m.logMetric('loss', 1 / (i + 1), i);
    await m.endRun();
    return run.runId;
  }, name);
}

/**
 * Downloads what the "Unsaved runs" alert offers for `runName` and imports it back into the lab:
 * the file's name and the run as the import stored it (its loss history as plain arrays).
 */
async function importOffered(page: Page, runName: string, runId: string) {
  const offer = page.getByRole('alert', { name: 'Unsaved runs' });
  const [download] = await Promise.all([page.waitForEvent('download'), offer.getByRole('button', { name: `Download the unsaved data of run ${runName}` }).click()]);
  const bytes = [...readFileSync((await download.path())!)];
  const back = await page.evaluate(async ({ b, id }) => {
    const m = window.mfflow;
    await m.importBundle(new Uint8Array(b));
    const r = await m.getRun(id);
    const h = await m.getMetricHistory(id, 'loss');
    return { status: r.info.status, name: r.info.runName, params: r.params, tags: r.tags, steps: Array.from(h.steps), values: Array.from(h.values) };
  }, { b: bytes, id: runId });
  return { file: download.suggestedFilename(), back };
}

test('S7: IndexedDB that refuses gives an in-memory lab with a banner that stays, and export still works', async ({ page, browser }) => {
  await page.addInitScript(() => {
    IDBFactory.prototype.open = function () { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };
  });
  await openLab(page);
  const banner = page.getByRole('status', { name: 'In-memory lab' });
  await expect(banner).toContainText('Nothing is saved in this browser');
  await expect(banner).toContainText('SecurityError');
  const runId = await logRun(page, 'in-memory-run');
  await page.evaluate(() => (location.hash = '#/runs'));
  await expect(banner).toBeVisible();
  const bytes = await page.evaluate(async () => Array.from(new Uint8Array(await (await window.mfflow.exportLab()).arrayBuffer())));

  // The exported bundle carries the run into a browser whose storage works.
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await openLab(other);
  await expect(other.getByRole('status', { name: 'In-memory lab' })).toHaveCount(0);
  const got = await other.evaluate(async ({ b, id }) => {
    await window.mfflow.importBundle(new Uint8Array(b));
    const r = await window.mfflow.getRun(id);
    return { name: r.info.runName, n: (await window.mfflow.getMetricHistory(id, 'loss')).values.length };
  }, { b: bytes, id: runId });
  expect(got).toEqual({ name: 'in-memory-run', n: 20 });
  await ctx.close();
});

test('S7: IndexedDB that never answers: after 3 s the person chooses, and memory works', async ({ page }) => {
  await page.addInitScript(() => {
    // A request that never fires success, error or blocked (what docs/reliability.md §1.5 says of Safari 14).
    IDBFactory.prototype.open = function () {
      const request = new EventTarget();
      Object.setPrototypeOf(request, IDBOpenDBRequest.prototype);
      return request as IDBOpenDBRequest;
    };
  });
  await page.goto('./');
  const stalled = page.getByRole('alert', { name: 'Storage is not answering' });
  await expect(stalled).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Opening the lab' })).toBeVisible();
  await stalled.getByRole('button', { name: 'Continue in memory' }).click();
  await expectLabReady(page);
  await expect(page.getByRole('status', { name: 'In-memory lab' })).toContainText('did not answer');
  await expect(stalled).toHaveCount(0);
  const runId = await logRun(page, 'after-stall');
  expect(await page.evaluate(async (id) => (await window.mfflow.getRun(id)).info.status, runId)).toBe('FINISHED');
});

test('S3: data the browser deleted between visits is said on the next open, with an import prompt', async ({ context, baseURL }) => {
  const first = await context.newPage();
  await openLab(first);
  await logRun(first, 'soon-gone');
  await logRun(first, 'also-gone');
  // The marker outside IndexedDB follows the store a second after a change.
  await expect.poll(() => first.evaluate(() => JSON.parse(localStorage.getItem('mfflow:stored-runs') ?? '{}').runs), { timeout: 5000 }).toBe(2);
  await first.close();

  // The browser clears the origin's IndexedDB (as eviction or "clear site data" would).
  const second = await context.newPage();
  const cdp = await context.newCDPSession(second);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(baseURL!).origin, storageTypes: 'indexeddb' });
  await openLab(second);
  const notice = second.getByRole('alert', { name: 'Stored data was deleted' });
  await expect(notice).toContainText('The browser deleted this lab');
  await expect(notice).toContainText('2 runs');
  await expect(notice.getByRole('button', { name: 'Import a bundle…' })).toBeVisible();
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
  // Said once: the next open is quiet.
  await second.reload();
  await expectLabReady(second);
  await expect(second.getByRole('alert', { name: 'Stored data was deleted' })).toHaveCount(0);
});

test('S6: data cleared under an open page: said at once, no run listed that no longer exists, and the lab keeps working', async ({ page, context, baseURL }) => {
  await openLab(page);
  await logRun(page, 'gone-1');
  await logRun(page, 'gone-2');
  await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('mfflow:stored-runs') ?? '{}').runs), { timeout: 5000 }).toBe(2);

  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(baseURL!).origin, storageTypes: 'indexeddb' });
  const notice = page.getByRole('alert', { name: 'Stored data was deleted' });
  await expect(notice).toContainText('while this page was open');
  await expect(notice).toContainText('2 runs were kept here');
  await expect(notice.getByRole('button', { name: 'Import a bundle…' })).toBeVisible();
  // The page's caches were dropped: nothing lists the deleted runs.
  await expect.poll(() => page.evaluate(countRunsInPage)).toBe(0);

  const runId = await logRun(page, 'after-clear');
  expect(await page.evaluate(async (id) => (await window.mfflow.getRun(id)).info.status, runId)).toBe('FINISHED');
  await page.reload();
  await expectLabReady(page);
  const after = await page.evaluate(async () => {
    const ids = (await window.mfflow.listExperiments('ALL')).map((e) => e.experimentId);
    return (await window.mfflow.searchRuns({ experimentIds: ids, runViewType: 'ALL' })).runs.map((r) => [r.info.runName, r.info.status]);
  });
  expect(after).toEqual([['after-clear', 'FINISHED']]);
});

test('S6: a run active when the data is cleared under the page ends KILLED in memory, its unwritten points are offered as a bundle that imports back, and a new run starts', async ({ page, context, baseURL }) => {
  await openLab(page);
  const runId = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('cleared under a run');
    const run = await m.startRun({ runName: 'live-run' });
    await m.logParams({ alpha: 0.5, l1_ratio: 0.1 });
    await m.setTag('team', 'wine');
    // A training loop: one point every 5 ms until the run can no longer take them.
    const w = window as unknown as { lastStep: number; refused: string };
    w.lastStep = -1;
    let step = 0;
    const timer = setInterval(() => {
      try {
        m.logMetric('loss', 1 / (step + 1), step);
        w.lastStep = step++;
      } catch (e) {
        w.refused = (e as Error).message;
        clearInterval(timer);
      }
    }, 5);
    return run.runId;
  });
  await expect.poll(() => page.evaluate(() => (window as unknown as { lastStep: number }).lastStep), { timeout: 5000 }).toBeGreaterThan(100);

  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(baseURL!).origin, storageTypes: 'indexeddb' });
  const offer = page.getByRole('alert', { name: 'Unsaved runs' });
  await expect(offer).toContainText('Run live-run was running when the data was deleted');
  await expect(offer).toContainText('ended KILLED');
  await expect(page.getByRole('alert', { name: 'Stored data was deleted' })).toContainText('while this page was open');

  // The run ended in memory: the loop's next point was refused, no run is active, a new one starts and is saved.
  const after = await page.evaluate(async () => {
    const m = window.mfflow;
    const w = window as unknown as { lastStep: number; refused: string };
    const active = m.activeRun();
    const next = await m.startRun({ runName: 'after-clear' });
    m.logMetric('loss', 0.5, 0);
    await m.endRun();
    return { active, refused: w.refused, lastStep: w.lastStep, next: (await m.getRun(next.runId)).info.status };
  });
  expect(after.active).toBeNull();
  expect(after.refused).toContain('No active run');
  expect(after.next).toBe('FINISHED');

  // The offered download is an MLflow bundle holding the run, KILLED, with its params, tags and the points never written.
  const { file, back } = await importOffered(page, 'live-run', runId);
  expect(file).toBe(`mfflow-unsaved-${runId.slice(0, 8)}.zip`);
  expect(back).toMatchObject({ status: 'KILLED', name: 'live-run', params: { alpha: '0.5', l1_ratio: '0.1' }, tags: { team: 'wine' } });
  // The points are the loop's last ones, without a gap, up to the last one it logged.
  expect(back.steps.length).toBeGreaterThan(0);
  expect(back.steps[back.steps.length - 1]).toBe(after.lastStep);
  back.steps.forEach((s, i) => {
    expect(s).toBe(back.steps[0] + i);
    expect(back.values[i]).toBe(1 / (s + 1));
  });
});

test('S6: a training job running when the data is cleared under the page ends KILLED, its worker stopped, and its whole run (params, tags, every logged point) is offered as a bundle that imports back', async ({ page, context, baseURL }) => {
  await openLab(page);
  const csv = readFileSync(await winePath('winequality-red.csv'), 'utf8');
  await page.evaluate(async (text) => {
    const m = window.mfflow;
    const d = await m.loadDataset(new File([text], 'winequality-red.csv', { type: 'text/csv' }));
    await m.setExperiment('cleared under training');
    location.hash = '#/new';
    (window as unknown as { trained: Promise<unknown> }).trained = m.train({
      dataset: d.digest, model: 'mlp', target: 'quality', backend: 'cpu', runName: 'live-mlp',
      params: { epochs: 5000, batch_size: 64, hidden_layers: '16', validation_split: 0.1 },
    }).then((r) => ({ status: r.info.status }), (e) => ({ rejected: `${(e as { code?: string }).code}: ${(e as Error).message}` }));
  }, csv);
  const card = page.getByRole('article', { name: 'Training job live-mlp' });
  await expect(card).toContainText(/epoch ([5-9]|\d\d+) of 5000/, { timeout: 60_000 });

  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(baseURL!).origin, storageTypes: 'indexeddb' });
  const offer = page.getByRole('alert', { name: 'Unsaved runs' });
  await expect(offer).toContainText('Run live-mlp was running when the data was deleted', { timeout: 15_000 });
  await expect(offer).toContainText('ended KILLED');

  // The job ended KILLED in memory, said so on its card; train() says why; its worker stopped.
  await expect(card.getByTestId('job-status')).toHaveText('KILLED');
  await expect(card).toContainText('The browser deleted the lab\'s data while this run was training');
  const ended = await page.evaluate(() => (window as unknown as { trained: Promise<{ status?: string; rejected?: string }> }).trained);
  expect(ended.rejected).toMatch(/^RESOURCE_DOES_NOT_EXIST: The browser deleted the lab's data while run live-mlp was training/);
  const job = await page.evaluate(() => window.mfflow.jobs().find((j) => j.runName === 'live-mlp')!);
  expect(job.status).toBe('KILLED');
  const epochs = job.epochsDone!;
  expect(epochs).toBeGreaterThanOrEqual(5);
  expect(epochs).toBeLessThan(5000);
  // A new run starts at once, with no reload.
  const next = await page.evaluate(async () => {
    const r = await window.mfflow.startRun({ runName: 'after-clear' });
    await window.mfflow.endRun();
    return (await window.mfflow.getRun(r.runId)).info.status;
  });
  expect(next).toBe('FINISHED');

  const { back } = await importOffered(page, 'live-mlp', job.runId!);
  expect(back).toMatchObject({
    status: 'KILLED', name: 'live-mlp',
    params: { hidden_layers: '16', epochs: '5000', batch_size: '64' },
    tags: { 'mfflow.training.epochs_done': String(epochs) },
  });
  // Every epoch the worker trained, from the first: those written before the clear (deleted with the
  // rest) and those the worker still held when it was stopped.
  expect(back.steps).toEqual(Array.from({ length: epochs }, (_, i) => i));
  expect(back.values.every(Number.isFinite)).toBe(true);
});
