/**
 * The lab against a real `mlflow server` (MLflow 3.17 from the interop venv: SQLite backend,
 * --serve-artifacts, CORS open to the lab's test origin) and a second one running MLflow's
 * basic-auth app (mlflow[auth] in requirements.txt). Through the built lab in Chromium: push (UI
 * and scripting API), push again, a push cut off by the server going down, a refused login; pull
 * of runs a Python script logged; a live-mirrored MLP run with the server down for part of it.
 * MlflowClient is the judge.
 */
import type { Locator, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, MlflowServer } from './mlflow-server';
import { runPython } from './python';
import { dumpLabRuns, LabHarness, type DumpedRun } from './remote-lab';

interface Dump {
  experiments: Record<string, { id: string; runs: DumpedRun[] }>;
  models: Record<string, { aliases: Record<string, string>; versions: { version: string; run_id: string; source: string; stage: string; tags: Record<string, string> }[] }>;
}

const lab = new LabHarness();
let server: MlflowServer;
let authServer: MlflowServer;
/** A plain `mlflow server` that lets in no page but loopback ones, and only the Host localhost:<port>. */
let stranger: MlflowServer;
let page: Page;

/** What a person reads in an element: its text with runs of white space as one space. */
const read = async (l: Locator) => ((await l.textContent({ timeout: 2000 }).catch(() => null)) ?? '').replace(/\s+/g, ' ').trim();

interface LoggedModelDump { model_id: string; name: string; status: string; source_run_id: string; params: Record<string, string>; metrics: Record<string, number>; tags: Record<string, string>; linked: boolean; files: string[] }
const loggedModels = () => runPython<LoggedModelDump[]>('remote_logged_models.py', ['wine-a', 'wine-b', 'wine-c'], undefined, server.env());

const dump = (s: MlflowServer, names: string[] = [], env: Record<string, string> = {}) => runPython<Dump>('remote_dump.py', names, undefined, { ...s.env(), ...env });

/** Every run of the lab that the server holds (by `mfflow.lab_run_id`) equals the lab's copy. */
function expectSameRuns(labRuns: DumpedRun[], serverRuns: DumpedRun[]) {
  const byLabId = new Map(serverRuns.map((r) => [r.tags['mfflow.lab_run_id'], r]));
  const serverIdOf = (labId: string) => byLabId.get(labId)?.run_id;
  for (const l of labRuns) {
    const s = byLabId.get(l.run_id);
    expect(s, `run ${l.name} on the server`).toBeDefined();
    expect(s!.name).toBe(l.name);
    expect(s!.status).toBe(l.status);
    expect(s!.start_time).toBe(l.start_time);
    expect(s!.end_time).toBe(l.end_time);
    expect(s!.params).toEqual(l.params);
    for (const [k, v] of Object.entries(l.tags)) {
      if (k === 'mlflow.parentRunId') expect(s!.tags[k]).toBe(serverIdOf(v));
      else expect(s!.tags[k], `tag ${k} of ${l.name}`).toBe(v);
    }
    expect(s!.metrics, `metrics of ${l.name}`).toEqual(l.metrics);
    const norm = (xs: DumpedRun['inputs']) => xs.map((x) => JSON.stringify(x)).sort();
    expect(norm(s!.inputs)).toEqual(norm(l.inputs));
    expect(s!.artifacts).toEqual(l.artifacts);
  }
  expect(serverRuns.length).toBe(labRuns.length);
}

beforeAll(async () => {
  const origin = await lab.reservePort();
  server = new MlflowServer({ corsOrigins: [origin] });
  authServer = new MlflowServer({ corsOrigins: [origin], basicAuth: true });
  stranger = new MlflowServer({ corsOrigins: [], plain: true, extraArgs: ['--allowed-hosts', 'localhost:*'] });
  await Promise.all([server.start(), authServer.start(), stranger.start(), lab.start()]);
  page = await lab.open();
}, 600_000);

afterAll(async () => {
  await lab.stop();
  await Promise.all([server?.stop(), authServer?.stop(), stranger?.stop()]);
});

async function addServerThroughUi(name: string, url: string, login?: { user: string; password: string }, p: Page = page) {
  await p.goto('./#/servers');
  const form = p.getByRole('form', { name: 'Add a server' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('URL').fill(url);
  if (login) {
    await form.getByLabel('Login').selectOption('basic');
    await form.getByLabel('User', { exact: true }).fill(login.user);
    await form.getByLabel('Password', { exact: true }).fill(login.password);
  }
  await form.getByRole('button', { name: 'Save server' }).click();
  await expect.poll(() => p.getByRole('listitem', { name: `Server ${name}` }).count()).toBe(1);
}

/** The lab has opened and window.mfflow is there (it loads after the runs are listed, main.ts). */
const labReady = () => page.waitForFunction(() => document.documentElement.dataset.labReady === 'true', undefined, { timeout: 60_000 });

describe('push', () => {
  let labRunIds: string[] = [];
  let afterFirstPush: Dump;
  let loggedAfterFirstPush: LoggedModelDump[];
  const experiments = ['wine-a', 'wine-b', 'wine-c'];

  it('pushes 3 experiments with nested sweep runs, artifacts, inputs and a registered model with an alias; MlflowClient sees all of it', async () => {
    labRunIds = await page.evaluate(async (names) => {
      const m = window.mfflow;
      const ids: string[] = [];
      for (const [i, name] of names.entries()) {
        await m.setExperiment(name);
        const parent = await m.sweep({ dataset: 'https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv', target: 'quality', model: 'elasticnet',
          runName: `sweep-${i}`, sweep: { strategy: 'grid', params: { alpha: [0.1, 0.5], l1_ratio: [0.2, 0.8] } } });
        const kids = await m.searchRuns({ experimentIds: [parent.info.experimentId], filter: `tags.mlflow.parentRunId = '${parent.info.runId}'` });
        ids.push(parent.info.runId, ...kids.runs.map((r) => r.info.runId));
        // A scripted run: a long history (several log-batch requests), NaN, tiny values, artifacts.
        const run = await m.startRun({ runName: `script-${i}`, tags: { team: 'lab', 'with space': 'yes' } });
        await m.logParams({ lr: 0.001 * (i + 1), note: 'quote \' and "double"' });
        for (let s = 0; s < 2500; s++) m.logMetrics({ loss: 1 / (s + 1) + Math.sin(s) * 1e-12, acc: s === 7 ? NaN : 1 - 1 / (s + 2) }, s);
        await m.logText('hello from the lab\n'.repeat(100), 'notes/readme.txt');
        await m.logArtifact('bin/data.bin', new Uint8Array(70_000).map((_, k) => (k * 31) & 255));
        await m.logDict({ layers: [64, 32], i }, 'config.json');
        await m.endRun();
        ids.push(run.runId);
      }
      const best = (await m.getRun(ids[0])).tags['mfflow.best_run_id'];
      await m.registerModel(best, 'model', 'wine');
      await m.registerModel(ids[1], 'model', 'wine');
      await m.setAlias('wine', 'champion', 1);
      return ids;
    }, experiments);
    expect(labRunIds.length).toBe(18);

    // Through the UI: add the server, test it, push the whole lab.
    await addServerThroughUi('team', server.url);
    const row = page.getByRole('listitem', { name: 'Server team' });
    await row.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => read(row.getByTestId('connection-report')), { timeout: 120_000 }).toContain('Connected: MLflow 3.17');
    await expect.poll(() => read(row.getByTestId('connection-report')), { timeout: 120_000 }).toContain('proxied by the server');
    await page.getByRole('radio', { name: /The whole lab/ }).check();
    await page.getByRole('button', { name: 'Push', exact: true }).click();
    await expect.poll(() => read(page.getByTestId('push-report')), { timeout: 300_000 }).toContain('18 added, 0 updated, 0 unchanged, 0 failed');

    const got = dump(server, experiments);
    afterFirstPush = got;
    const labRuns = await dumpLabRuns(page, labRunIds);
    expectSameRuns(labRuns, experiments.flatMap((e) => got.experiments[e].runs));
    const points = labRuns.reduce((n, r) => n + Object.values(r.metrics).reduce((a, h) => a + h.length, 0), 0);
    expect(points).toBeGreaterThan(15_000);

    // The registry: two versions, the alias on the first, each pointing at its run's model folder.
    const wine = got.models.wine;
    expect(wine.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(wine.aliases).toEqual({ champion: '1' });
    const serverIdOf = new Map(experiments.flatMap((e) => got.experiments[e].runs).map((r) => [r.tags['mfflow.lab_run_id'], r.run_id]));
    const labModels = await page.evaluate(() => window.mfflow.listRegisteredModels());
    const labWine = labModels.find((m) => m.name === 'wine')!;
    expect(wine.versions.map((v) => v.run_id)).toEqual(labWine.versions.map((v) => serverIdOf.get(v.runId!)));

    // MLflow 3 logged models: one per run that logged a model folder, from that run (its server
    // copy), READY, with the run's params and latest metrics, listed in the run's outputs.
    const modelRuns = labRuns.filter((r) => 'model/MLmodel' in r.artifacts);
    expect(modelRuns.length).toBeGreaterThanOrEqual(12);
    const logged = loggedModels();
    loggedAfterFirstPush = logged;
    expect(logged.length).toBe(modelRuns.length);
    const labLatest = await page.evaluate(async (ids) => Object.fromEntries(await Promise.all(ids.map(async (id) => {
      const r = await window.mfflow.getRun(id);
      return [id, Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.latest]))] as const;
    }))), modelRuns.map((r) => r.run_id));
    for (const r of modelRuns) {
      const lm = logged.filter((m) => m.source_run_id === serverIdOf.get(r.run_id));
      expect(lm.length, `logged models of ${r.name}`).toBe(1);
      expect(lm[0]).toMatchObject({ name: 'model', status: 'READY', linked: true, params: r.params });
      expect(lm[0].metrics).toEqual(labLatest[r.run_id]);
      expect(lm[0].files).toEqual(Object.keys(r.artifacts).filter((p) => p.startsWith('model/')).map((p) => p.slice(6)).sort());
    }
    // The versions are registered from the logged models, as MLflow 3 registers them.
    const modelIdOf = new Map(logged.map((m) => [m.source_run_id, m.model_id]));
    expect(wine.versions.map((v) => v.source)).toEqual(wine.versions.map((v) => `models:/${modelIdOf.get(v.run_id)}`));

    // pyfunc loads the champion's logged model by its id and by the alias; both predict as the lab.
    const row0 = { columns: ['fixed acidity', 'volatile acidity', 'citric acid', 'residual sugar', 'chlorides', 'free sulfur dioxide', 'total sulfur dioxide', 'density', 'pH', 'sulphates', 'alcohol'], data: [[7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4]] };
    const lab1 = await page.evaluate((p) => window.mfflow.predict('models:/wine@champion', { dataframe_split: p }), row0);
    const champion = modelIdOf.get(wine.versions[0].run_id)!;
    for (const uri of [`models:/${champion}`, 'models:/wine@champion']) {
      const py = runPython<{ flavors: string[]; predictions: number[] | null }>('remote_pyfunc.py', [uri], JSON.stringify(row0), server.env());
      expect(py.flavors, uri).toContain('python_function');
      expect(py.predictions![0], uri).toBeCloseTo((lab1 as { predictions: number[] }).predictions[0], 9);
    }
  });

  it('pushing again adds nothing', async () => {
    const report = await page.evaluate(() => window.mfflow.pushRuns('team', 'lab'));
    expect(report.added).toEqual([]);
    expect(report.updated).toEqual([]);
    expect(report.unchanged.length).toBe(18);
    expect(report.points).toBe(0);
    expect(report.models.map((m) => m.outcome)).toEqual(['unchanged']);
    expect(report.loggedModels.added).toBe(0);
    expect(report.loggedModels.unchanged).toBe(loggedAfterFirstPush.length);
    expect(loggedModels()).toEqual(loggedAfterFirstPush);
    // The server holds exactly what it held after the first push (runs, every point, models).
    const after = dump(server, experiments, { DUMP_ARTIFACTS: '0' });
    const noFiles = (d: Dump) => ({ ...d, experiments: Object.fromEntries(Object.entries(d.experiments).map(([k, e]) => [k, { ...e, runs: e.runs.map((r) => ({ ...r, artifacts: {} })) }])) });
    expect(after).toEqual(noFiles(afterFirstPush));
  });

  it('a push cut off by the server going down ends complete, with no duplicates', async () => {
    const ids = await page.evaluate(async () => {
      const m = window.mfflow;
      await m.setExperiment('big');
      const out: string[] = [];
      for (let r = 0; r < 12; r++) {
        const run = await m.startRun({ runName: `big-${r}` });
        for (let s = 0; s < 1500; s++) m.logMetrics({ a: s * 0.5 + r, b: Math.sqrt(s + r) }, s);
        await m.endRun();
        out.push(run.runId);
      }
      const exp = (await m.listExperiments()).find((e) => e.name === 'big')!;
      (window as unknown as { pending: Promise<unknown> }).pending = m.pushRuns('team', { experimentId: exp.experimentId });
      return out;
    });
    // Wait until the server holds a few of the runs, then take it down mid push.
    const count = async () => {
      const res = await fetch(`${server.url}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ experiment_ids: [await expId('big')], max_results: 1000 }) }).catch(() => null);
      return res?.ok ? ((await res.json()) as { runs?: unknown[] }).runs?.length ?? 0 : -1;
    };
    const expId = async (name: string) => ((await (await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}`)).json()) as { experiment?: { experiment_id: string } }).experiment?.experiment_id ?? '';
    await expect.poll(count, { timeout: 120_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    await server.stop();
    await new Promise((r) => setTimeout(r, 3000));
    await server.start();
    let report = await page.evaluate(() => (window as unknown as { pending: Promise<Awaited<ReturnType<typeof window.mfflow.pushRuns>>> }).pending);
    if (report.failed.length) report = await page.evaluate(() => window.mfflow.pushRuns('team', 'lab')); // resumes
    expect(report.failed).toEqual([]);
    const got = dump(server, ['big'], { DUMP_ARTIFACTS: '0' });
    expectSameRuns(await dumpLabRuns(page, ids), got.experiments.big.runs);
  });

  it('a wrong password gives a clear error and sends nothing', async () => {
    await addServerThroughUi('locked', authServer.url, { user: 'admin', password: 'wrong-password' });
    const push = page.getByRole('region', { name: 'Push to a server' });
    await push.getByLabel('Server', { exact: true }).selectOption({ label: 'locked' });
    await push.getByRole('radio', { name: /The whole lab/ }).check();
    await push.getByRole('button', { name: 'Push', exact: true }).click();
    await expect.poll(() => read(page.getByTestId('transfer').getByRole('alert')), { timeout: 120_000 }).toContain('refused the login (401)');
    const admin = { MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: 'mfflow-Interop-7q' };
    const seen = dump(authServer, [], { ...admin, DUMP_ARTIFACTS: '0' });
    expect(Object.keys(seen.experiments)).toEqual(['Default']);
    expect(seen.experiments.Default.runs).toEqual([]);
    expect(seen.models).toEqual({});
    // With the right password a push goes through.
    const ok = await page.evaluate(async (url) => {
      await window.mfflow.servers.add({ name: 'admin', url, auth: { kind: 'basic', user: 'admin', password: 'mfflow-Interop-7q' } });
      const experimentIds = (await window.mfflow.listExperiments()).map((e) => e.experimentId);
      const one = (await window.mfflow.searchRuns({ experimentIds, filter: "attributes.run_name = 'script-0'" })).runs[0].info.runId;
      return window.mfflow.pushRuns('admin', [one]);
    }, authServer.url);
    expect(ok.added.length).toBe(1);
    expect(dump(authServer, [], { ...admin, DUMP_ARTIFACTS: '0' }).experiments['wine-a'].runs.length).toBe(1);
  });
});

describe('pull', () => {
  it('pulls runs a Python script logged (filter half on the server, half in the lab); equal in the lab; pulling again adds nothing', async () => {
    const logged = runPython<{ experiment_id: string; run_ids: string[] }>('remote_log.py', ['from-python'], undefined, server.env());
    await page.goto('./#/servers');
    await page.reload();
    await labReady(); // a reload does not wait for window.mfflow, which loads after the lab opened
    await page.evaluate(async (url) => { if (!(await window.mfflow.servers.list()).some((s) => s.name === 'team')) await window.mfflow.servers.add({ name: 'team', url }); }, server.url);
    const pull = page.getByRole('region', { name: 'Pull from a server' });
    await pull.waitFor({ timeout: 20_000 }).catch(async (e) => { console.log(await page.locator('body').ariaSnapshot()); throw e; });
    await pull.getByLabel('Server', { exact: true }).selectOption({ label: 'team' });
    await pull.getByRole('button', { name: 'Browse experiments' }).click();
    await pull.getByLabel('Server experiment').selectOption({ label: 'from-python' });
    await pull.getByLabel('Filter').fill("tags.team = 'python' and (params.alpha = '0.1' or params.alpha = '1.0')");
    await pull.getByRole('button', { name: 'Find runs' }).click();
    await pull.getByText("Sent to the server: tags.team = 'python'").waitFor();
    await expect.poll(() => pull.getByRole('table', { name: 'Server runs' }).getByRole('row').count(), { timeout: 60_000 }).toBe(3);
    await pull.getByRole('button', { name: 'Pull 2 runs' }).click();
    await expect.poll(() => read(page.getByTestId('pull-report')), { timeout: 120_000 }).toContain('Pull done: 2 added');

    const want = [logged.run_ids[0], logged.run_ids[2]];
    const got = dump(server, ['from-python']).experiments['from-python'].runs.filter((r) => want.includes(r.run_id));
    const mine = await dumpLabRuns(page, want);
    for (const r of mine) {
      const s = got.find((x) => x.run_id === r.run_id)!;
      expect(r).toEqual(s);
    }
    const again = await page.evaluate(() => window.mfflow.pullRuns('team', { experiment: 'from-python', filter: "params.alpha = '0.1' or params.alpha = '1.0'" }));
    expect(again.added).toEqual([]);
    expect(again.unchanged.sort()).toEqual([...want].sort());
  });
});

describe('live mirror', () => {
  it('an MLP run mirrored live, with the server down for part of it, ends with the same history in the lab and on the server', async () => {
    await labReady();
    await page.evaluate(async () => {
      await window.mfflow.setExperiment('mirrored');
      (window as unknown as { pending: Promise<unknown> }).pending = window.mfflow.train({
        dataset: 'Wine quality (red)', model: 'mlp', target: 'quality', backend: 'cpu', runName: 'mirrored-mlp', mirror: 'team',
        params: { epochs: 150, batch_size: 32, hidden_layers: '16', validation_split: 0.1 },
      });
    });
    const labEpochs = () => page.evaluate(async () => {
      const res = await window.mfflow.searchRuns({ filter: "attributes.run_name = 'mirrored-mlp'" });
      return res.runs[0]?.metrics.loss?.count ?? 0;
    });
    await expect.poll(labEpochs, { timeout: 120_000 }).toBeGreaterThanOrEqual(10);
    // Live: the server has the run and its first losses while it trains.
    const serverHasLoss = async () => {
      const e = await (await fetch(`${server.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=mirrored`)).json() as { experiment?: { experiment_id: string } };
      if (!e.experiment) return false;
      const res = await (await fetch(`${server.url}/api/2.0/mlflow/runs/search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ experiment_ids: [e.experiment.experiment_id] }) })).json() as { runs?: { data?: { metrics?: { key: string }[] } }[] };
      return (res.runs?.[0]?.data?.metrics ?? []).some((m) => m.key === 'loss');
    };
    await expect.poll(serverHasLoss, { timeout: 60_000 }).toBe(true);
    await server.stop();
    const downAt = await labEpochs();
    await expect.poll(labEpochs, { timeout: 120_000 }).toBeGreaterThan(downAt + 5); // training goes on
    const state = await page.evaluate(async () => {
      const res = await window.mfflow.searchRuns({ filter: "attributes.run_name = 'mirrored-mlp'" });
      return window.mfflow.servers.mirrorState(res.runs[0].info.runId);
    });
    expect(state?.status).toMatch(/offline|pending/);
    await server.start();
    const runId = await page.evaluate(async () => {
      const run = await (window as unknown as { pending: Promise<{ info: { runId: string } }> }).pending;
      await window.mfflow.servers.mirrorDrained(240_000);
      return run.info.runId;
    });
    const [labRun] = await dumpLabRuns(page, [runId]);
    const onServer = dump(server, ['mirrored']).experiments.mirrored.runs;
    expectSameRuns([labRun], onServer);
    expect(labRun.metrics.loss.length).toBe(150);
    await page.goto(`./#/run/${runId}`);
    await expect.poll(() => read(page.getByTestId('mirror-state')), { timeout: 120_000 }).toContain('Mirror to team: in sync');
  });

  it('"Mirror live to" on the New run form and on a project, and runProject({ mirror }): each run reaches the server, equal to the lab\'s', async () => {
    await labReady();
    await page.goto('./#/new');
    const form = page.getByRole('form', { name: 'New run' });
    await form.getByLabel('Run name').fill('form-mirrored');
    await form.getByLabel('Mirror live to').selectOption({ label: 'team' });
    await form.getByRole('button', { name: 'Train' }).click();
    await expect.poll(() => read(page.getByRole('article', { name: /^Training job / }).first().getByTestId('job-status')), { timeout: 90_000 }).toBe('FINISHED');

    await page.goto('./#/projects');
    await page.getByRole('button', { name: 'Open examples/sklearn_elasticnet_wine' }).click();
    const project = page.getByRole('form', { name: 'Run the project' });
    await project.getByLabel('alpha float').fill('0.42');
    await project.getByLabel('Mirror live to').selectOption({ label: 'team' });
    await project.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('link', { name: /^open run / }).waitFor({ timeout: 60_000 });

    const mirrored = await page.evaluate(async () => {
      const m = window.mfflow;
      const viaApi = await m.runProject('examples/sklearn_elasticnet_wine', { params: { alpha: 0.3 }, mirror: 'team' });
      await m.servers.mirrorDrained(120_000);
      const exps = await m.listExperiments();
      const runs = (await m.searchRuns({ experimentIds: exps.map((e) => e.experimentId), filter: "tags.`mfflow.mirror.server` IS NOT NULL" })).runs;
      const names = new Map(exps.map((e) => [e.experimentId, e.name]));
      return { viaApi: viaApi.info.runId, runs: runs.map((r) => ({ id: r.info.runId, name: r.info.runName, experiment: names.get(r.info.experimentId)!, alpha: r.params.alpha })) };
    });
    // The form's run, the project run from the form (alpha 0.42) and the API's (alpha 0.3), besides the MLP of the test above.
    expect(mirrored.runs.map((r) => r.name)).toContain('form-mirrored');
    expect(mirrored.runs.map((r) => r.alpha)).toEqual(expect.arrayContaining(['0.42', '0.3']));
    expect(mirrored.runs.map((r) => r.id)).toContain(mirrored.viaApi);
    const ids = new Set(mirrored.runs.map((r) => r.id));
    const labRuns = await dumpLabRuns(page, [...ids]);
    const onServer = Object.values(dump(server, [...new Set(mirrored.runs.map((r) => r.experiment))]).experiments)
      .flatMap((e) => e.runs).filter((r) => ids.has(r.tags['mfflow.lab_run_id']));
    expectSameRuns(labRuns, onServer);
  });
});

describe('test connection', () => {
  it('from an origin the server does not let in: the panel gives the line to copy, and that line lets the lab in', async () => {
    // MLflow 3.17 lets every http://localhost / 127.0.0.1 origin in, so the lab is opened under
    // another name of the same loopback server: http://lab.localhost:<port> (no Private Network
    // Access check: page and server are both loopback).
    const labOrigin = `http://lab.localhost:${lab.port}`;
    const other = await lab.open(labOrigin);
    try {
      const check = async (name: string, url: string) => {
        await addServerThroughUi(name, url, undefined, other);
        const row = other.getByRole('listitem', { name: `Server ${name}`, exact: true });
        await row.getByRole('button', { name: 'Test connection' }).click();
        await expect.poll(() => read(row.getByTestId('connection-report')), { timeout: 60_000 }).not.toBe('');
        return { text: await read(row.getByTestId('connection-report')), fix: await read(row.getByTestId('cors-fix')), row };
      };
      // The Host is allowed, the origin is not (CORS).
      const cors = await check('stranger', `http://localhost:${stranger.port}`);
      expect(cors.text).toContain(`does not allow the origin ${labOrigin} (CORS)`);
      expect(cors.fix).toBe(`mlflow server --cors-allowed-origins ${labOrigin} --allowed-hosts localhost:${stranger.port}`);
      // The Host is refused (--allowed-hosts): the same advice, naming that host.
      const host = await check('stranger-by-ip', stranger.url);
      expect(host.fix).toBe(`mlflow server --cors-allowed-origins ${labOrigin} --allowed-hosts 127.0.0.1:${stranger.port}`);
      // Nothing listening: no advice, the server is not there.
      const down = await check('nobody', `http://127.0.0.1:${await freePort()}`);
      expect(down.text).toContain('No answer from');
      expect(down.fix).toBe('');
      // The server restarted with the options of the line the panel gave: the lab is let in.
      const options = cors.fix.replace(/^mlflow server /, '').split(' ');
      await stranger.stop();
      stranger.options = { ...stranger.options, extraArgs: options };
      await stranger.start();
      await cors.row.getByRole('button', { name: 'Test connection' }).click();
      await expect.poll(() => read(cors.row.getByTestId('connection-report')), { timeout: 60_000 }).toContain('Connected: MLflow 3.17');
    } finally {
      await other.context().close();
    }
  });
});
