/**
 * Push lab runs (and the registered models made from them) to an MLflow tracking server.
 * Experiments are matched by name (created when missing). Parents go before their children so
 * `mlflow.parentRunId` can name the parent's server id. Before anything is written, one read
 * checks the login: a refused login ends the push having sent nothing.
 */
import type { RegisteredModel } from '../mlflow/bundle';
import type { Run } from '../tracking/types';
import { isSystemTag, TAG } from '../tracking/tags';
import { dictGet } from '../util/dict';
import { MlflowClient, RemoteError } from './client';
import { loggedModelId } from '../bundles/logged-models';
import { pushLoggedModels, supportsLoggedModels } from './push-logged-models';
import { pushModel, type ModelOutcome } from './push-models';
import { findServerRun, LAB_RUN_TAG, pushRun, type PushSource } from './push-run';
import { pool, Session, type SessionOptions } from './session';
import { kvDict, type WireExperiment, type WireRun } from './wire';

export interface PushFailure { runId: string; name: string; message: string }

export interface PushReport {
  added: string[];
  updated: string[];
  unchanged: string[];
  failed: PushFailure[];
  models: ModelOutcome[];
  modelFailures: { name: string; message: string }[];
  /** lab run id → server run id, for every run now on the server. */
  serverRunIds: Record<string, string>;
  /** MLflow 3 logged models made from the runs' model folders (none on MLflow 2.x servers). */
  loggedModels: { added: number; unchanged: number };
  cancelled: boolean;
  points: number;
  files: number;
  bytes: number;
}

export interface PushOptions extends SessionOptions {
  /** Registered models to push (their versions whose runs are pushed). Default none. */
  models?: RegisteredModel[];
}

async function serverExperimentId(s: Session, name: string, tags: Record<string, string>): Promise<string> {
  const get = async () => {
    try {
      const r = await s.client.call<{ experiment: WireExperiment }>('GET', 'mlflow/experiments/get-by-name', { experiment_name: name });
      return r.experiment.lifecycle_stage === 'deleted' ? null : String(r.experiment.experiment_id);
    } catch (e) {
      if (e instanceof RemoteError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  };
  const id = await get();
  if (id === null) throw new RemoteError('http', `experiment "${name}" is deleted on the server; restore it there or rename it in the lab`);
  if (id !== undefined) return id;
  try {
    const r = await s.client.call<{ experiment_id: string }>('POST', 'mlflow/experiments/create', {
      name, tags: Object.keys(tags).filter((k) => !isSystemTag(k)).map((key) => ({ key, value: tags[key] })),
    });
    return String(r.experiment_id);
  } catch (e) {
    if (e instanceof RemoteError && e.errorCode === 'RESOURCE_ALREADY_EXISTS') return (await get())!;
    throw e;
  }
}

/** Parents before children: depth of each run within the pushed set. */
function depthOf(runs: Map<string, Run>): Map<string, number> {
  const depth = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const parent = dictGet(runs.get(id)!.tags, TAG.parentRunId);
    const d = parent && runs.has(parent) && !seen.has(parent) ? visit(parent, seen.add(id)) + 1 : 0;
    depth.set(id, d);
    return d;
  };
  for (const id of runs.keys()) visit(id, new Set());
  return depth;
}

/** What the runs of one push share: server experiment ids, server ids of runs pushed so far. */
export interface PushContext {
  expIds: Map<string, string>;
  serverRunIds: Record<string, string>;
  /** Per server experiment: its runs that carry a lab run id, listed once (lab id → run). */
  listed?: Map<string, Promise<Map<string, WireRun>>>;
  /** Whether the server has MLflow 3 logged models (asked once). */
  loggedModelsSupported?: Promise<boolean>;
  /** Lab model id (run + folder, loggedModelId) → the server's logged model id. */
  serverModels?: Map<string, string>;
  loggedModels?: { added: number; unchanged: number };
}

/** The runs of a server experiment pushed from a lab, by lab run id (one search per 1,000 runs). */
async function listPushed(s: Session, experimentId: string): Promise<Map<string, WireRun>> {
  const out = new Map<string, WireRun>();
  let token: string | undefined;
  do {
    const res = await s.client.call<{ runs?: WireRun[]; next_page_token?: string }>('POST', 'mlflow/runs/search', {
      experiment_ids: [experimentId], filter: `tags.\`${LAB_RUN_TAG}\` LIKE '%'`, run_view_type: 'ALL', max_results: 1000, page_token: token,
    });
    for (const r of res.runs ?? []) {
      const lab = kvDict(r.data?.tags)[LAB_RUN_TAG];
      if (lab && !out.has(lab)) out.set(lab, r);
    }
    token = res.next_page_token || undefined;
  } while (token);
  return out;
}

/**
 * Pushes one run: its experiment found or made, its parent's server id looked up. With
 * `fromListing` the server's copy is taken from the experiment's listing (first attempt of a
 * push); otherwise, as on a retry after the server went away, it is searched for afresh.
 */
export async function pushOneRun(s: Session, source: PushSource, run: Run, ctx: PushContext, fromListing = false): Promise<{ serverRunId: string; outcome: 'added' | 'updated' | 'unchanged' }> {
  let exp = ctx.expIds.get(run.info.experimentId);
  if (exp === undefined) {
    const e = await source.getExperiment(run.info.experimentId);
    exp = await serverExperimentId(s, e.name, e.tags);
    ctx.expIds.set(run.info.experimentId, exp);
  }
  let known: WireRun | null | undefined;
  if (fromListing && ctx.listed) {
    let listing = ctx.listed.get(exp);
    if (!listing) {
      listing = listPushed(s, exp);
      ctx.listed.set(exp, listing);
      listing.catch(() => ctx.listed!.delete(exp!));
    }
    known = (await listing).get(run.info.runId) ?? null;
  }
  const parent = dictGet(run.tags, TAG.parentRunId);
  let parentOnServer = parent ? ctx.serverRunIds[parent] : undefined;
  if (parent && !parentOnServer) parentOnServer = (await findServerRun(s, exp, parent))?.info.run_id;
  const res = await pushRun(s, { source, run, serverExperimentId: exp, parentOnServer, known });
  ctx.serverRunIds[run.info.runId] = res.serverRunId;
  if (!ctx.loggedModelsSupported) {
    const asked = supportsLoggedModels(s, exp);
    ctx.loggedModelsSupported = asked;
    asked.catch(() => { if (ctx.loggedModelsSupported === asked) ctx.loggedModelsSupported = undefined; });
  }
  if (await ctx.loggedModelsSupported) {
    const lm = await pushLoggedModels(s, source, run, { runId: res.serverRunId, experimentId: exp });
    for (const [dir, id] of lm.models) ctx.serverModels?.set(loggedModelId(run.info.runId, dir), id);
    if (ctx.loggedModels) { ctx.loggedModels.added += lm.added; ctx.loggedModels.unchanged += lm.unchanged; }
  }
  return res;
}

export async function pushRuns(client: MlflowClient, source: PushSource, runIds: readonly string[], options: PushOptions = {}): Promise<PushReport> {
  const s = new Session(client, options);
  const report: PushReport = {
    added: [], updated: [], unchanged: [], failed: [], models: [], modelFailures: [], serverRunIds: {},
    loggedModels: { added: 0, unchanged: 0 }, cancelled: false, points: 0, files: 0, bytes: 0,
  };
  const runs = new Map<string, Run>();
  for (const id of new Set(runIds)) runs.set(id, await source.getRun(id));
  s.progress.runsTotal = runs.size;
  s.progress.phase = 'checking the server';
  s.emit(true);
  // The login check: a read that needs it, before any write.
  await s.retrying('login', () => s.client.call('GET', 'mlflow/experiments/search', { max_results: 1 }));

  const ctx: PushContext = { expIds: new Map(), serverRunIds: report.serverRunIds, listed: new Map(), serverModels: new Map(), loggedModels: report.loggedModels };
  const expIds = ctx.expIds;
  const serverRuns = new Map<string, { runId: string; artifactUri: string }>();
  const depth = depthOf(runs);
  const levels = [...new Set(depth.values())].sort((a, b) => a - b);
  s.progress.phase = 'pushing runs';
  try {
    for (const level of levels) {
      const ids = [...runs.keys()].filter((id) => depth.get(id) === level);
      await pool(ids, options.concurrency ?? 4, async (id) => {
        s.checkCancelled();
        const run = runs.get(id)!;
        try {
          let attempt = 0;
          const res = await s.retrying(`run ${run.info.runName}`, () => pushOneRun(s, source, run, ctx, attempt++ === 0));
          report[res.outcome].push(id);
          report.serverRunIds[id] = res.serverRunId;
          serverRuns.set(id, { runId: res.serverRunId, artifactUri: `mlflow-artifacts:/${expIds.get(run.info.experimentId)}/${res.serverRunId}/artifacts` });
        } catch (e) {
          if (e instanceof RemoteError && (e.kind === 'cancelled' || e.kind === 'auth')) throw e;
          report.failed.push({ runId: id, name: run.info.runName, message: (e as Error).message });
        }
        s.progress.runsDone++;
        s.emit();
      });
    }
    s.progress.phase = 'pushing registered models';
    s.emit(true);
    for (const m of options.models ?? []) {
      s.checkCancelled();
      try {
        report.models.push(await s.retrying(`model ${m.name}`, () => pushModel(s, m, serverRuns, ctx.serverModels!)));
      } catch (e) {
        if (e instanceof RemoteError && (e.kind === 'cancelled' || e.kind === 'auth')) throw e;
        report.modelFailures.push({ name: m.name, message: (e as Error).message });
      }
    }
  } catch (e) {
    if (!(e instanceof RemoteError && e.kind === 'cancelled')) throw e;
    report.cancelled = true;
  }
  s.progress.phase = report.cancelled ? 'cancelled' : 'done';
  s.emit(true);
  report.points = s.progress.points;
  report.files = s.progress.files;
  report.bytes = s.progress.bytes;
  return report;
}

/** Registered models with at least one version made from one of `runIds`. */
export function modelsOfRuns(models: readonly RegisteredModel[], runIds: Iterable<string>): RegisteredModel[] {
  const set = new Set(runIds);
  return models.filter((m) => m.versions.some((v) => v.runId !== null && set.has(v.runId)));
}
