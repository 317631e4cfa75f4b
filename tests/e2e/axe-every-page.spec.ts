import { expect, test, type Page } from '@playwright/test';
import { openLab, seriousViolations, SIZES } from './helpers';
import { WINE_URLS } from '../data/wine';
import { routeWine } from './wine-route';

// Issue 12: no serious or critical axe-core violation on EVERY route of the lab, empty and with
// data, at a laptop's and a phone's size (the journeys check only the pages they pass), and no
// page scrolls sideways. Data is made through window.mfflow (setup); each page is opened by its
// link, as a bookmark would.

const RED_URL = WINE_URLS['winequality-red.csv'];
const EMPTY = ['#/', '#/runs', '#/compare', '#/datasets', '#/new', '#/models', '#/serve', '#/servers', '#/projects'];

async function check(page: Page, hash: string, ready?: () => Promise<void>): Promise<string[]> {
  await openLab(page, hash);
  if (ready) await ready();
  await page.waitForTimeout(300); // lazy charts mount
  const width = page.viewportSize()!.width;
  const out = await seriousViolations(page, `${hash} @${width}`);
  const scroll = await page.evaluate(() => document.scrollingElement!.scrollWidth);
  if (scroll > width) out.push(`${hash} @${width}: page is ${scroll}px wide`);
  return out;
}

for (const size of SIZES) {
  test(`axe on every route at ${size.width}px, empty and with runs, models and a served model`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await routeWine(page);
    await openLab(page);
    const bad: string[] = [];
    for (const hash of EMPTY) bad.push(...(await check(page, hash)));

    const ids = await page.evaluate(async (url) => {
      const m = window.mfflow;
      const d = await m.loadDataset(url);
      const trained = await m.train({ dataset: d.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
      await m.registerModel(trained.info.runId, 'model', 'wine');
      const r = await m.startRun({ runName: 'history', tags: { team: 'blue' } });
      await m.logParams({ alpha: '0.1', l1_ratio: '0.5' });
      [0.9, 0.8, 0.75].forEach((v, step) => m.logMetric('rmse', v, step));
      await m.endRun();
      return { trained: trained.info.runId, other: r.runId, exp: trained.info.experimentId };
    }, RED_URL);

    const full: [string, (() => Promise<void>)?][] = [
      ['#/'], [`#/runs?exp=${ids.exp}`], [`#/run/${ids.trained}`], [`#/run/${ids.other}`],
      [`#/compare?runs=${ids.trained},${ids.other}`], ['#/datasets'], ['#/new'], ['#/models'], ['#/models/wine'],
      ['#/serve?model=models:/wine/1', async () => {
        await expect(page.getByRole('form', { name: 'Prediction form' })).toBeVisible({ timeout: 30_000 });
      }],
      ['#/servers'], ['#/projects'],
      [`#/runs?exp=${ids.exp}`, async () => {
        await page.getByRole('button', { name: /^Columns/ }).click();
        await expect(page.getByRole('dialog', { name: 'Columns' })).toBeVisible();
      }],
    ];
    for (const [hash, ready] of full) bad.push(...(await check(page, hash, ready)));
    expect(bad).toEqual([]);
  });
}
