import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { WINE_URLS } from '../data/wine';
import { openLab } from './helpers';
import { readExportedZip } from './exported-zip';
import { routeWine } from './wine-route';

test('the run page exports the run and its model as MLflow zips', async ({ page }) => {
  await routeWine(page);
  await openLab(page);
  const runId = await page.evaluate(async (url) => {
    await window.mfflow.setExperiment('exports');
    const run = await window.mfflow.train({ dataset: url, model: 'elasticnet', target: 'quality', runName: 'to-export', params: { alpha: 0.5, l1_ratio: 0.5 } });
    return run.info.runId;
  }, WINE_URLS['winequality-red.csv']);
  await page.goto(`./#/run/${runId}`);
  const header = page.getByRole('article').locator('header').first();

  const [model] = await Promise.all([page.waitForEvent('download'), header.getByRole('button', { name: 'Export model' }).click()]);
  const modelFiles = unzipSync(new Uint8Array(readFileSync(await model.path())));
  const names = Object.keys(modelFiles);
  const mlmodelPath = names.find((n) => n.endsWith('MLmodel'))!;
  expect(mlmodelPath).toBeTruthy();
  const mlmodel = strFromU8(modelFiles[mlmodelPath]);
  expect(mlmodel).toContain("loader_module: 'mlflow.onnx'");
  expect(mlmodel).toContain('"name": "alcohol"');
  expect(names.some((n) => n.endsWith('model.onnx'))).toBe(true);

  const [bundle] = await Promise.all([page.waitForEvent('download'), header.getByRole('button', { name: 'Export 1 run' }).click()]);
  const exported = await readExportedZip(new Uint8Array(readFileSync(await bundle.path())));
  expect(exported.layout).toBe('sqlite'); // the default layout: MLflow 3.7+'s default store
  expect([...exported.runIds]).toEqual([runId]);
  // MLflow's tutorial figure, as MLflow's store keeps it.
  const [value] = exported.metric(runId, 'rmse');
  expect(Math.abs(value - 0.7931640229276851)).toBeLessThan(1e-9 * 0.7931640229276851);
});

test('the runs page exports the selected runs and the whole experiment', async ({ page }) => {
  await openLab(page);
  const ids = await page.evaluate(async () => {
    const m = window.mfflow;
    const exp = await m.setExperiment('to share');
    const out: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const r = await m.startRun({ runName: `share-${name}` });
      m.logMetric('loss', name.charCodeAt(0), 0);
      await m.endRun();
      out.push(r.runId);
    }
    return { exp: exp.experimentId, runs: out };
  });
  await page.goto(`./#/runs?exp=${ids.exp}`);
  await page.getByRole('row').filter({ hasText: 'share-a' }).getByRole('checkbox').check();
  await page.getByRole('row').filter({ hasText: 'share-c' }).getByRole('checkbox').check();
  const toolbar = page.getByRole('toolbar', { name: 'Selected runs' });
  const [selected] = await Promise.all([page.waitForEvent('download'), toolbar.getByRole('button', { name: 'Export 2 runs' }).click()]);
  const runsIn = async (path: string) => (await readExportedZip(new Uint8Array(readFileSync(path)))).runIds;
  expect(await runsIn(await selected.path())).toEqual(new Set([ids.runs[0], ids.runs[2]]));
  const [whole] = await Promise.all([page.waitForEvent('download'), toolbar.getByRole('button', { name: 'Export experiment' }).click()]);
  expect(await runsIn(await whole.path())).toEqual(new Set(ids.runs));
});
