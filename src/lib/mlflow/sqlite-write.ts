/**
 * MlflowBundle → `mlflow.db`, MLflow's SQL store at the pinned revision (MLFLOW_DB_HEAD), so
 * the MLflow of that revision opens it with no flag and no `mlflow db upgrade`. The engine is
 * behind `SqlWriteDb` (sql.js in the bundle worker, Node in tests); this file stays plain TS.
 *
 * Runs are written as they arrive (`addRuns`, one transaction per batch), so a big export never
 * holds every history as columns; experiments, logged models and the registry at `finish`.
 *
 * Values as MLflow's store keeps them: a NaN metric is value 0 with is_nan = 1. ±Infinity is
 * stored as ±Infinity (SQLite's REAL holds it; MLflow writes ±1.797e308 itself but reads either),
 * so histories come back bit for bit; -0 comes back as 0 (SQLite stores integral REALs as integers).
 * Experiment ids are bound as text: 18-digit ids exceed a double, SQLite's INTEGER keeps them.
 */
import { DEFAULT_EXPERIMENT_ID, type Experiment, type MetricColumns } from '../tracking/types';
import { TAG } from '../tracking/tags';
import { dictGet, dictHas } from '../util/dict';
import { invalid } from '../util/errors';
import type { BundleLoggedModel, BundleRun, LoggedModelStatus, RegisteredModel } from './bundle';
import { EXPERIMENT_ID_RE, RUN_ID_RE, datasetId, inputId, keyProblem, md5Hex } from './keys';
import { LAB_TABLES, OTHER_TABLES } from './sqlite-schema';
import { MLFLOW_DB_HEAD } from './sqlite-revisions';
import type { SqlJsDatabase } from './sqljs';
import type { SqlValue } from './sqlite-read';

export type SqlWriteDb = Pick<SqlJsDatabase, 'run' | 'prepare' | 'export' | 'close'>;

const MODEL_STATUS: Record<LoggedModelStatus, number> = { UNSPECIFIED: 0, PENDING: 1, READY: 2, FAILED: 3 };
const RUN_STATUSES = new Set(['SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED']);
const WORKSPACE = 'default';
/** MLflow's stand-in for ±Infinity, used only to rank the latest value as MLflow does. */
const MAX_DOUBLE = 1.7976931348623157e308;

/** Where a run's (and a logged model's) artifacts are, relative to the unpack folder. */
export const runArtifactUri = (experimentId: string, runId: string) => `mlruns/${experimentId}/${runId}/artifacts`;
export const modelArtifactUri = (experimentId: string, modelId: string) => `mlruns/${experimentId}/models/${modelId}/artifacts`;
export const experimentArtifactUri = (experimentId: string) => `mlruns/${experimentId}`;

interface Latest { value: number; rank: number; timestamp: number; step: number; isNan: boolean }

/** The latest point of a history by MLflow's rule: the greatest (step, timestamp, value), first one kept on ties. */
export function latestPoint(m: MetricColumns): Latest | null {
  let best: Latest | null = null;
  for (let i = 0; i < m.values.length; i++) {
    const v = m.values[i];
    const isNan = Number.isNaN(v);
    const rank = isNan ? 0 : v === Infinity ? MAX_DOUBLE : v === -Infinity ? -MAX_DOUBLE : v;
    const p = { value: v, rank, timestamp: m.timestamps[i], step: m.steps[i], isNan };
    if (!best || p.step > best.step || (p.step === best.step && (p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.rank > best.rank)))) best = p;
  }
  return best;
}

export class MlflowDbWriter {
  private readonly datasets = new Map<string, string>();
  private readonly runExperiments = new Set<string>();
  private readonly runIds = new Set<string>();
  private closed = false;

  constructor(private readonly db: SqlWriteDb) {
    // A page cache of 256 MiB in the wasm heap (SQLite's default is 2 MiB): a metric point is a
    // row in four b-trees (the table, its primary key, two run indexes), and with the default
    // cache every page they touch goes back and forth through the in-memory file. Node, sql.js,
    // 1,000,000 points: indexes + export 4.2-4.3 s → 3.5-3.6 s of CPU.
    db.run('PRAGMA cache_size = -262144');
    // The database lives in memory until `export`: no journal to keep.
    db.run('PRAGMA journal_mode = OFF');
    db.run('PRAGMA synchronous = OFF');
    db.run('BEGIN');
    // Indexes of the tables the lab fills are made at `finish`, over all rows at once (faster
    // than growing them row by row); the finished file has exactly MLflow's schema.
    for (const sql of [...LAB_TABLES, ...OTHER_TABLES]) if (!isLabIndex(sql)) db.run(sql);
    db.run('CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))');
    db.run('INSERT INTO alembic_version (version_num) VALUES (?)', [MLFLOW_DB_HEAD]);
    db.run('INSERT INTO workspaces (name, description) VALUES (?, ?)', [WORKSPACE, 'The workspace of resources made without one']);
    db.run('COMMIT');
  }

  /** Runs with their params, tags, full histories, latest metrics and dataset inputs, in one transaction. */
  addRuns(runs: readonly BundleRun[]): void {
    this.batch(() => {
      const run = this.db.prepare('INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const param = this.db.prepare('INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)');
      const tag = this.db.prepare('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)');
      const points = new PointWriter(this.db);
      const latest = this.db.prepare('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)');
      const dataset = this.db.prepare('INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const input = this.db.prepare('INSERT OR IGNORE INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, ?, ?, ?, ?, ?)');
      const inputTag = this.db.prepare('INSERT OR IGNORE INTO input_tags (input_uuid, name, value) VALUES (?, ?, ?)');
      try {
        for (const br of runs) {
          const { info } = br.run;
          if (!RUN_ID_RE.test(info.runId)) throw invalid(`run id '${info.runId}' is not a valid MLflow id`);
          if (!EXPERIMENT_ID_RE.test(info.experimentId)) throw invalid(`run ${info.runId}: experiment id '${info.experimentId}' is not a valid MLflow id`);
          if (this.runIds.has(info.runId)) throw invalid(`run ${info.runId} appears twice`);
          if (br.metricFiles?.length) throw invalid(`run ${info.runId}: encoded metric files cannot go into mlflow.db; give the histories as columns`);
          this.runIds.add(info.runId);
          this.runExperiments.add(info.experimentId);
          const id = info.runId;
          run.run([id, info.runName || null, 'UNKNOWN', '', '', info.userId, RUN_STATUSES.has(info.status) ? info.status : 'FINISHED', info.startTime, info.endTime,
            '', info.lifecycleStage, runArtifactUri(info.experimentId, id), info.experimentId, info.deletedTime]);
          for (const k of Object.keys(br.run.params)) param.run([checkKey(k, id, 'param'), dictGet(br.run.params, k)!, id]);
          for (const k of Object.keys(br.run.tags)) tag.run([checkKey(k, id, 'tag'), dictGet(br.run.tags, k)!, id]);
          // MLflow clients always set mlflow.runName; the UI shows it.
          if (!dictHas(br.run.tags, TAG.runName) && info.runName) tag.run([TAG.runName, info.runName, id]);
          const keys = new Set<string>();
          for (const m of br.metrics) {
            checkKey(m.key, id, 'metric');
            if (keys.has(m.key)) throw invalid(`run ${id} has two histories for metric '${m.key}'`);
            keys.add(m.key);
            points.write(m, id);
            const l = latestPoint(m);
            if (l) latest.run([m.key, l.isNan ? 0 : l.value, l.timestamp, l.step, l.isNan ? 1 : 0, id]);
          }
          for (const inp of br.run.inputs) {
            const ds = inp.dataset;
            const dsKey = `${info.experimentId}\u0000${ds.name}\u0000${ds.digest}`;
            let dsUuid = this.datasets.get(dsKey);
            if (!dsUuid) {
              // Deterministic ids (md5 of what identifies the record), so the same lab exports the same bytes.
              dsUuid = md5Hex(info.experimentId, '/', datasetId(ds.name, ds.digest));
              this.datasets.set(dsKey, dsUuid);
              dataset.run([dsUuid, info.experimentId, ds.name, ds.digest, ds.sourceType, ds.source, ds.schema, ds.profile]);
            }
            const inUuid = inputId(dsUuid, id);
            input.run([inUuid, 'DATASET', dsUuid, 'RUN', id, 0]);
            for (const k of Object.keys(inp.tags)) inputTag.run([inUuid, k, dictGet(inp.tags, k)!]);
          }
        }
      } finally {
        for (const st of [run, param, tag, latest, dataset, input, inputTag]) st.free();
        points.free();
      }
    });
  }

  /**
   * Experiments (the Default one added when missing), logged models and the registry; then the
   * database file. The writer is closed after this.
   */
  finish(experiments: readonly Experiment[], loggedModels: readonly BundleLoggedModel[], registeredModels: readonly RegisteredModel[], outputsOf: readonly Pick<BundleRun, 'run' | 'outputs'>[] = []): Uint8Array {
    try {
      this.writeEnd(experiments, loggedModels, registeredModels, outputsOf);
      return this.db.export();
    } finally {
      this.close();
    }
  }

  private writeEnd(experiments: readonly Experiment[], loggedModels: readonly BundleLoggedModel[], registeredModels: readonly RegisteredModel[], outputsOf: readonly Pick<BundleRun, 'run' | 'outputs'>[]): void {
    this.batch(() => {
      // Run → logged model links (a run's `outputs`) are rows of `inputs`, as MLflow 3 keeps them.
      const output = this.db.prepare('INSERT OR IGNORE INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, ?, ?, ?, ?, ?)');
      try {
        for (const br of outputsOf) {
          const id = br.run.info.runId;
          for (const out of br.outputs ?? []) output.run([md5Hex(id, '->', out.modelId), 'RUN_OUTPUT', id, 'MODEL_OUTPUT', out.modelId, out.step]);
        }
      } finally {
        output.free();
      }
      const seen = new Set<string>();
      const exp = this.db.prepare('INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const expTag = this.db.prepare('INSERT INTO experiment_tags ("key", value, experiment_id) VALUES (?, ?, ?)');
      try {
        const all = [...experiments];
        if (!all.some((e) => e.experimentId === DEFAULT_EXPERIMENT_ID)) {
          const t = Math.min(0, ...all.map((e) => e.creationTime));
          all.unshift({ experimentId: DEFAULT_EXPERIMENT_ID, name: 'Default', artifactLocation: '', lifecycleStage: 'active', creationTime: t, lastUpdateTime: t, tags: {} });
        }
        for (const e of all) {
          if (!EXPERIMENT_ID_RE.test(e.experimentId) || !/^\d+$/.test(e.experimentId)) throw invalid(`experiment id '${e.experimentId}' is not a number, as MLflow's SQL store needs`);
          if (seen.has(e.experimentId)) throw invalid(`experiment ${e.experimentId} appears twice`);
          seen.add(e.experimentId);
          exp.run([e.experimentId, e.name, experimentArtifactUri(e.experimentId), e.lifecycleStage, e.creationTime, e.lastUpdateTime, WORKSPACE]);
          for (const k of Object.keys(e.tags)) expTag.run([k, dictGet(e.tags, k)!, e.experimentId]);
        }
      } finally {
        exp.free(), expTag.free();
      }
      for (const id of this.runExperiments) if (!seen.has(id)) throw invalid(`experiment ${id} is referenced by a run but not in the export`);
      this.writeLoggedModels(loggedModels, seen);
      this.writeRegistry(registeredModels);
      for (const sql of LAB_TABLES) if (isLabIndex(sql)) this.db.run(sql);
    });
  }

  private writeLoggedModels(models: readonly BundleLoggedModel[], experiments: Set<string>): void {
    const row = this.db.prepare('INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const param = this.db.prepare('INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)');
    const tag = this.db.prepare('INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)');
    const metric = this.db.prepare('INSERT OR IGNORE INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, dataset_uuid, dataset_name, dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    try {
      for (const { model: m } of models) {
        if (!experiments.has(m.experimentId)) throw invalid(`logged model ${m.modelId}: experiment ${m.experimentId} is not in the export`);
        row.run([m.modelId, m.experimentId, m.name, modelArtifactUri(m.experimentId, m.modelId), m.creationTimestamp, m.lastUpdatedTimestamp,
          MODEL_STATUS[m.status] ?? 2, m.lifecycleStage, m.modelType, m.sourceRunId, m.statusMessage]);
        for (const k of Object.keys(m.params)) param.run([m.modelId, m.experimentId, k, dictGet(m.params, k)!]);
        for (const k of Object.keys(m.tags)) tag.run([m.modelId, m.experimentId, k, dictGet(m.tags, k)!]);
        for (const p of m.metrics) {
          metric.run([m.modelId, p.key, p.timestamp, p.step, Number.isNaN(p.value) ? null : p.value, m.experimentId, p.runId, null, p.datasetName ?? null, p.datasetDigest ?? null]);
        }
      }
    } finally {
      for (const st of [row, param, tag, metric]) st.free();
    }
  }

  private writeRegistry(models: readonly RegisteredModel[]): void {
    const rm = this.db.prepare('INSERT INTO registered_models (name, creation_time, last_updated_time, description, workspace) VALUES (?, ?, ?, ?, ?)');
    const rmTag = this.db.prepare('INSERT INTO registered_model_tags ("key", value, name, workspace) VALUES (?, ?, ?, ?)');
    const alias = this.db.prepare('INSERT INTO registered_model_aliases (alias, version, name, workspace) VALUES (?, ?, ?, ?)');
    const mv = this.db.prepare('INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location, workspace) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const mvTag = this.db.prepare('INSERT INTO model_version_tags ("key", value, name, version, workspace) VALUES (?, ?, ?, ?, ?)');
    try {
      for (const m of models) {
        rm.run([m.name, m.creationTimestamp, m.lastUpdatedTimestamp, m.description, WORKSPACE]);
        for (const k of Object.keys(m.tags)) rmTag.run([k, dictGet(m.tags, k)!, m.name, WORKSPACE]);
        for (const a of Object.keys(m.aliases)) alias.run([a, dictGet(m.aliases, a)!, m.name, WORKSPACE]);
        for (const v of m.versions) {
          mv.run([m.name, v.version, v.creationTimestamp, v.lastUpdatedTimestamp, v.description, v.userId, v.currentStage, v.source, v.runId,
            v.status, v.statusMessage, v.runLink, v.storageLocation, WORKSPACE]);
          for (const k of Object.keys(v.tags)) mvTag.run([k, dictGet(v.tags, k)!, m.name, v.version, WORKSPACE]);
        }
      }
    } finally {
      for (const st of [rm, rmTag, alias, mv, mvTag]) st.free();
    }
  }

  /** Frees the database without writing it (an export given up on). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private batch(body: () => void): void {
    this.db.run('BEGIN');
    try {
      body();
      this.db.run('COMMIT');
    } catch (e) {
      this.db.run('ROLLBACK');
      throw e;
    }
  }
}

/** Rows per INSERT of metric points: sizes of the prepared multi-row statements, largest first. */
const POINT_CHUNKS = [200, 16, 1];

/**
 * Inserts a history's points into `metrics`, many rows per statement (`VALUES (…), (…), …`):
 * with sql.js each statement run costs a round of JS→wasm calls, so one per row made the
 * export of 1,000,000 points take seconds more. Rows keep the history's order (rowid order is
 * logging order for the reader). The primary key holds (key, timestamp, step, run, value,
 * is_nan): `OR IGNORE` makes an exact repeat of a point one row, per row as before.
 */
class PointWriter {
  private readonly statements: ReturnType<SqlWriteDb['prepare']>[];
  private readonly args: SqlValue[][];

  constructor(db: SqlWriteDb) {
    this.statements = POINT_CHUNKS.map((n) => db.prepare(`INSERT OR IGNORE INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES ${
      Array.from({ length: n }, (_, j) => `(?1, ?${3 + 4 * j}, ?${4 + 4 * j}, ?2, ?${5 + 4 * j}, ?${6 + 4 * j})`).join(', ')}`));
    this.args = POINT_CHUNKS.map((n) => new Array<SqlValue>(2 + 4 * n));
  }

  write(m: MetricColumns, runId: string): void {
    const { values, timestamps, steps } = m;
    const total = values.length;
    let i = 0;
    for (let c = 0; c < POINT_CHUNKS.length; c++) {
      const n = POINT_CHUNKS[c];
      const args = this.args[c];
      args[0] = m.key;
      args[1] = runId;
      for (; i + n <= total; i += n) {
        for (let j = 0, a = 2; j < n; j++, a += 4) {
          const v = values[i + j];
          const nan = Number.isNaN(v); // stored as value 0, is_nan 1 (MLflow's rule)
          args[a] = nan ? 0 : v;
          args[a + 1] = timestamps[i + j];
          args[a + 2] = steps[i + j];
          args[a + 3] = nan ? 1 : 0;
        }
        this.statements[c].run(args);
      }
    }
  }

  free(): void {
    for (const st of this.statements) st.free();
  }
}

function isLabIndex(sql: string): boolean {
  return /^CREATE (UNIQUE )?INDEX /.test(sql) && LAB_TABLES.includes(sql);
}

function checkKey(key: string, runId: string, what: string): string {
  const problem = keyProblem(key);
  if (problem) throw invalid(`run ${runId} ${what} key '${key}' ${problem}`);
  return key;
}

export type { SqlValue };
