/**
 * One change feed for runs and the registry: a bundle imported in one tab shows its registered
 * models on that tab's Models page and on another tab's, with no reload and no re-visit, and a
 * model registered in one tab appears in the other.
 */
import { expect, test } from '@playwright/test';
import { openLab } from './helpers';

test('a bundle with registered models imported in one tab lists them in both tabs without a reload', async ({ page, browser }) => {
  await openLab(page);
  const zip = await page.evaluate(async () => {
    const m = window.mfflow;
    const run = await m.startRun({ runName: 'to-register' });
    await m.logText('weights', 'model/MLmodel');
    await m.endRun();
    await m.registerModel(run.runId, 'model', 'wine');
    const f = await m.exportLab();
    return Array.from(new Uint8Array(await f.arrayBuffer()));
  });

  const fresh = await browser.newContext();
  const a = await fresh.newPage();
  const b = await fresh.newPage();
  await openLab(a, '#/models');
  await openLab(b, '#/models');
  const listA = a.getByRole('navigation', { name: 'Registered models' });
  const listB = b.getByRole('navigation', { name: 'Registered models' });
  await expect(listA).toContainText('No registered models yet');
  await expect(listB).toContainText('No registered models yet');

  await a.bringToFront();
  await a.getByTestId('bundle-file-input').setInputFiles({ name: 'lab.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  await expect(a.getByTestId('bundle-report')).toContainText('run(s) added');
  await expect(listA.getByRole('link', { name: 'wine' })).toBeVisible();
  await expect(listB.getByRole('link', { name: 'wine' })).toBeVisible();

  // A model registered in tab B shows up in tab A.
  await b.evaluate(async () => {
    const run = (await window.mfflow.searchRuns({ filter: "attributes.run_name = 'to-register'" })).runs[0];
    await window.mfflow.registerModel(run.info.runId, 'model', 'second');
  });
  await expect(listA.getByRole('link', { name: 'second' })).toBeVisible();
  await fresh.close();
});

test('one IndexedDB connection per page: runs, models, projects and servers (with a server and the mirror outbox) share the tracking store\'s', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __idbOpens: string[] };
    w.__idbOpens = [];
    const real = indexedDB.open.bind(indexedDB);
    indexedDB.open = (name: string, version?: number) => { w.__idbOpens.push(name); return real(name, version); };
  });
  await openLab(page);
  await page.evaluate(async () => {
    await window.mfflow.startRun({ runName: 'one' });
    await window.mfflow.endRun();
    await window.mfflow.servers.add({ name: 'team', url: 'http://127.0.0.1:9' });
  });
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [name, heading] of [['Models', 'Models'], ['Projects', 'Projects'], ['Servers', 'MLflow servers']]) {
    await nav.getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('listitem', { name: 'Server team' })).toBeVisible();
  await nav.getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/\b1 runs?\b/);
  const opens = await page.evaluate(() => (window as unknown as { __idbOpens: string[] }).__idbOpens);
  expect(opens).toEqual(['mfflow']);
});
