/**
 * R3 and R4 (reliability matrix): an HTML artifact that tries to reach the lab (its IndexedDB,
 * the parent document, the top window's location) and an SVG artifact with scripts that a person
 * opens in a tab of its own. Neither may run anything in the lab's origin.
 */
import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';
import { HOSTILE_FILES, seedHostileRunInPage } from '../fixtures/untrusted-files';

const seed = (page: Page) => page.evaluate(seedHostileRunInPage, HOSTILE_FILES);

const dbNames = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());

test('R3: an HTML artifact with scripts on cannot open the lab\'s IndexedDB, touch the parent or navigate the tab', async ({ page }) => {
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  await openLab(page);
  const runId = await seed(page);
  const before = await dbNames(page);
  const url = page.url().replace(/#.*/, '');
  await page.evaluate((id) => (location.hash = `#/run/${id}`), runId);
  const preview = page.getByRole('region', { name: /Preview of/ });
  await page.getByRole('list', { name: 'Artifacts' }).getByRole('button', { name: /report\.html/ }).click();
  await expect(page.frameLocator('iframe[title^="HTML artifact"]').getByRole('heading', { name: 'Quarterly report' })).toBeVisible();
  await preview.getByRole('checkbox', { name: 'Run scripts' }).check();
  await expect(preview.locator('iframe')).toHaveAttribute('sandbox', 'allow-scripts');
  await expect(page.frameLocator('iframe[title^="HTML artifact"]').getByRole('heading', { name: 'Quarterly report' })).toBeVisible();
  await page.waitForTimeout(500);

  // Never both allow-scripts and allow-same-origin, in any frame the lab made.
  const sandboxes = await page.locator('iframe').evaluateAll((fs) => fs.map((f) => f.getAttribute('sandbox')));
  expect(sandboxes.length).toBeGreaterThan(0);
  for (const s of sandboxes) expect(s !== null && !(s.includes('allow-scripts') && s.includes('allow-same-origin'))).toBe(true);
  // The frame's origin is opaque: it cannot read the lab's storage.
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  expect(await frame.evaluate(() => origin)).toBe('null');
  // The inline script was refused outright by the policy the srcdoc frame inherits.
  expect(consoleLines.some((l) => /Content Security Policy/.test(l) && /inline/.test(l))).toBe(true);

  expect(page.url().replace(/#.*/, '')).toBe(url);
  expect(await page.title()).not.toBe('owned');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await dbNames(page)).toEqual(before);
  expect(before).toContain('mfflow');
  const n = await page.evaluate(async (id) => (await window.mfflow.getMetricHistory(id, 'loss')).values.length, runId);
  expect(n).toBe(10);
});

test('R4: an SVG artifact with scripts, opened in a tab of its own, runs with an opaque origin and cannot reach the lab\'s data', async ({ page, context }) => {
  await openLab(page);
  const runId = await seed(page);
  const before = await dbNames(page);
  await page.evaluate((id) => (location.hash = `#/run/${id}`), runId);
  const tree = page.getByRole('list', { name: 'Artifacts' });
  await tree.getByRole('button', { name: 'plots' }).click();
  await tree.getByRole('button', { name: /chart\.svg/ }).click();
  const img = page.getByRole('region', { name: /Preview of/ }).getByRole('img', { name: 'chart.svg' });
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(40);
  // As an <img>, SVG runs no script in the lab.
  expect(await page.title()).not.toMatch(/svg/);
  expect(await page.evaluate(() => (window as unknown as { __svg?: unknown }).__svg)).toBeUndefined();

  // "Open image in new tab": the same URL, as a document of its own.
  const src = (await img.getAttribute('src'))!;
  expect(src.startsWith('data:image/svg+xml')).toBe(true);
  const tab = await context.newPage();
  await tab.goto(src);
  const inTab = await tab.evaluate(async () => ({
    origin,
    idb: await Promise.resolve().then(() => { try { indexedDB.open('probe'); return 'opened'; } catch (e) { return (e as Error).name; } }),
    storage: (() => { try { return String(localStorage.length); } catch (e) { return (e as Error).name; } })(),
  }));
  expect(inTab.origin).toBe('null');
  expect(inTab.idb).toBe('SecurityError');
  expect(inTab.storage).toBe('SecurityError');
  await tab.close();
  expect(await dbNames(page)).toEqual(before);
  expect(await page.evaluate(async (id) => (await window.mfflow.getRun(id)).info.status, runId)).toBe('FINISHED');
});
