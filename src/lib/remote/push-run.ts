/**
 * Pushes one lab run to a server and returns the server's run id. The run on the server is
 * found by the tag `mfflow.lab_run_id`; what it already has is read first (params, tags, the
 * number of points of each metric, inputs, artifact files), and only the rest is sent:
 * - a run just created is known to be empty, so nothing is read back for it;
 * - metric points in logging order, 1,000 a `log-batch` (MLflow's limit) with the params, so a
 *   history cut off half way is a prefix of the lab's and the next push sends its tail;
 * - `mfflow.push.digest` in the last request: a run whose digest matches the lab's is complete
 *   and skipped (a push lists each experiment's pushed runs once, so that costs no request).
 */
import type { ArtifactInfo, Experiment, MetricColumns, Run } from '../tracking/types';
import { LAB_TAG, TAG } from '../tracking/tags';
import { dictGet, dictSet, newDict, type Dict } from '../util/dict';
import { proxiedArtifactPath, RemoteError } from './client';
import { pool, type Session } from './session';
import { dictKv, inputKey, kvDict, wireValue, datasetInputToWire, type KV, type WireMetric, type WireRun } from './wire';

export const LAB_RUN_TAG = LAB_TAG.labRunId;
export const PUSH_DIGEST_TAG = LAB_TAG.pushDigest;
const MAX_METRICS = 1000;
const MAX_PARAMS_TAGS = 100;

/** What a push reads from the lab (the TrackingStore has all of it). */
export interface PushSource {
  getExperiment(id: string): Promise<Experiment>;
  getRun(runId: string): Promise<Run>;
  getMetricHistory(runId: string, key: string): Promise<MetricColumns>;
  listArtifacts(runId: string, dir?: string): Promise<ArtifactInfo[]>;
  readArtifact(runId: string, path: string): Promise<Uint8Array>;
}

export type RunOutcome = 'added' | 'updated' | 'unchanged';

/** Every file of a run's artifact tree (the store lists one folder at a time). */
export async function allArtifacts(list: (dir?: string) => Promise<ArtifactInfo[]>, dir?: string): Promise<ArtifactInfo[]> {
  const out: ArtifactInfo[] = [];
  for (const e of await list(dir)) {
    if (e.isDir) out.push(...(await allArtifacts(list, e.path)));
    else out.push(e);
  }
  return out;
}

/** The lab run's content in short: equal digests mean the server copy is complete. */
export function pushDigest(run: Run, tags: Dict<string>, files: readonly ArtifactInfo[]): string {
  const metrics = Object.keys(run.metrics).sort().map((k) => {
    const m = run.metrics[k];
    return [k, m.count, wireValue(m.latest), m.step, m.timestamp];
  });
  const text = JSON.stringify([
    run.info.runName, run.info.status, run.info.startTime, run.info.endTime,
    Object.keys(run.params).sort().map((k) => [k, run.params[k]]),
    Object.keys(tags).sort().map((k) => [k, tags[k]]),
    metrics,
    run.inputs.map((i) => inputKey(i, i.tags[TAG.datasetContext])).sort(),
    files.map((f) => [f.path, f.size]).sort(),
  ]);
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
    b ^= b >>> 15;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}-${text.length}`;
}

/** Tags as they go to the server: the parent id mapped to the server's, the lab id added. */
export function tagsForServer(run: Run, parentOnServer: string | undefined): Dict<string> {
  const out = newDict<string>();
  for (const k of Object.keys(run.tags)) {
    if (k === TAG.parentRunId || k === PUSH_DIGEST_TAG || k === LAB_RUN_TAG) continue;
    dictSet(out, k, run.tags[k]);
  }
  if (parentOnServer) dictSet(out, TAG.parentRunId, parentOnServer);
  dictSet(out, LAB_RUN_TAG, run.info.runId);
  return out;
}

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

/** The server's copy of a lab run, if any (found by its tag). */
export async function findServerRun(s: Session, experimentId: string, labRunId: string): Promise<WireRun | null> {
  const res = await s.client.call<{ runs?: WireRun[] }>('POST', 'mlflow/runs/search', {
    experiment_ids: [experimentId], filter: `tags.\`${LAB_RUN_TAG}\` = ${quote(labRunId)}`, run_view_type: 'ALL', max_results: 10,
  });
  return res.runs?.[0] ?? null;
}

/** The number of points of a metric the server holds. */
async function serverPointCount(s: Session, runId: string, key: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const res = await s.client.call<{ metrics?: unknown[]; next_page_token?: string }>('GET', 'mlflow/metrics/get-history',
      { run_id: runId, metric_key: key, max_results: 25000, page_token: token });
    count += res.metrics?.length ?? 0;
    token = res.next_page_token || undefined;
  } while (token);
  return count;
}

async function serverFiles(s: Session, runId: string, dir?: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const res = await s.client.call<{ files?: { path: string; is_dir?: boolean; file_size?: number | string }[] }>(
    'GET', 'mlflow/artifacts/list', { run_id: runId, path: dir });
  for (const f of res.files ?? []) {
    if (f.is_dir) for (const [p, n] of await serverFiles(s, runId, f.path)) out.set(p, n);
    else out.set(f.path, Number(f.file_size ?? 0));
  }
  return out;
}

export interface PushRunArgs {
  source: PushSource;
  run: Run;
  serverExperimentId: string;
  parentOnServer?: string;
  /** The server's copy as a listing of the experiment found it (null: none), so no search is needed. */
  known?: WireRun | null;
}

/** One `log-batch` body: MLflow takes at most 1,000 entities, of which at most 100 params and 100 tags. */
interface Batch { params: KV[]; tags: KV[]; metrics: WireMetric[] }
const size = (b: Batch) => b.params.length + b.tags.length + b.metrics.length;

/**
 * Sends params, tags and metric points in as few `log-batch` requests as MLflow's limits allow,
 * in this order; `last` (the digest) rides in the final request. MLflow writes a batch's params,
 * then its metrics (one transaction), then its tags, so the digest lands only once all is there.
 */
async function sendBatches(s: Session, runId: string, params: KV[], tags: KV[], metrics: AsyncIterable<WireMetric>, last: KV): Promise<void> {
  let b: Batch = { params: [], tags: [], metrics: [] };
  const flush = async () => {
    s.checkCancelled();
    await s.client.call('POST', 'mlflow/runs/log-batch', { run_id: runId, ...b });
    s.progress.points += b.metrics.length;
    s.emit();
    b = { params: [], tags: [], metrics: [] };
  };
  for (const p of params) { if (b.params.length === MAX_PARAMS_TAGS) await flush(); b.params.push(p); }
  for (const t of tags) { if (b.tags.length === MAX_PARAMS_TAGS || size(b) === MAX_METRICS) await flush(); b.tags.push(t); }
  for await (const m of metrics) { if (size(b) === MAX_METRICS) await flush(); b.metrics.push(m); }
  if (b.tags.length === MAX_PARAMS_TAGS || size(b) === MAX_METRICS) await flush();
  b.tags.push(last);
  await flush();
}

/** Pushes the run (see the file comment); returns the server run id and what was done. */
export async function pushRun(s: Session, { source, run, serverExperimentId, parentOnServer, known }: PushRunArgs): Promise<{ serverRunId: string; outcome: RunOutcome }> {
  const labId = run.info.runId;
  const tags = tagsForServer(run, parentOnServer);
  const files = await allArtifacts((dir) => source.listArtifacts(labId, dir));
  const digest = pushDigest(run, tags, files);
  let server = known !== undefined ? known : await findServerRun(s, serverExperimentId, labId);
  if (server && kvDict(server.data?.tags)[PUSH_DIGEST_TAG] === digest) return { serverRunId: server.info.run_id, outcome: 'unchanged' };
  const outcome: RunOutcome = server ? 'updated' : 'added';
  if (!server) {
    const created = await s.client.call<{ run: WireRun }>('POST', 'mlflow/runs/create', {
      experiment_id: serverExperimentId, run_name: run.info.runName, start_time: run.info.startTime,
      user_id: run.info.userId, tags: dictKv(tags),
    });
    server = created.run;
  }
  const fresh = outcome === 'added'; // nothing on the server yet but the tags just sent: no reads
  const runId = server.info.run_id;
  s.checkCancelled();

  // Params (immutable on both sides) and tags the server lacks.
  const haveParams = kvDict(server.data?.params);
  const params: KV[] = [];
  for (const key of Object.keys(run.params)) {
    const there = dictGet(haveParams, key);
    if (there === undefined) params.push({ key, value: run.params[key] });
    else if (there !== run.params[key]) throw new RemoteError('http', `param "${key}" is "${there}" on the server and "${run.params[key]}" in the lab; params cannot change`);
  }
  const haveTags = kvDict(server.data?.tags);
  const tagList = fresh ? [] : dictKv(tags).filter((t) => dictGet(haveTags, t.key) !== t.value);

  // Artifacts through the proxy, three at a time.
  if (files.length) {
    const root = proxiedArtifactPath(server.info.artifact_uri ?? '');
    if (root === null) throw new RemoteError('protocol', `the server stores artifacts at ${server.info.artifact_uri}, which a browser cannot write: start it with --serve-artifacts`);
    const have = fresh ? new Map<string, number>() : await serverFiles(s, runId);
    await pool(files.filter((f) => have.get(f.path) !== f.size), 3, async (f) => {
      s.checkCancelled();
      await s.client.putArtifact(`${root}/${f.path}`, await source.readArtifact(labId, f.path), f.contentType);
      s.progress.files++;
      s.emit();
    });
  }

  // Dataset inputs.
  const haveInputs = new Set((server.inputs?.dataset_inputs ?? []).map((d) => inputKey(d, kvDict(d.tags)[TAG.datasetContext])));
  const inputs = run.inputs.filter((i) => !haveInputs.has(inputKey(i, i.tags[TAG.datasetContext])));
  if (inputs.length) await s.client.call('POST', 'mlflow/runs/log-inputs', { run_id: runId, datasets: inputs.map(datasetInputToWire) });

  // Status and end time (a finished run still takes metrics: MLflow only refuses deleted runs).
  const update: Record<string, unknown> = { run_id: runId, status: run.info.status, run_name: run.info.runName };
  if (run.info.endTime !== null) update.end_time = run.info.endTime;
  await s.client.call('POST', 'mlflow/runs/update', update);

  // Metric histories: the tail the server lacks, in logging order; then the digest.
  const serverKeys = new Set((server.data?.metrics ?? []).map((m) => m.key));
  async function* points(): AsyncIterable<WireMetric> {
    for (const key of Object.keys(run.metrics).sort()) {
      const have = !fresh && serverKeys.has(key) ? await serverPointCount(s, runId, key) : 0;
      if (have >= run.metrics[key].count) continue;
      const h = await source.getMetricHistory(labId, key);
      for (let i = have; i < h.values.length; i++) yield { key, value: wireValue(h.values[i]), timestamp: h.timestamps[i], step: h.steps[i] };
    }
  }
  await sendBatches(s, runId, params, tagList, points(), { key: PUSH_DIGEST_TAG, value: digest });
  return { serverRunId: runId, outcome };
}
