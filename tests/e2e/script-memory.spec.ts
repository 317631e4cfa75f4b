import { expect, test, type Page } from '@playwright/test';
import { openLab, typeScript } from './helpers';

// The scripts' memory limit (src/lib/projects/memory-limit.ts), walked through the script editor
// and `window.mfflow.runScript`: a script keeping typed arrays or TF.js tensors past the limit
// fails with a message naming the limit and the size, keeps what it logged, and leaves the lab
// alive; memory dropped along the way is given back, and TF.js training runs under the guard.

async function runNamed(page: Page, name: string) {
  return page.evaluate(async (runName) => {
    const exps = await window.mfflow.listExperiments();
    const [run] = (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId), filter: `attributes.run_name = '${runName}'` })).runs;
    const history = run ? await window.mfflow.getMetricHistory(run.info.runId, 'step_mb') : null;
    return run ? { status: run.info.status, error: run.tags['mfflow.error'], steps: history ? [...history.steps] : [], loss: run.metrics.loss?.latest } : null;
  }, name);
}

test('a script keeping Float64Arrays is stopped at the editor\'s memory limit with the sizes; its logged metrics stay; the lab runs the next script', async ({ page }) => {
  test.setTimeout(90_000);
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  const limit = editor.getByLabel('Memory limit (MB)');
  await expect(limit).toHaveValue('1024');
  await limit.fill('256');
  await typeScript(page, [
    "await mfflow.startRun({ runName: 'hog' });",
    'const kept = [];',
    'for (let i = 0; ; i++) {',
    '  mfflow.logMetric("step_mb", i * 80, i);',
    '  kept.push(new Float64Array(1e7));',
    '}',
  ].join('\n'));
  await editor.getByRole('button', { name: 'Run script' }).click();
  // 80 MB each: three fit under 256 MB, the fourth would make 306.
  await expect(editor.getByRole('alert')).toHaveText('Script failed: RangeError: memory limit: this script would use 306 MB, the limit is 256 MB (line 5)', { timeout: 30_000 });
  const hog = await runNamed(page, 'hog');
  expect(hog).toMatchObject({ status: 'FAILED', error: expect.stringContaining('memory limit: this script would use 306 MB, the limit is 256 MB'), steps: [0, 1, 2, 3] });

  // A limit that is not a number of megabytes is said before anything runs.
  await limit.fill('2');
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('alert')).toHaveText('Memory limit (MB) must be a number of megabytes from 16 to 65536; got 2.');

  // A script that catches the RangeError is ended all the same, at its next turn.
  await limit.fill('512');
  await typeScript(page, [
    "await mfflow.startRun({ runName: 'catcher' });",
    'try { new Float64Array(1e9); } catch (e) { console.log("caught", e.name); }',
    'await new Promise((r) => setTimeout(r, 3000));',
    'await mfflow.setTag("survived", "yes");',
  ].join('\n'));
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('alert')).toHaveText('Script failed: RangeError: memory limit: this script would use 7630 MB, the limit is 512 MB (line 2)', { timeout: 30_000 });
  expect(await runNamed(page, 'catcher')).toMatchObject({ status: 'FAILED', error: expect.stringContaining('7630 MB') });

  // The lab is alive and runs the next script.
  await typeScript(page, "console.log('still here');");
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('status')).toHaveText('Finished', { timeout: 20_000 });
  await expect(editor.getByRole('log', { name: 'Script output' })).toHaveText('still here');
});

test('a script that allocates and drops big arrays, far more in total than the limit but never more at once, is not stopped', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await editor.getByLabel('Memory limit (MB)').fill('256');
  // 40 × 40 MB = 1.6 GB in all; each array is dropped, and the script yields to timers so the
  // garbage collector's news (FinalizationRegistry callbacks) reaches the count.
  await typeScript(page, [
    'let total = 0;',
    'for (let i = 0; i < 40; i++) {',
    '  const a = new Float64Array(5e6);',
    '  a[i] = i;',
    '  total += a.byteLength;',
    '  await new Promise((r) => setTimeout(r, 50));',
    '}',
    "console.log('allocated MB', Math.round(total / 1048576));",
  ].join('\n'));
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('status')).toHaveText('Finished', { timeout: 90_000 });
  await expect(editor.getByRole('log', { name: 'Script output' })).toHaveText('allocated MB 1526');
});

test('TF.js tensors kept past the limit stop the script; TF.js training with fit() runs under the guard', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await editor.getByLabel('Memory limit (MB)').fill('64');
  await typeScript(page, [
    "await mfflow.startRun({ runName: 'tensors' });",
    'const kept = [];',
    'for (let i = 0; i < 100; i++) {',
    '  mfflow.logMetric("step_mb", i * 4, i);',
    '  kept.push(tf.randomNormal([1e6]));',
    '}',
  ].join('\n'));
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('alert')).toContainText(/^Script failed: RangeError: memory limit: this script would use 6[4-9] MB, the limit is 64 MB \(line 5\)$/, { timeout: 60_000 });
  const tensors = await runNamed(page, 'tensors');
  expect(tensors?.status).toBe('FAILED');
  expect(tensors?.error).toContain('the limit is 64 MB');
  expect(tensors?.steps.length).toBeGreaterThanOrEqual(15);

  // A small model trained with fit(): tensors made and disposed every batch, typed arrays of
  // the script's own data (counted) handed to tf, metrics logged from the epoch callback.
  await editor.getByLabel('Memory limit (MB)').fill('1024');
  await typeScript(page, [
    "await mfflow.startRun({ runName: 'fit' });",
    'const n = 256, xs = new Float32Array(n * 4), ys = new Float32Array(n);',
    'for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < 4; j++) { xs[i * 4 + j] = Math.sin(i * 7 + j); s += (j + 1) * xs[i * 4 + j]; } ys[i] = s; }',
    'const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: "relu" }), tf.layers.dense({ units: 1 })] });',
    'model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });',
    'const first = model.evaluate(tf.tensor2d(xs, [n, 4]), tf.tensor2d(ys, [n, 1])).dataSync()[0];',
    'await model.fit(tf.tensor2d(xs, [n, 4]), tf.tensor2d(ys, [n, 1]), { epochs: 30, batchSize: 32, verbose: 0,',
    '  callbacks: { onEpochEnd: (epoch, logs) => mfflow.logMetric("loss", logs.loss, epoch) } });',
    'const last = model.evaluate(tf.tensor2d(xs, [n, 4]), tf.tensor2d(ys, [n, 1])).dataSync()[0];',
    'console.log(last < first / 4 ? "learned" : `did not learn: ${first} -> ${last}`);',
    'await mfflow.endRun();',
  ].join('\n'));
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('status')).toHaveText('Finished', { timeout: 60_000 });
  await expect(editor.getByRole('log', { name: 'Script output' })).toHaveText('learned');
  const fit = await page.evaluate(async () => {
    const exps = await window.mfflow.listExperiments();
    const [run] = (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId), filter: "attributes.run_name = 'fit'" })).runs;
    return { status: run.info.status, points: (await window.mfflow.getMetricHistory(run.info.runId, 'loss')).steps.length };
  });
  expect(fit).toEqual({ status: 'FINISHED', points: 30 });
});

test('mfflow.runScript(code, { memoryLimitMB }): over the limit rejects with the sizes and fails the run; dropping memory is fine; a bad limit is refused', async ({ page }) => {
  test.setTimeout(120_000);
  await openLab(page);
  const over = await page.evaluate(() => window.mfflow.runScript(`
    await mfflow.startRun({ runName: 'console-hog' });
    const kept = [];
    for (let i = 0; ; i++) { mfflow.logMetric('step_mb', i * 40, i); kept.push(new Float32Array(1e7)); }
  `, { memoryLimitMB: 100 }).then(() => 'finished', (e: Error) => e.message));
  // 40 MB each: two fit under 100 MB, the third would make 115.
  expect(over).toBe('memory limit: this script would use 115 MB, the limit is 100 MB');
  expect(await runNamed(page, 'console-hog')).toMatchObject({ status: 'FAILED', steps: [0, 1, 2] });

  const dropped = await page.evaluate(() => window.mfflow.runScript(`
    let total = 0;
    for (let i = 0; i < 40; i++) { total += new Float32Array(1e7).length * 4; await new Promise((r) => setTimeout(r, 50)); }
    return total;
  `, { memoryLimitMB: 256 }));
  expect(dropped).toBe(1.6e9);

  const refused = await page.evaluate(() => window.mfflow.runScript('return 1', { memoryLimitMB: -5 }).then(String, (e: Error) => e.message));
  expect(refused).toBe('runScript() memoryLimitMB must be a number of megabytes from 16 to 65536; got -5.');
});

test('mfflow.runProject(uri, { memoryLimitMB }): a JavaScript entry point over its limit ends its run FAILED with the sizes', async ({ page }) => {
  test.setTimeout(90_000);
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await typeScript(page, [
    'const kept = [];',
    'for (let i = 0; i < 50; i++) { mfflow.logMetric("step_mb", i * 16, i); kept.push(new Uint8Array(16 * 1048576)); }',
    "console.log('kept', kept.length);",
  ].join('\n'));
  const save = editor.getByRole('group', { name: 'Save as project' });
  await save.getByLabel('Project name').fill('hoarder');
  await save.getByRole('button', { name: 'Keep in lab' }).click();
  await expect(editor.getByRole('status').filter({ hasText: 'Kept in this lab' })).toHaveText('Kept in this lab as saved/hoarder');

  const refused = await page.evaluate(() => window.mfflow.runProject('saved/hoarder', { memoryLimitMB: 1e9 }).then(() => 'ran', (e: Error) => e.message));
  expect(refused).toBe('runProject() memoryLimitMB must be a number of megabytes from 16 to 65536; got 1000000000.');
  // 50 × 16 MB fit the default 1024 MB; under 100 MB the seventh array is refused.
  const runs = await page.evaluate(async () => {
    const roomy = await window.mfflow.runProject('saved/hoarder', { runName: 'roomy' });
    const tight = await window.mfflow.runProject('saved/hoarder', { runName: 'tight', memoryLimitMB: 100 });
    return [roomy, tight].map((r) => ({ status: r.info.status, error: r.tags['mfflow.error'] ?? null, points: r.metrics.step_mb?.latest }));
  });
  expect(runs[0]).toEqual({ status: 'FINISHED', error: null, points: 49 * 16 });
  expect(runs[1]).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^RangeError: memory limit: this script would use 112 MB, the limit is 100 MB \(line \d+\)$/), points: 6 * 16 });
});
