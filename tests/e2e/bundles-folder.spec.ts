// Importing a folder (issue 10): a real folder on disk, unpacked from the lab's own SQLite export
// (mlflow.db + mlruns/ artifacts + datasets/, the layout MLflow's defaults write too), picked with
// the "Import folder…" directory input in a fresh browser: it imports as its zip would, and the
// same folder again adds nothing. (tests/interop/lab-journey.test.ts picks a folder MLflow wrote.)
import { expect, test } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { openLab } from './helpers';

test('a folder holding mlflow.db and its artifacts, picked with Import folder…, imports as its zip; again adds nothing', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await openLab(page);
  const runId = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('e2e folder');
    const run = await m.startRun({ runName: 'from-a-folder' });
    await m.logParams({ alpha: 0.25 });
    for (let step = 0; step < 50; step++) m.logMetric('loss', 1 / (step + 1), step);
    await m.logText('artifact in a folder', 'notes/readme.txt');
    await m.endRun();
    return run.runId;
  });
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  const entries = unzipSafe(new Uint8Array(readFileSync(await (await download).path())));
  const root = mkdtempSync(join(tmpdir(), 'mfflow-folder-'));
  const dir = join(root, 'colleague-store');
  try {
    for (const [name, bytes] of entries) {
      if (name.endsWith('/')) continue;
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await openLab(other);
    await expect(other.getByRole('button', { name: 'Import folder…' })).toBeEnabled();
    await other.getByTestId('bundle-folder-input').setInputFiles(dir);
    const report = other.getByTestId('bundle-report');
    await expect(report).toContainText('1 run(s) added');
    const got = await other.evaluate(async (id) => {
      const r = await window.mfflow.getRun(id);
      const h = await window.mfflow.getMetricHistory(id, 'loss');
      const text = new TextDecoder().decode(await window.mfflow.readArtifact(id, 'notes/readme.txt'));
      return { name: r.info.runName, alpha: r.params.alpha, n: h.values.length, last: h.values[h.values.length - 1], text, from: r.tags['mfflow.import.source'] };
    }, runId);
    expect(got).toEqual({ name: 'from-a-folder', alpha: '0.25', n: 50, last: 1 / 50, text: 'artifact in a folder', from: 'colleague-store/' });
    await report.getByRole('button', { name: 'Dismiss' }).click();
    await other.getByTestId('bundle-folder-input').setInputFiles(dir);
    await expect(report).toContainText('0 run(s) added');
    await expect(report).toContainText('1 already here');
    await fresh.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
