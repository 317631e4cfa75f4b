/**
 * A pushed run's models as MLflow 3 logged models, the way MLflow 3's `log_model` records them:
 * each folder of the run's artifacts that holds an `MLmodel` becomes a logged model of the run's
 * experiment (name = the folder, source run = the server's run, the run's params, the lab's
 * context tags), created PENDING; its files go through the artifact proxy to the model's own
 * artifact location (MLmodel carrying the server's model and run ids); the run lists it in its
 * outputs (`runs/outputs`, step 0); the run's latest metrics are logged again with the model's
 * id (the server keeps one copy of each point in the run and gives the model its metrics); then
 * it is finalized READY. The run keeps its own copy of the files, as MLflow 2 readers expect.
 *
 * The logged model carries the lab's id of the folder (`mfflow.lab_model_id`), so a second push
 * finds it (one logged-models search per run) and adds nothing; one left PENDING by a push cut
 * off half way is completed. Servers before MLflow 3 have no logged-models endpoint (404): the
 * push keeps to the run's artifacts there. Only runs that have ended are done, so a mirrored run
 * still training never gets a model whose files are not all written.
 */
import { CONTEXT_TAGS, loggedModelId, modelName } from '../bundles/logged-models';
import { findModelDirs } from '../mlflow/mlmodel';
import { dumpYaml, isYamlMap, parseYamlSafe } from '../mlflow/yaml';
import { LAB_TAG } from '../tracking/tags';
import type { Run } from '../tracking/types';
import { dictGet } from '../util/dict';
import { proxiedArtifactPath, RemoteError } from './client';
import type { PushSource } from './push-run';
import { allArtifacts } from './push-run';
import type { Session } from './session';
import { dictKv, kvDict, wireValue, type KV, type WireMetric } from './wire';

export const LAB_MODEL_TAG = LAB_TAG.labModelId;
/** LoggedModelStatus.LOGGED_MODEL_READY (MLflow's handler takes the number). */
const READY = 2;
const MAX_METRICS = 1000;

interface WireLoggedModel {
  info: { model_id: string; artifact_uri?: string; status?: string | number; source_run_id?: string; tags?: KV[] };
}

export interface LoggedModelsResult {
  /** lab folder → server model id, for every model folder of the run. */
  models: Map<string, string>;
  added: number;
  unchanged: number;
}

/**
 * Whether the server has MLflow 3 logged models: its logged-models search answers. MLflow 2.x
 * does not know the endpoint (404 without an MLflow error code).
 */
export async function supportsLoggedModels(s: Session, experimentId: string): Promise<boolean> {
  try {
    await s.client.call('POST', 'mlflow/logged-models/search', { experiment_ids: [experimentId], max_results: 1 });
    return true;
  } catch (e) {
    if (e instanceof RemoteError && (e.status === 404 || e.status === 405) && e.errorCode !== 'RESOURCE_DOES_NOT_EXIST') return false;
    throw e;
  }
}

/** The server's logged models whose source is `serverRunId`, by lab model id. */
async function modelsOfRun(s: Session, experimentId: string, serverRunId: string): Promise<Map<string, WireLoggedModel>> {
  const out = new Map<string, WireLoggedModel>();
  let token: string | undefined;
  do {
    const res = await s.client.call<{ models?: WireLoggedModel[]; next_page_token?: string }>('POST', 'mlflow/logged-models/search', {
      experiment_ids: [experimentId], filter: `source_run_id = '${serverRunId}'`, max_results: 100, page_token: token,
    });
    for (const m of res.models ?? []) {
      const lab = kvDict(m.info.tags)[LAB_MODEL_TAG];
      if (lab && !out.has(lab)) out.set(lab, m);
    }
    token = res.next_page_token || undefined;
  } while (token);
  return out;
}

const isReady = (m: WireLoggedModel) => m.info.status === 'LOGGED_MODEL_READY' || m.info.status === READY;

/** The MLmodel as the server's copy has it: the server's model id, run id and location. */
export function mlmodelForServer(bytes: Uint8Array, ids: { modelId: string; runId: string; artifactUri: string }): Uint8Array {
  const y = parseYamlSafe(bytes, 'MLmodel', { maxBytes: 16 << 20 });
  if (!isYamlMap(y)) return bytes;
  const out = { ...y, model_id: ids.modelId, model_uuid: ids.modelId, run_id: ids.runId, artifact_path: ids.artifactUri };
  return new TextEncoder().encode(dumpYaml(out));
}

async function linked(s: Session, serverRunId: string, modelId: string): Promise<boolean> {
  const res = await s.client.call<{ run?: { outputs?: { model_outputs?: { model_id: string }[] } } }>('GET', 'mlflow/runs/get', { run_id: serverRunId });
  return (res.run?.outputs?.model_outputs ?? []).some((o) => o.model_id === modelId);
}

/** Pushes the run's model folders as logged models (see the file comment). */
export async function pushLoggedModels(s: Session, source: PushSource, run: Run, server: { runId: string; experimentId: string }): Promise<LoggedModelsResult> {
  const result: LoggedModelsResult = { models: new Map(), added: 0, unchanged: 0 };
  if (run.info.status === 'RUNNING' || run.info.status === 'SCHEDULED') return result;
  const labId = run.info.runId;
  const files = await allArtifacts((dir) => source.listArtifacts(labId, dir));
  const dirs = findModelDirs(files.map((f) => f.path));
  if (!dirs.length) return result;
  const have = await modelsOfRun(s, server.experimentId, server.runId);
  for (const dir of dirs) {
    s.checkCancelled();
    const labModel = loggedModelId(labId, dir);
    let model = have.get(labModel);
    if (model && isReady(model)) {
      result.models.set(dir, model.info.model_id);
      result.unchanged++;
      continue;
    }
    const resumed = model !== undefined;
    if (!model) {
      const tags: KV[] = [];
      for (const k of CONTEXT_TAGS) {
        const v = dictGet(run.tags, k);
        if (v !== undefined) tags.push({ key: k, value: v });
      }
      tags.push({ key: LAB_MODEL_TAG, value: labModel });
      model = (await s.client.call<{ model: WireLoggedModel }>('POST', 'mlflow/logged-models', {
        experiment_id: server.experimentId, name: modelName(dir), source_run_id: server.runId, params: dictKv(run.params), tags,
      })).model;
    }
    const modelId = model.info.model_id;
    const artifactUri = model.info.artifact_uri ?? '';
    const root = proxiedArtifactPath(artifactUri);
    if (root === null) throw new RemoteError('protocol', `the server stores logged model ${modelId} at ${artifactUri}, which a browser cannot write: start it with --serve-artifacts`);
    // Files (all again when completing a model a cut-off push left PENDING: uploads overwrite).
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const f of files.filter((x) => x.path.startsWith(prefix))) {
      s.checkCancelled();
      const rel = f.path.slice(prefix.length);
      let bytes = await source.readArtifact(labId, f.path);
      if (rel === 'MLmodel') bytes = mlmodelForServer(bytes, { modelId, runId: server.runId, artifactUri });
      await s.client.putArtifact(`${root}/${rel}`, bytes, f.contentType);
      s.progress.files++;
      s.emit();
    }
    if (!resumed || !(await linked(s, server.runId, modelId))) {
      await s.client.call('POST', 'mlflow/runs/outputs', { run_id: server.runId, models: [{ model_id: modelId, step: 0 }] });
    }
    // The run's latest metrics, as the model's (the run's copy of each point stays single).
    const metrics: WireMetric[] = Object.keys(run.metrics).sort().map((key) => {
      const m = run.metrics[key];
      return { key, value: wireValue(m.latest), timestamp: m.timestamp, step: m.step, model_id: modelId, run_id: server.runId };
    });
    for (let i = 0; i < metrics.length; i += MAX_METRICS) {
      await s.client.call('POST', 'mlflow/runs/log-batch', { run_id: server.runId, metrics: metrics.slice(i, i + MAX_METRICS) });
    }
    await s.client.call('PATCH', `mlflow/logged-models/${encodeURIComponent(modelId)}`, { model_id: modelId, status: READY });
    result.models.set(dir, modelId);
    result.added++;
  }
  return result;
}
