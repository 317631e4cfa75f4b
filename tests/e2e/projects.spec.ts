import { expect, test, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { openLab, expectLabReady, typeScript } from './helpers';
import { routeWine } from './wine-route';

// MLflow Projects, clicked as a person: a workshop link `?project=<zip>&P.alpha=0.42` opens the
// wine project with its form prefilled and runs nothing until Run; the run records its source
// (tags and code artifacts); Re-run repeats it bit for bit; Re-run with changes (l1_ratio) opens
// the recorded project prefilled and says the new run cannot be exact.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const exampleDir = join(root, 'src/lib/projects/examples/sklearn_elasticnet_wine');

/** The shipped example as a teacher would zip it: one top folder, as GitHub's "Download ZIP". */
function exampleZip(): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(exampleDir)) files[`wine-project/${f}`] = readFileSync(join(exampleDir, f));
  return zipSync(files);
}

async function runCount(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const exps = await window.mfflow.listExperiments();
    const res = await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId) });
    return res.runs.length;
  });
}

async function systemTag(page: Page, key: string) {
  const tags = page.getByRole('region', { name: 'Tags' });
  const summary = tags.getByText(/^System tags/);
  if (!(await tags.locator('details[open]').count())) await summary.click();
  return tags.getByRole('row', { name: new RegExp(`^${key.replace(/\./g, '\\.')} `) }).getByRole('cell');
}

test('a project link: prefilled typed form, Run, source recorded, Re-run exact, Re-run with l1_ratio changed', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await routeWine(page);
  const zipUrl = new URL('fixtures/wine-project.zip', baseURL).href;
  const zip = exampleZip();
  await page.route(zipUrl, (r) => r.fulfill({ body: Buffer.from(zip), contentType: 'application/zip' }));

  await openLab(page, `?project=${encodeURIComponent(zipUrl)}&P.alpha=0.42`);
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
  await expect(page.getByRole('note')).toContainText('nothing runs until you press Run');
  const form = page.getByRole('form', { name: 'Run the project' });
  await expect(page.getByRole('heading', { name: 'tutorial' })).toBeVisible();
  await expect(form.getByRole('radio', { name: 'main' })).toBeChecked();
  const alpha = form.getByLabel('alpha float');
  const l1 = form.getByLabel('l1_ratio float');
  await expect(alpha).toHaveValue('0.42');
  await expect(l1).toHaveValue('');
  await expect(l1).toHaveAttribute('placeholder', '0.1');
  expect(await runCount(page)).toBe(0);

  // MLflow's wording for a value of the wrong type, before any run exists.
  await alpha.fill('0.4x');
  await expect(form.getByRole('alert')).toHaveText('Expected float for parameter alpha but got 0.4x');
  await expect(form.getByRole('button', { name: 'Run' })).toBeDisabled();
  expect(await runCount(page)).toBe(0);
  await alpha.fill('0.42');
  await expect(form.getByRole('alert')).toHaveCount(0);

  await form.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('link', { name: /^open run / }).click({ timeout: 60_000 });

  // The run: MLflow's source tags, the lab's build, the code and the resolved spec as artifacts.
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const runId = page.url().split('#/run/')[1];
  const params = page.getByRole('table', { name: 'Parameters' });
  await expect(params.getByRole('row', { name: /^alpha / })).toContainText('0.42');
  await expect(params.getByRole('row', { name: /^l1_ratio / })).toContainText('0.1');
  await expect(await systemTag(page, 'mlflow.source.type')).toHaveText('PROJECT');
  await expect(await systemTag(page, 'mlflow.source.name')).toHaveText(zipUrl);
  await expect(await systemTag(page, 'mlflow.project.entryPoint')).toHaveText('main');
  await expect(await systemTag(page, 'mlflow.project.env')).toHaveText('mfflow');
  await expect(await systemTag(page, 'mlflow.project.backend')).toHaveText('mfflow');
  const source = page.getByRole('region', { name: 'Source' });
  await expect(source).toContainText('PROJECT, entry point main');
  await expect(source).toContainText('sha256:');
  const artifacts = page.getByRole('list', { name: 'Artifacts' });
  await artifacts.getByRole('button', { name: 'code' }).click();
  await expect(artifacts.getByRole('button', { name: /^MLproject/ })).toBeVisible();
  await expect(artifacts.getByRole('button', { name: /^train\.py/ })).toBeVisible();
  await artifacts.getByRole('button', { name: /^training_spec\.json/ }).click();
  await expect(page.getByText('"alpha": 0.42').first()).toBeVisible();

  // Re-run: same spec and data, same build: identical metrics, said so.
  await source.getByRole('button', { name: 'Re-run', exact: true }).click();
  await source.getByRole('link', { name: /^open / }).click({ timeout: 60_000 });
  await expect(page.getByTestId('rerun-exactness')).toHaveText(/metrics should be identical, and they are\./, { timeout: 20_000 });
  const diffs = page.getByRole('table', { name: 'Metric differences from the original run' });
  await expect(diffs.getByRole('row', { name: /^rmse / }).getByRole('cell').last()).toHaveText('0');
  await expect(await systemTag(page, 'mlflow.source.type')).toHaveText('PROJECT');

  // Re-run with changes: the recorded project opens prefilled; l1_ratio 0.5.
  await page.goto(`./#/run/${runId}`);
  await page.getByRole('region', { name: 'Source' }).getByRole('link', { name: 'Re-run with changes' }).click();
  await expect(page.getByRole('note')).toContainText(`Re-run with changes of run ${runId}`);
  const form2 = page.getByRole('form', { name: 'Run the project' });
  await expect(form2.getByLabel('alpha float')).toHaveValue('0.42');
  await expect(form2.getByLabel('l1_ratio float')).toHaveValue('0.1');
  await form2.getByLabel('l1_ratio float').fill('0.5');
  await form2.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('link', { name: /^open run / }).click({ timeout: 60_000 });
  await expect(page.getByRole('table', { name: 'Parameters' }).getByRole('row', { name: /^l1_ratio / })).toContainText('0.5');
  await expect(page.getByTestId('rerun-exactness')).toHaveText(/Cannot be exact: the training spec or data changed/, { timeout: 20_000 });
  await expect(page.getByRole('table', { name: 'Metric differences from the original run' }).getByRole('row', { name: /^rmse / })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Source' })).toContainText('Re-run of');
});

test('mfflow.listProjects and mfflow.runProject: the shipped example by its URI, a wrong type refused before a run exists', async ({ page }) => {
  test.setTimeout(90_000);
  await routeWine(page);
  await openLab(page);
  const out = await page.evaluate(async () => {
    const listed = window.mfflow.listProjects().map((p) => p.uri);
    let refused = '';
    try {
      await window.mfflow.runProject('examples/sklearn_elasticnet_wine', { params: { alpha: 'lots' } });
    } catch (e) {
      refused = (e as Error).message;
    }
    const exps = await window.mfflow.listExperiments();
    const before = (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId) })).runs.length;
    const run = await window.mfflow.runProject('examples/sklearn_elasticnet_wine', { entryPoint: 'main', params: { alpha: 0.42, l1_ratio: '0.1' } });
    const again = await window.mfflow.rerun(run.info.runId);
    const m = (r: typeof run) => Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v.latest]));
    return { listed, refused, before, status: run.info.status, tags: run.tags, params: run.params, metrics: m(run), again: m(again), againTags: again.tags };
  });
  expect(out.listed).toContain('examples/sklearn_elasticnet_wine');
  expect(out.refused).toBe('Expected float for parameter alpha but got lots');
  expect(out.before).toBe(0);
  expect(out.status).toBe('FINISHED');
  expect(out.tags['mlflow.source.name']).toBe('examples/sklearn_elasticnet_wine');
  expect(out.tags['mlflow.source.type']).toBe('PROJECT');
  expect(out.params.alpha).toBe('0.42');
  expect(out.metrics.rmse).toBeGreaterThan(0.5);
  expect(out.again).toEqual(out.metrics);
  expect(out.againTags['mfflow.rerun_of']).toBeTruthy();
});

test('every lab run records its source: mfflow.train and a sweep are LOCAL with the resolved spec as an artifact', async ({ page }) => {
  test.setTimeout(90_000);
  await routeWine(page);
  await openLab(page);
  const out = await page.evaluate(async () => {
    const m = window.mfflow;
    const data = await m.loadDataset('https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv');
    const run = await m.train({ dataset: data.digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.3 } });
    const parent = await m.sweep({ dataset: data.digest, model: 'elasticnet', target: 'quality', sweep: { strategy: 'grid', params: { alpha: [0.1, 0.2] } } });
    const spec = JSON.parse(new TextDecoder().decode(await m.readArtifact(run.info.runId, 'training_spec.json')));
    const exps = await m.listExperiments();
    const all = (await m.searchRuns({ experimentIds: exps.map((e) => e.experimentId) })).runs;
    const children = all.filter((r) => r.tags['mlflow.parentRunId'] === parent.info.runId);
    return { tags: run.tags, spec, parentTags: parent.tags, childTags: children.map((c) => c.tags), page: location.origin + location.pathname };
  });
  expect(out.tags['mlflow.source.type']).toBe('LOCAL');
  expect(out.tags['mlflow.source.name']).toBe(out.page);
  expect(out.tags['mfflow.lab.version']).toMatch(/^0\.1\.0\+[0-9a-f]{12}$/);
  expect(out.tags['mfflow.source.digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(out.spec.spec).toMatchObject({ model: 'elasticnet', target: 'quality', standardize: false, split: { seed: 40, testSize: 0.25, shuffle: 'numpy' } });
  expect(out.spec.spec.params.alpha).toBe(0.3);
  expect(out.parentTags['mfflow.source.via']).toBe('sweep');
  expect(out.childTags).toHaveLength(2);
  for (const t of out.childTags) expect(t['mfflow.source.digest']).toMatch(/^sha256:/);
});

test('runs started from the console (window.mfflow) record their source: LOCAL, the lab page, the lab build, via console', async ({ page }) => {
  await openLab(page);
  const out = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('console-runs');
    const run = await m.startRun({ runName: 'typed-in-devtools' });
    await m.logMetric('x', 1);
    await m.endRun();
    const inside = await m.withRun({ runName: 'with-run' }, async () => m.activeRun()!.runId);
    const tags = (id: string) => m.getRun(id).then((r) => r.tags);
    return { runId: run.runId, tags: await tags(run.runId), withRunTags: await tags(inside), page: location.origin + location.pathname };
  });
  for (const t of [out.tags, out.withRunTags]) {
    expect(t).toMatchObject({
      'mlflow.source.type': 'LOCAL', 'mlflow.source.name': out.page, 'mlflow.project.env': 'mfflow', 'mlflow.project.backend': 'mfflow', 'mfflow.source.via': 'console',
    });
    expect(t['mfflow.lab.version']).toMatch(/^0\.1\.0\+[0-9a-f]{12}$/);
  }
  // A person sees them on the run page, as MLflow's UI shows a local run's source.
  await page.goto(`./#/run/${out.runId}`);
  await expect(await systemTag(page, 'mlflow.source.name')).toHaveText(out.page);
  await expect(await systemTag(page, 'mlflow.source.type')).toHaveText('LOCAL');
});

test('Export as MLflow Project: the zip an elastic-net run downloads opens on the Projects page and repeats the run', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await routeWine(page);
  await openLab(page);
  const runId = await page.evaluate(async () => {
    const m = window.mfflow;
    const data = await m.loadDataset('https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv');
    const run = await m.train({ dataset: data.digest, model: 'elasticnet', target: 'quality', runName: 'to-export', params: { alpha: 0.42, l1_ratio: 0.1 } });
    return run.info.runId;
  });
  await page.goto(`./#/run/${runId}`);
  const downloading = page.waitForEvent('download');
  await page.getByRole('region', { name: 'Source' }).getByRole('button', { name: 'Export as MLflow Project' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('to-export-mlflow-project.zip');
  const zipPath = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(zipPath);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  await page.getByLabel('Project zip (a folder with an MLproject file)').setInputFiles(zipPath);
  const form = page.getByRole('form', { name: 'Run the project' });
  await expect(page.getByRole('heading', { name: 'to-export' })).toBeVisible();
  await expect(form.getByLabel('alpha float')).toHaveAttribute('placeholder', '0.42');
  await expect(form.getByText('MLflow runs python train.py --alpha {alpha}')).toBeVisible();
  await form.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('link', { name: /^open run / }).click({ timeout: 60_000 });
  const ids = [runId, page.url().split('#/run/')[1]];
  const [a, b] = await page.evaluate(async (ids) => Promise.all(ids.map((id) => window.mfflow.getRun(id))), ids);
  for (const k of ['rmse', 'mae', 'r2']) expect(b.metrics[k].latest).toBe(a.metrics[k].latest);
  expect(b.tags['mlflow.source.type']).toBe('PROJECT');
  expect(b.tags['mlflow.source.name']).toBe('to-export-mlflow-project.zip');
});

test('script editor: a script runs in the sandbox with streamed output, records its run and source; errors give the line', async ({ page }) => {
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await typeScript(page, [
    "await mfflow.setExperiment('editor');",
    "await mfflow.startRun({ runName: 'edited' });",
    'for (let i = 0; i < 5; i++) { mfflow.logMetric("loss", 1 / (i + 1), i); console.log("step", i); }',
    'await mfflow.endRun();',
  ].join('\n'));
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('status')).toHaveText('Finished', { timeout: 20_000 });
  await expect(editor.getByRole('log', { name: 'Script output' })).toContainText('step 4');
  await editor.getByRole('link').first().click();
  await expect(page.getByRole('heading', { name: 'edited', level: 1 })).toBeVisible();
  const artifacts = page.getByRole('list', { name: 'Artifacts' });
  await artifacts.getByRole('button', { name: 'code' }).click();
  await artifacts.getByRole('button', { name: /^script\.js/ }).click();
  await expect(page.getByText("await mfflow.setExperiment('editor');")).toBeVisible();
  await expect(page.getByRole('region', { name: 'Source' })).toContainText('LOCAL');

  await page.goto('./#/projects');
  await typeScript(page, "const a = 1;\nawait mfflow.startRun({ runName: 'broken' });\nnull.boom;\n");
  await page.getByRole('region', { name: 'Script editor' }).getByRole('button', { name: 'Run script' }).click();
  await expect(page.getByRole('region', { name: 'Script editor' }).getByRole('alert')).toContainText(/Script failed: TypeError: .*\(line 3\)/, { timeout: 20_000 });
  const broken = await page.evaluate(async () => {
    const exps = await window.mfflow.listExperiments();
    const runs = (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId), filter: "attributes.run_name = 'broken'" })).runs;
    return runs.map((r) => ({ status: r.info.status, error: r.tags['mfflow.error'] }));
  });
  expect(broken).toHaveLength(1);
  expect(broken[0].status).toBe('FAILED');
  expect(broken[0].error).toMatch(/TypeError.*line 3/);
});

test('a hostile script reaches nothing outside its mfflow API, and its run says why it failed', async ({ page }) => {
  await openLab(page, '#/projects');
  // A run with data the script must not read except through mfflow.
  await page.evaluate(async () => {
    await window.mfflow.startRun({ runName: 'secret' });
    await window.mfflow.logText('top secret', 'secret.txt');
    await window.mfflow.endRun();
  });
  const url = page.url();
  await typeScript(page, `
await mfflow.startRun({ runName: 'hostile' });
const tries = {};
async function attempt(name, fn) {
  try { await fn(); tries[name] = 'REACHED'; } catch (e) { tries[name] = 'refused: ' + e.name; }
}
await attempt('indexedDB', () => new Promise((ok, no) => { const r = indexedDB.open('mfflow'); r.onsuccess = ok; r.onerror = () => no(r.error); }));
await attempt('caches', () => caches.keys());
await attempt('parent', () => parent.document.title);
await attempt('top.location', () => { top.location.href = 'https://example.com/'; });
await attempt('fetch', () => fetch(location.origin + '/lab/index.html'));
await attempt('deleteRun', () => mfflow.deleteRun('x'));
await attempt('exportLab', () => mfflow.exportLab());
console.log(JSON.stringify(tries));
throw new Error('hostile script gave up');
`);
  const editor = page.getByRole('region', { name: 'Script editor' });
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('alert')).toContainText('Script failed: Error: hostile script gave up', { timeout: 20_000 });
  const tries = JSON.parse((await editor.getByRole('log', { name: 'Script output' }).innerText()).trim()) as Record<string, string>;
  // Opaque origin: IndexedDB refused, no caches; a worker has no parent or top; the frame's
  // policy refuses every request; the relay refuses methods outside the script API.
  expect(tries).toEqual({
    indexedDB: 'refused: SecurityError', caches: 'refused: ReferenceError', parent: 'refused: ReferenceError',
    'top.location': 'refused: ReferenceError', fetch: 'refused: TypeError', deleteRun: 'refused: Error', exportLab: 'refused: Error',
  });
  expect(page.url()).toBe(url);
  const runs = await page.evaluate(async () => {
    const exps = await window.mfflow.listExperiments();
    const all = (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId) })).runs;
    return all.map((r) => ({ name: r.info.runName, status: r.info.status, error: r.tags['mfflow.error'] ?? null, deleted: r.info.lifecycleStage }));
  });
  expect(runs.find((r) => r.name === 'secret')).toMatchObject({ status: 'FINISHED', deleted: 'active' });
  expect(runs.find((r) => r.name === 'hostile')).toMatchObject({ status: 'FAILED', error: expect.stringContaining('hostile script gave up') });
});

test('a script over its time limit is stopped without freezing the lab, its run FAILED with the reason', async ({ page }) => {
  await openLab(page, '#/projects');
  await typeScript(page, "await mfflow.startRun({ runName: 'spinner' });\nwhile (true) {}\n");
  const editor = page.getByRole('region', { name: 'Script editor' });
  await editor.getByLabel('Time limit (s)').fill('2');
  await editor.getByRole('button', { name: 'Run script' }).click();
  // The page stays responsive while the script spins.
  await expect(editor.getByRole('button', { name: 'Cancel script' })).toBeEnabled();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).focus();
  await expect(editor.getByRole('alert')).toContainText('time limit of 2 s', { timeout: 20_000 });
  const run = await page.evaluate(async () => {
    const exps = await window.mfflow.listExperiments();
    return (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId), filter: "attributes.run_name = 'spinner'" })).runs[0];
  });
  expect(run.info.status).toBe('FAILED');
  expect(run.tags['mfflow.error']).toContain('time limit');
});

test('a runaway script whose sandbox process is ended (what Chromium does to one out of memory) ends FAILED with the reason; the lab tab survives and runs the next script', async ({ page }) => {
  test.setTimeout(90_000);
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await typeScript(page, "await mfflow.startRun({ runName: 'hog' });\nconst kept = [];\nfor (;;) kept.push(Math.random());\n");
  await editor.getByLabel('Time limit (s)').fill('80');
  await editor.getByRole('button', { name: 'Run script' }).click();
  // Playwright takes any crashed frame for a crashed page and then refuses to drive the page, so
  // after the crash the tab is driven through its own CDP session: the same keyboard and mouse
  // events Playwright sends. It answering at all shows its process is alive.
  const tab = await page.context().newCDPSession(page);
  const inTab = async <T>(expression: string): Promise<T> => {
    const r = await tab.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  };
  const statusOf = (name: string) => inTab<{ status: string; error: string | null } | null>(`(async () => {
    const exps = await window.mfflow.listExperiments();
    const run = (await window.mfflow.searchRuns({ experimentIds: exps.map((e) => e.experimentId), filter: "attributes.run_name = '${name}'" })).runs[0];
    return run ? { status: run.info.status, error: run.tags['mfflow.error'] ?? null } : null;
  })()`);
  const editorText = (role: string) => inTab<string>(`[...document.querySelectorAll('section.editor > [role=${role}]')].map((e) => e.textContent).join(' ')`);
  await expect.poll(async () => (await statusOf('hog'))?.status, { timeout: 20_000 }).toBe('RUNNING');
  // The sandbox frame has a process of its own (Playwright refuses a CDP session for a frame
  // that shares its page's); ending that process is what Chromium does when the script's
  // allocations exhaust memory, without spending gigabytes of the test machine on it.
  const sandbox = page.frames().find((f) => f.url().endsWith('/sandbox.html'));
  expect(sandbox).toBeTruthy();
  const frameSession = await page.context().newCDPSession(sandbox!);
  await frameSession.send('Page.crash').catch(() => undefined);
  await expect.poll(() => editorText('alert'), { timeout: 30_000 }).toContain('Script failed: the script ran out of memory (its sandbox process ended without an error)');
  expect(await statusOf('hog')).toEqual({ status: 'FAILED', error: expect.stringContaining('ran out of memory') });
  // The lab's tab is alive and the next script runs: select the editor's text, type, click Run.
  await inTab(`document.querySelector('[aria-label="Script"][contenteditable]').focus()`);
  await tab.send('Input.dispatchKeyEvent', { type: 'keyDown', modifiers: 2, key: 'a', code: 'KeyA', windowsVirtualKeyCode: 65, commands: ['selectAll'] });
  await tab.send('Input.dispatchKeyEvent', { type: 'keyUp', modifiers: 2, key: 'a', code: 'KeyA', windowsVirtualKeyCode: 65 });
  await tab.send('Input.insertText', { text: "await mfflow.startRun({ runName: 'after' });\nawait mfflow.logMetric('x', 1);\nawait mfflow.endRun();\n" });
  const at = await inTab<{ x: number; y: number }>(`(() => { const b = [...document.querySelectorAll('section.editor button')].find((e) => e.textContent === 'Run script'); b.scrollIntoView(); const r = b.getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
  for (const type of ['mousePressed', 'mouseReleased'] as const) await tab.send('Input.dispatchMouseEvent', { type, ...at, button: 'left', clickCount: 1 });
  await expect.poll(() => editorText('status'), { timeout: 20_000 }).toBe('Finished');
  expect(await statusOf('after')).toEqual({ status: 'FINISHED', error: null });
});

test('workshop link: the dialog builds a URL and QR code; opening it asks, then runs into the named experiment', async ({ page }) => {
  test.setTimeout(90_000);
  await routeWine(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await openLab(page, '#/projects');
  await page.getByRole('button', { name: 'Open examples/sklearn_elasticnet_wine' }).click();
  const form = page.getByRole('form', { name: 'Run the project' });
  await form.getByLabel('alpha float').fill('0.3');
  await form.getByRole('button', { name: 'Share as a link' }).click();
  const dialog = page.getByRole('dialog', { name: 'Workshop link' });
  await dialog.getByLabel('Experiment name (optional)').fill('workshop-1');
  const link = await dialog.getByLabel('Workshop link URL').inputValue();
  const q = new URL(link).searchParams;
  expect([q.get('project'), q.get('P.alpha'), q.get('experiment')]).toEqual(['examples/sklearn_elasticnet_wine', '0.3', 'workshop-1']);
  await expect(dialog.getByRole('img', { name: 'QR code of the workshop link' }).locator('svg')).toBeVisible();
  const width = await dialog.evaluate((d) => d.getBoundingClientRect().right);
  expect(width).toBeLessThanOrEqual(390);
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.goto(link);
  await expectLabReady(page);
  await expect(page.getByRole('note')).toContainText('nothing runs until you press Run');
  const form2 = page.getByRole('form', { name: 'Run the project' });
  await expect(form2.getByLabel('alpha float')).toHaveValue('0.3');
  await expect(form2).toContainText('Runs go to experiment workshop-1');
  expect(await runCount(page)).toBe(0);
  await form2.getByRole('button', { name: 'Run' }).click();
  await page.getByRole('link', { name: /^open run / }).click({ timeout: 60_000 });
  const run = await page.evaluate(async (id) => {
    const r = await window.mfflow.getRun(id);
    const exps = await window.mfflow.listExperiments();
    return { exp: exps.find((e) => e.experimentId === r.info.experimentId)?.name, alpha: r.params.alpha };
  }, page.url().split('#/run/')[1]);
  expect(run).toEqual({ exp: 'workshop-1', alpha: '0.3' });
});

test('a JavaScript entry point runs its main({ params, mfflow, data }) in the sandbox, in the run the project started', async ({ page }) => {
  await openLab(page, '#/projects');
  const enc = new TextEncoder();
  const zip = zipSync({
    'MLproject': enc.encode([
      'name: js-demo', 'entry_points:', '  main:', '    parameters:', '      alpha: {type: float, default: 0.5}',
      '    command: "python never.py {alpha}"', '    mfflow:', '      module: train.js',
      '  broken:', '    mfflow:', '      module: broken.js', '',
    ].join('\n')),
    'train.js': enc.encode([
      'export async function main({ params, mfflow, data }) {',
      '  await mfflow.startRun();',
      "  const rows = data.files['points.csv'].trim().split('\\n').length - 1;",
      "  await mfflow.logMetrics({ double_alpha: params.alpha * 2, rows });",
      "  console.log('rows', rows);",
      '}', '',
    ].join('\n')),
    'broken.js': enc.encode('export async function main({ mfflow }) {\n  await mfflow.logMetric("x", 1);\n  undefinedThing.call();\n}\n'),
    'points.csv': enc.encode('x,y\n1,2\n3,4\n5,6\n'),
  });
  await page.getByLabel('Project zip (a folder with an MLproject file)').setInputFiles({ name: 'js-demo.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  const form = page.getByRole('form', { name: 'Run the project' });
  await form.getByLabel('alpha float').fill('0.42');
  await form.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Run / })).toContainText('Run FINISHED', { timeout: 20_000 });
  await page.getByRole('link', { name: /^open run / }).click();
  const id = page.url().split('#/run/')[1];
  const run = await page.evaluate((runId) => window.mfflow.getRun(runId), id);
  expect(run.metrics.double_alpha.latest).toBe(0.84);
  expect(run.metrics.rows.latest).toBe(3);
  expect(run.params.alpha).toBe('0.42');
  expect(run.tags['mlflow.source.type']).toBe('PROJECT');
  expect(run.tags['mlflow.project.entryPoint']).toBe('main');
  const code = await page.evaluate(async (runId) => (await window.mfflow.listArtifacts(runId, 'code')).map((a) => a.path).sort(), id);
  expect(code).toEqual(['code/MLproject', 'code/broken.js', 'code/points.csv', 'code/train.js']);

  await page.goBack();
  await page.getByLabel('Project zip (a folder with an MLproject file)').setInputFiles({ name: 'js-demo.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  const form2 = page.getByRole('form', { name: 'Run the project' });
  await form2.getByRole('radio', { name: 'broken' }).check();
  await form2.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Run / })).toContainText('Run FAILED', { timeout: 20_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'undefinedThing' })).toContainText('(line 3)');
});

test('tf in a JavaScript entry point and in the editor: TF.js on the cpu backend inside the sandbox, metrics computed with it', async ({ page }) => {
  await openLab(page, '#/projects');
  const enc = new TextEncoder();
  const zip = zipSync({
    'MLproject': enc.encode(['name: tf-demo', 'entry_points:', '  main:', '    parameters:', '      scale: {type: float, default: 1}', '    mfflow:', '      module: main.js', ''].join('\n')),
    'main.js': enc.encode([
      'export async function main({ params, mfflow, tf }) {',
      '  await mfflow.startRun();',
      '  const x = tf.tensor2d([[1, 2], [3, 4]]);',
      '  const y = tf.matMul(x, x).mul(params.scale);',
      '  await mfflow.logMetrics({ tf_sum: (await y.sum().data())[0], tf_mean: tf.mean(tf.tensor([1, 2, 3, 4])).dataSync()[0] });',
      "  await mfflow.setTag('tf_backend', tf.getBackend());",
      '}', '',
    ].join('\n')),
  });
  await page.getByLabel('Project zip (a folder with an MLproject file)').setInputFiles({ name: 'tf-demo.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  const form = page.getByRole('form', { name: 'Run the project' });
  await form.getByLabel('scale float').fill('0.5');
  await form.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Run / })).toContainText('Run FINISHED', { timeout: 30_000 });
  await page.getByRole('link', { name: /^open run / }).click();
  const run = await page.evaluate((runId) => window.mfflow.getRun(runId), page.url().split('#/run/')[1]);
  // [[1,2],[3,4]]² = [[7,10],[15,22]], sum 54, times 0.5.
  expect(run.metrics.tf_sum.latest).toBe(27);
  expect(run.metrics.tf_mean.latest).toBe(2.5);
  expect(run.tags.tf_backend).toBe('cpu');

  // The editor completes tf's names and its scripts get the same tf.
  await page.goBack();
  await typeScript(page, 'console.log(tf.getBackend(), tf.ten');
  await expect(page.getByRole('option', { name: 'tensor2d' })).toBeVisible();
  await page.keyboard.press('Escape');
  await typeScript(page, 'console.log(tf.getBackend(), tf.tensor1d([1, 2, 3]).square().sum().arraySync());');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await editor.getByRole('button', { name: 'Run script' }).click();
  await expect(editor.getByRole('log', { name: 'Script output' })).toHaveText('cpu 14', { timeout: 30_000 });
});

test('save a script as a project: kept in the lab it is listed after a reload and runs with source tags; the downloaded zip opens and runs', async ({ page }, testInfo) => {
  await openLab(page, '#/projects');
  const editor = page.getByRole('region', { name: 'Script editor' });
  await typeScript(page, [
    "await mfflow.startRun();",
    "await mfflow.logMetrics({ saved_metric: 2 * (params.k ?? 21) });",
    "console.log('saved script ran');",
  ].join('\n'));
  const save = editor.getByRole('group', { name: 'Save as project' });
  await save.getByLabel('Project name').fill('bad name!');
  await save.getByRole('button', { name: 'Keep in lab' }).click();
  await expect(editor.getByRole('alert')).toContainText("'bad name!' cannot name a project");
  await save.getByLabel('Project name').fill('doubler');
  await save.getByRole('button', { name: 'Keep in lab' }).click();
  await expect(editor.getByRole('status').filter({ hasText: 'Kept in this lab' })).toHaveText('Kept in this lab as saved/doubler');

  const downloading = page.waitForEvent('download');
  await save.getByRole('button', { name: 'Download as project' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('doubler.zip');
  const zipPath = testInfo.outputPath('doubler.zip');
  await download.saveAs(zipPath);

  await page.reload();
  const kept = page.getByRole('region', { name: 'Kept in this lab' });
  await kept.getByRole('button', { name: 'Open saved/doubler' }).click();
  await expect(page.getByRole('heading', { name: 'doubler' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Run the project' });
  await form.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Run / })).toContainText('Run FINISHED', { timeout: 20_000 });
  await page.getByRole('link', { name: /^open run / }).click();
  await expect(await systemTag(page, 'mlflow.source.type')).toHaveText('PROJECT');
  await expect(await systemTag(page, 'mlflow.source.name')).toHaveText('saved/doubler');
  await expect(await systemTag(page, 'mlflow.project.entryPoint')).toHaveText('main');
  const first = await page.evaluate(async (id) => {
    const r = await window.mfflow.getRun(id);
    return { metric: r.metrics.saved_metric.latest, code: (await window.mfflow.listArtifacts(id, 'code')).map((a) => a.path).sort() };
  }, page.url().split('#/run/')[1]);
  expect(first).toEqual({ metric: 42, code: ['code/MLproject', 'code/script.js'] });

  // The downloaded zip, re-opened through the picker, is the same project.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  await page.getByLabel('Project zip (a folder with an MLproject file)').setInputFiles(zipPath);
  await expect(page.getByRole('heading', { name: 'doubler' })).toBeVisible();
  await page.getByRole('form', { name: 'Run the project' }).getByRole('button', { name: 'Run' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Run / })).toContainText('Run FINISHED', { timeout: 20_000 });
  await page.getByRole('link', { name: /^open run / }).click();
  await expect(await systemTag(page, 'mlflow.source.name')).toHaveText('doubler.zip');
  expect(await page.evaluate(async (id) => (await window.mfflow.getRun(id)).metrics.saved_metric.latest, page.url().split('#/run/')[1])).toBe(42);
});

test('Re-run of a seeded MLP on the cpu backend repeats its metrics bit for bit, and the run page says so', async ({ page }) => {
  test.setTimeout(120_000);
  await routeWine(page);
  await openLab(page);
  const ids = await page.evaluate(async () => {
    const m = window.mfflow;
    const data = await m.loadDataset('https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv');
    const run = await m.train({ dataset: data.digest, model: 'mlp', target: 'quality', backend: 'cpu', params: { epochs: 3 } });
    const again = await m.rerun(run.info.runId);
    return [run.info.runId, again.info.runId];
  });
  const [a, b] = await page.evaluate(async (ids) => Promise.all(ids.map((id) => window.mfflow.getRun(id))), ids);
  expect(a.tags['mfflow.tfjs.backend']).toBe('cpu');
  for (const k of ['rmse', 'mae', 'r2']) expect(b.metrics[k].latest, k).toBe(a.metrics[k].latest);
  await page.goto(`./#/run/${ids[1]}`);
  await expect(page.getByTestId('rerun-exactness')).toHaveText(/metrics should be identical, and they are\./, { timeout: 20_000 });
});
