/**
 * S1 with a real quota in Firefox (docs/reliability-matrix.md; Chromium's is tests/e2e/storage-quota.spec.ts).
 * Firefox takes its storage limit from the profile: `dom.quotaManager.temporaryStorage.fixedLimit`
 * (KiB, all temporary storage) caps every origin group at a share of it, so a browser started
 * with a small limit refuses a big import with a real QuotaExceededError. The limit cannot change
 * while Firefox runs, so "writes work again" is shown with a smaller write after the refusal
 * (Chromium's test lifts its CDP override instead). Service workers are off in that profile: the
 * lab's offline cache would count against the small quota before the test even starts.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EnginePage } from './driver';
import { launchFirefox, type FirefoxHandle } from './firefox';
import { openLab, waitFor } from './journeys';
import { LabServer } from './lab-server';
import { runNamesInPage } from '../fixtures/lab-in-page';
import { EARLIER_RUN, exportWeightsBundleInPage, logEarlierRunInPage, MiB, readEarlierRunInPage, STORAGE_FULL, weightsSizeInPage } from '../fixtures/storage-quota';

const server = new LabServer(Number(process.env.ENGINES_PORT || 4327));
const wanted = (process.env.ENGINES || 'firefox,webkit').split(',').map((e) => e.trim()).includes('firefox');
const handles: FirefoxHandle[] = [];

beforeAll(async () => { if (wanted) await server.start(); });
afterAll(async () => {
  for (const h of handles) await h.close();
  await server.stop();
});

/** Logs a run holding a `size`-byte incompressible artifact in a lab with room, and exports the lab (base64). */
const bundle = (page: EnginePage, name: string, size: number) =>
  page.eval(exportWeightsBundleInPage, { experiment: `bundle ${name}`, runs: [name], bytes: size });

const runNames = (page: EnginePage) => page.eval(runNamesInPage);

const importB64 = (page: EnginePage, b64: string) => page.eval(async (b) =>
  window.mfflow.importBundle(Uint8Array.from(atob(b), (c) => c.charCodeAt(0))).then(() => 'imported', (e: Error & { code?: string }) => `${e.name} ${e.code ?? ''}: ${e.message}`), b64);

it('S1: in Firefox, over a real quota (a 50 MiB storage limit in the profile) an import is refused whole, the banner gives usage and quota, earlier runs stay readable, and a smaller write then works', async (ctx) => {
  if (!wanted) ctx.skip();
  // The bundles, made in a Firefox with the default limit.
  const roomy = await launchFirefox(server.baseUrl, server.setOffline);
  handles.push(roomy);
  await openLab(roomy.session.page);
  // exportLab takes the whole lab: the small bundle first, so it holds only its run.
  const small = await bundle(roomy.session.page, 'small-run', 256 * 1024);
  const big = await bundle(roomy.session.page, 'big-run', 12 * MiB);
  await roomy.close();
  handles.splice(handles.indexOf(roomy), 1);

  const tight = await launchFirefox(server.baseUrl, server.setOffline, {
    'dom.quotaManager.temporaryStorage.fixedLimit': 50 * 1024,
    'dom.serviceWorkers.enabled': false,
  });
  handles.push(tight);
  const { page } = tight.session;
  await openLab(page);
  const quota = await page.eval(async () => (await navigator.storage.estimate()).quota ?? 0);
  // The origin's share of the 50 MiB limit: far below the 12 MiB bundle plus what importing it writes.
  expect(quota).toBeGreaterThan(1 * MiB);
  expect(quota).toBeLessThan(12 * MiB);

  const earlier = await page.eval(logEarlierRunInPage);

  const refused = await importB64(page, big);
  assert.match(refused, /quota/i);
  const bannerCss = `[role="alert"][aria-label="${STORAGE_FULL.name}"]`;
  await waitFor(page, 'the Storage is full banner', (css) => document.querySelector(css) !== null, bannerCss, 30_000);
  const banner = await page.eval((css) => document.querySelector(css)!.textContent ?? '', bannerCss);
  // The figures are Firefox's own (navigator.storage.estimate()), which here does report the limit.
  assert.match(banner, STORAGE_FULL.usage('KiB|MiB|GiB'));
  for (const text of STORAGE_FULL.says) assert.ok(banner.includes(text), `the banner says "${text}": ${banner}`);

  // Nothing of the refused bundle is stored; the earlier run is whole, here and after a reload.
  expect(await runNames(page)).toEqual(['earlier']);
  await page.reload();
  await openLab(page);
  expect(await page.eval(readEarlierRunInPage, earlier)).toEqual(EARLIER_RUN);
  expect(await runNames(page)).toEqual(['earlier']);

  // The store is not stuck: a bundle that fits imports whole.
  expect(await importB64(page, small)).toBe('imported');
  expect(await runNames(page)).toEqual(['earlier', 'small-run']);
  expect(await page.eval(async (id) => (await window.mfflow.getRun(id)).info.status, earlier)).toBe('FINISHED');
  expect(await page.eval(weightsSizeInPage, 'small-run')).toBe(256 * 1024);
}, 240_000);
