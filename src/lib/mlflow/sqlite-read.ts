/**
 * An `mlflow.db` (MLflow's SQL tracking and registry store, MLflow 2.x or 3.x, SQLite) plus its
 * artifact folders → an MlflowBundle, as readMlrunsTree gives for a file store. The engine is
 * behind `SqlDb` (sql.js in the bundle worker), so this file stays plain TypeScript.
 *
 * Tables and columns are MLflow's documented SQL store (experiments, runs, params, tags,
 * metrics, datasets/inputs/input_tags, registered_models, model_versions, their tags and
 * aliases, logged_models and their params/tags/metrics). Columns added by later revisions are
 * read when the table has them. Artifacts: a run's `artifact_uri` names a folder of the machine
 * that wrote it (`/home/x/mlartifacts/1/<run>/artifacts`, `file:///…`, `./mlruns/…`,
 * `mlflow-artifacts:/…`); it is rebased into the archive by the folder `<run id>/artifacts/`
 * (run ids are unique), and a logged model's by `<model id>/artifacts/`.
 */
import type { DatasetInput, Experiment, MetricColumns, MetricSummary, Run, RunStatus } from '../tracking/types';
import { TAG } from '../tracking/tags';
import { dictGet, dictSet, newDict, type Dict } from '../util/dict';
import type { BundleArtifact, BundleLoggedModel, BundleRun, LoggedModelStatus, MlflowBundle, ModelVersion, RegisteredModel } from './bundle';
import { FormatError } from './errors';
import { summarize } from './read-tree';
import { MLFLOW_DB_REVISIONS } from './sqlite-revisions';

export type SqlValue = number | string | Uint8Array | null;
export interface SqlDb {
  /** Rows of a query as objects by column name. */
  query(sql: string): Record<string, SqlValue>[];
  /** Calls `onRow` with each row's values in column order (the same array, refilled: copy what you keep). */
  each(sql: string, onRow: (row: readonly SqlValue[]) => void): void;
}
/** An opened database file the caller closes when done. */
export interface OpenedDb extends SqlDb {
  close(): void;
}

const RUN_STATUSES: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
/** logged_models.status is an integer (MLflow's LoggedModelStatus enum). */
const MODEL_STATUS: Record<number, LoggedModelStatus> = { 0: 'UNSPECIFIED', 1: 'PENDING', 2: 'READY', 3: 'FAILED' };

/** Experiment ids as text: the lab's 18-digit ids do not fit a double, which sql.js gives for integers. */
const EXP_TEXT = 'CAST(experiment_id AS TEXT) AS exp_id_text';
const str = (v: SqlValue | undefined): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : new TextDecoder().decode(v));
const optStr = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : str(v));
const num = (v: SqlValue | undefined): number => (typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(str(v)));
const optNum = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : num(v));

export interface ReadDbResult {
  bundle: MlflowBundle;
  warnings: string[];
  revision: string;
}

/** The schema revision, or a FormatError naming the file when it is not an MLflow database the lab knows. */
export function mlflowDbRevision(db: SqlDb, file: string): string {
  const tables = new Set(db.query("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => str(r.name)));
  if (!tables.has('alembic_version') || !tables.has('experiments') || !tables.has('runs')) {
    throw new FormatError(file, 'is not an MLflow tracking database (no alembic_version, experiments or runs table)');
  }
  const rows = db.query('SELECT version_num FROM alembic_version');
  const revision = rows.length === 1 ? str(rows[0].version_num) : '';
  if (!MLFLOW_DB_REVISIONS.includes(revision)) {
    throw new FormatError(file, `has schema revision "${revision || '(none)'}", which this lab does not know (it reads MLflow's revisions up to ${MLFLOW_DB_REVISIONS[MLFLOW_DB_REVISIONS.length - 1]}, MLflow 3.17.2); open it with that MLflow or export it as mlruns/ from a newer one`);
  }
  return revision;
}

function columnsOf(db: SqlDb, table: string): Set<string> {
  return new Set(db.query(`PRAGMA table_info("${table}")`).map((r) => str(r.name)));
}

function groupBy<T>(rows: Record<string, SqlValue>[], key: string, f: (r: Record<string, SqlValue>) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = str(r[key]);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(f(r));
  }
  return out;
}

/** Artifacts under `<id>/artifacts/` anywhere in the archive (the first folder that has them). */
function artifactsOf(index: Map<string, [string, Uint8Array][]>, id: string): BundleArtifact[] {
  return (index.get(id) ?? []).map(([path, bytes]) => ({ path, bytes }));
}

/** `<id>` → its files below the first `…/<id>/artifacts/` folder, by path below it. */
function indexArtifacts(files: Map<string, Uint8Array>, ids: Set<string>): Map<string, [string, Uint8Array][]> {
  const out = new Map<string, [string, Uint8Array][]>();
  const roots = new Map<string, string>();
  for (const [path, bytes] of files) {
    if (path.endsWith('/')) continue;
    const parts = path.split('/');
    for (let i = 0; i + 2 < parts.length; i++) {
      if (parts[i + 1] !== 'artifacts' || !ids.has(parts[i])) continue;
      const root = parts.slice(0, i + 2).join('/');
      const id = parts[i];
      const seen = roots.get(id);
      if (seen !== undefined && seen !== root) break;
      roots.set(id, root);
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      list.push([parts.slice(i + 2).join('/'), bytes]);
      break;
    }
  }
  return out;
}

interface History { values: Float64Array; steps: Float64Array; timestamps: Float64Array }
type Histories = Map<string, Map<string, History>>;

/**
 * Every metric history, run → key → points in logging order (the table's rowid order is the
 * order MLflow inserted them): this is the bulk of an import (10,000,000 rows for 1,000 runs ×
 * 10 metrics × 1,000 steps). First the histories and their sizes, from the run/key/step index
 * (a covering GROUP BY); when each history's rows are contiguous in rowid order (the lab's
 * exports, and MLflow's log_batch), one scan of the numeric columns fills preallocated arrays,
 * with no text read per row. Otherwise (histories interleaved, as runs logging one point at a
 * time at once leave them) each row names its history.
 */
function readHistories(db: SqlDb, isNan: boolean): Histories {
  const groups: { run: string; key: string; n: number; first: number }[] = [];
  let contiguous = true;
  db.each('SELECT run_uuid, key, count(*), min(rowid), max(rowid) FROM metrics GROUP BY run_uuid, key', (r) => {
    const n = num(r[2]), first = num(r[3]);
    if (num(r[4]) - first + 1 !== n) contiguous = false;
    groups.push({ run: str(r[0]), key: str(r[1]), n, first });
  });
  return contiguous ? readContiguous(db, isNan, groups) : readInterleaved(db, isNan);
}

function readContiguous(db: SqlDb, isNan: boolean, groups: { run: string; key: string; n: number; first: number }[]): Histories {
  groups.sort((a, b) => a.first - b.first);
  const out: Histories = new Map();
  const hs = groups.map((g) => {
    const h = { values: new Float64Array(g.n), steps: new Float64Array(g.n), timestamps: new Float64Array(g.n) };
    let byKey = out.get(g.run);
    if (!byKey) out.set(g.run, (byKey = new Map()));
    byKey.set(g.key, h);
    return h;
  });
  let gi = 0, i = 0;
  let h = hs[0];
  db.each(`SELECT value, timestamp, step${isNan ? ', is_nan' : ''} FROM metrics ORDER BY rowid`, (r) => {
    while (i === h.values.length) (h = hs[++gi]), (i = 0);
    h.values[i] = isNan && num(r[3]) ? NaN : r[0] === null ? NaN : num(r[0]);
    h.timestamps[i] = num(r[1]);
    h.steps[i++] = num(r[2]);
  });
  return out;
}

/** Histories whose rows interleave: each row looks its history up (the last one is reused). */
function readInterleaved(db: SqlDb, isNan: boolean): Histories {
  const lists = new Map<string, Map<string, { values: number[]; steps: number[]; timestamps: number[] }>>();
  let lastRun = '', lastKey = '';
  let last: { values: number[]; steps: number[]; timestamps: number[] } | null = null;
  db.each(`SELECT run_uuid, key, value, timestamp, step${isNan ? ', is_nan' : ''} FROM metrics ORDER BY rowid`, (r) => {
    const run = str(r[0]), key = str(r[1]);
    if (last === null || run !== lastRun || key !== lastKey) {
      let byKey = lists.get(run);
      if (!byKey) lists.set(run, (byKey = new Map()));
      last = byKey.get(key) ?? null;
      if (!last) byKey.set(key, (last = { values: [], steps: [], timestamps: [] }));
      lastRun = run, lastKey = key;
    }
    last.values.push(isNan && num(r[5]) ? NaN : r[2] === null ? NaN : num(r[2]));
    last.timestamps.push(num(r[3]));
    last.steps.push(num(r[4]));
  });
  const out: Histories = new Map();
  for (const [run, byKey] of lists) {
    out.set(run, new Map([...byKey].map(([key, l]) => [key, { values: Float64Array.from(l.values), steps: Float64Array.from(l.steps), timestamps: Float64Array.from(l.timestamps) }])));
  }
  return out;
}

export function readMlflowDb(db: SqlDb, file: string, files: Map<string, Uint8Array>): ReadDbResult {
  const revision = mlflowDbRevision(db, file);
  const warnings: string[] = [];
  const tables = new Set(db.query("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => str(r.name)));
  const has = (t: string) => tables.has(t);

  const expTags = groupBy(has('experiment_tags') ? db.query(`SELECT key, value, ${EXP_TEXT} FROM experiment_tags`) : [], 'exp_id_text', (r) => [str(r.key), str(r.value)] as const);
  const expCols = columnsOf(db, 'experiments');
  const experiments: Experiment[] = db.query(`SELECT *, ${EXP_TEXT} FROM experiments ORDER BY experiment_id`).map((r) => {
    const tags = newDict<string>();
    for (const [k, v] of expTags.get(str(r.exp_id_text)) ?? []) dictSet(tags, k, v);
    return {
      experimentId: str(r.exp_id_text), name: str(r.name), artifactLocation: str(r.artifact_location),
      lifecycleStage: str(r.lifecycle_stage) === 'deleted' ? 'deleted' : 'active',
      creationTime: expCols.has('creation_time') ? num(r.creation_time) : 0,
      lastUpdateTime: expCols.has('last_update_time') ? num(r.last_update_time) : 0,
      tags,
    };
  });

  const params = groupBy(db.query('SELECT key, value, run_uuid FROM params'), 'run_uuid', (r) => [str(r.key), str(r.value)] as const);
  const tags = groupBy(db.query('SELECT key, value, run_uuid FROM tags'), 'run_uuid', (r) => [str(r.key), str(r.value)] as const);
  // Full histories in logging order: the table's rowid order is the order MLflow inserted them.
  const histories = readHistories(db, columnsOf(db, 'metrics').has('is_nan'));

  const inputs = new Map<string, DatasetInput[]>();
  if (has('inputs') && has('datasets')) {
    const datasets = new Map(db.query('SELECT * FROM datasets').map((r) => [str(r.dataset_uuid), r] as const));
    const inTags = groupBy(has('input_tags') ? db.query('SELECT input_uuid, name, value FROM input_tags') : [], 'input_uuid', (r) => [str(r.name), str(r.value)] as const);
    for (const r of db.query("SELECT * FROM inputs WHERE source_type = 'DATASET' AND destination_type = 'RUN' ORDER BY rowid")) {
      const d = datasets.get(str(r.source_id));
      if (!d) {
        warnings.push(`${file}: input ${str(r.input_uuid)} refers to missing dataset ${str(r.source_id)}; skipped`);
        continue;
      }
      const t = newDict<string>();
      for (const [k, v] of inTags.get(str(r.input_uuid)) ?? []) dictSet(t, k, v);
      const runId = str(r.destination_id);
      let list = inputs.get(runId);
      if (!list) inputs.set(runId, (list = []));
      list.push({
        dataset: { name: str(d.name), digest: str(d.digest), sourceType: str(d.dataset_source_type), source: str(d.dataset_source), schema: optStr(d.dataset_schema), profile: optStr(d.dataset_profile) },
        tags: t,
      });
    }
  }

  const runRows = db.query(`SELECT *, ${EXP_TEXT} FROM runs ORDER BY start_time, run_uuid`);
  const loggedRows = has('logged_models') ? db.query(`SELECT *, ${EXP_TEXT} FROM logged_models ORDER BY creation_timestamp_ms, model_id`) : [];
  const ids = new Set([...runRows.map((r) => str(r.run_uuid)), ...loggedRows.map((r) => str(r.model_id))]);
  const artifactIndex = indexArtifacts(files, ids);

  const runs: BundleRun[] = runRows.map((r) => {
    const runId = str(r.run_uuid);
    const t = newDict<string>();
    for (const [k, v] of tags.get(runId) ?? []) dictSet(t, k, v);
    const p = newDict<string>();
    for (const [k, v] of params.get(runId) ?? []) dictSet(p, k, v);
    const metrics: MetricColumns[] = [...histories.get(runId) ?? []].map(([key, h]) => ({ key, ...h }));
    const summaries = newDict<MetricSummary>();
    for (const m of metrics) dictSet(summaries, m.key, summarize(m));
    const status = str(r.status) as RunStatus;
    const run: Run = {
      info: {
        runId, experimentId: str(r.exp_id_text), runName: str(r.name) || (dictGet(t, TAG.runName) ?? ''), userId: str(r.user_id),
        status: RUN_STATUSES.includes(status) ? status : 'FINISHED', startTime: num(r.start_time), endTime: optNum(r.end_time),
        lifecycleStage: str(r.lifecycle_stage) === 'deleted' ? 'deleted' : 'active', deletedTime: optNum(r.deleted_time), artifactUri: str(r.artifact_uri),
      },
      params: p, tags: t, metrics: summaries, inputs: inputs.get(runId) ?? [],
    };
    return { run, metrics, artifacts: artifactsOf(artifactIndex, runId) };
  });

  const loggedModels: BundleLoggedModel[] = [];
  if (loggedRows.length) {
    const lmParams = groupBy(has('logged_model_params') ? db.query('SELECT * FROM logged_model_params') : [], 'model_id', (r) => [str(r.param_key), str(r.param_value)] as const);
    const lmTags = groupBy(has('logged_model_tags') ? db.query('SELECT * FROM logged_model_tags') : [], 'model_id', (r) => [str(r.tag_key), str(r.tag_value)] as const);
    const lmMetrics = groupBy(has('logged_model_metrics') ? db.query('SELECT * FROM logged_model_metrics ORDER BY rowid') : [], 'model_id', (r) => ({
      key: str(r.metric_name), value: num(r.metric_value), timestamp: num(r.metric_timestamp_ms), step: num(r.metric_step), runId: str(r.run_id),
      ...(r.dataset_name ? { datasetName: str(r.dataset_name) } : {}), ...(r.dataset_digest ? { datasetDigest: str(r.dataset_digest) } : {}),
    }));
    for (const r of loggedRows) {
      const id = str(r.model_id);
      const p = newDict<string>();
      for (const [k, v] of lmParams.get(id) ?? []) dictSet(p, k, v);
      const t = newDict<string>();
      for (const [k, v] of lmTags.get(id) ?? []) dictSet(t, k, v);
      loggedModels.push({
        model: {
          modelId: id, experimentId: str(r.exp_id_text), name: str(r.name), artifactLocation: str(r.artifact_location),
          creationTimestamp: num(r.creation_timestamp_ms), lastUpdatedTimestamp: num(r.last_updated_timestamp_ms),
          lifecycleStage: str(r.lifecycle_stage) === 'deleted' ? 'deleted' : 'active', modelType: optStr(r.model_type),
          sourceRunId: optStr(r.source_run_id), status: MODEL_STATUS[num(r.status)] ?? 'READY', statusMessage: optStr(r.status_message),
          params: p, tags: t, metrics: lmMetrics.get(id) ?? [],
        },
        artifacts: artifactsOf(artifactIndex, id),
      });
    }
  }

  return { bundle: { experiments, runs, loggedModels, registeredModels: readRegistry(db, has) }, warnings, revision };
}

function readRegistry(db: SqlDb, has: (t: string) => boolean): RegisteredModel[] {
  if (!has('registered_models')) return [];
  const rmTags = groupBy(has('registered_model_tags') ? db.query('SELECT * FROM registered_model_tags') : [], 'name', (r) => [str(r.key), str(r.value)] as const);
  const aliases = groupBy(has('registered_model_aliases') ? db.query('SELECT * FROM registered_model_aliases') : [], 'name', (r) => [str(r.alias), num(r.version)] as const);
  const mvTags = groupBy(has('model_version_tags') ? db.query('SELECT * FROM model_version_tags') : [], 'name', (r) => ({ version: num(r.version), key: str(r.key), value: str(r.value) }));
  const versions = groupBy(has('model_versions') ? db.query('SELECT * FROM model_versions ORDER BY name, version') : [], 'name', (r): ModelVersion => {
    const t = newDict<string>();
    for (const x of mvTags.get(str(r.name)) ?? []) if (x.version === num(r.version)) dictSet(t, x.key, x.value);
    return {
      version: num(r.version), creationTimestamp: num(r.creation_time), lastUpdatedTimestamp: num(r.last_updated_time),
      description: optStr(r.description), userId: optStr(r.user_id), currentStage: str(r.current_stage) || 'None', source: str(r.source),
      runId: optStr(r.run_id) || null, runLink: optStr(r.run_link) || null, status: str(r.status) || 'READY', statusMessage: optStr(r.status_message),
      modelId: optStr(r.model_id) || null, storageLocation: optStr(r.storage_location), tags: t,
    };
  });
  return db.query('SELECT * FROM registered_models ORDER BY name').map((r) => {
    const name = str(r.name);
    const t = newDict<string>();
    for (const [k, v] of rmTags.get(name) ?? []) dictSet(t, k, v);
    const a: Dict<number> = newDict<number>();
    for (const [k, v] of aliases.get(name) ?? []) dictSet(a, k, v);
    return {
      name, creationTimestamp: num(r.creation_time), lastUpdatedTimestamp: num(r.last_updated_time), description: optStr(r.description),
      tags: t, aliases: a, versions: versions.get(name) ?? [], // Deleted_Internal ones too: they keep their numbers used
    };
  });
}
