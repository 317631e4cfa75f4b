/**
 * The IndexedDB schema and its migrations. Every version adds one `if (oldVersion < N)` step in
 * `migrate`; steps never change, so a database at any shipped version upgrades in order.
 * To add a version: bump DB_VERSION, add the stores to TrackingDBSchema, add the step.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { StoredDataset } from '../data/types';
import type { StoredRegisteredModel } from '../registry/model-registry';
import type { Experiment, Run } from '../tracking/types';
import type { MirrorRecord, OutboxEntry, StoredServer } from './remote-records';

/** v5: a project kept in the lab (the editor's "Keep in lab"): its files as one zip. */
export interface SavedProjectRecord {
  name: string;
  savedAt: number;
  /** The project's zip; ArrayBuffer, never Blob (docs/reliability.md §1.5). */
  zip: ArrayBuffer;
}

export const DB_VERSION = 5;
export const DEFAULT_DB_NAME = 'mfflow';

/** A run as stored: the public record plus ownership fields for the orphan sweep. */
export interface StoredRun extends Run {
  /** Web Lock name held by the run's driver while it is RUNNING; absent for imported runs. */
  ownerLock?: string;
  /** ms; refreshed by every logBatch of an owned run; the heartbeat fallback and KILLED endTime use it. */
  heartbeatAt?: number;
}

/**
 * One column chunk of a metric history; chunks of a key are ordered by `seq`, in logging order.
 * Steps and timestamps are stored only when they cannot be recomputed (metric-chunk-codec.ts);
 * read them through `chunkColumns`.
 */
export interface MetricChunk {
  runId: string;
  key: string;
  seq: number;
  values: Float64Array;
  /** Absent when step i is `stepFrom + i`. */
  steps?: Float64Array;
  stepFrom?: number;
  /** Absent when timestamp i is `timeFrom + times[i]`. */
  timestamps?: Float64Array;
  timeFrom?: number;
  times?: Uint32Array;
}

/** A file in a run's artifact tree; its bytes live in `artifactChunks`. */
export interface ArtifactEntry {
  runId: string;
  path: string;
  size: number;
  chunkCount: number;
  contentType?: string;
  createdAt: number;
}

/** ArrayBuffer, never Blob: Safari has failed to store Blobs (docs/reliability.md §1.5). */
export interface ArtifactChunk {
  runId: string;
  path: string;
  index: number;
  bytes: ArrayBuffer;
}

/** The run index (run-index.ts): `header` says which generation `body` holds. */
export interface RunIndexHeader {
  generation: string;
  format: number;
  /** Runs in the body, columns and whole ones together. */
  count: number;
  writtenAt: number;
}

/** The run index as columns (encoded and decoded by run-index-codec.ts). */
export interface RunIndexBody {
  format: number;
  count: number;
  /** Distinct shared strings (keys, repeated values) joined; `stringEnds[i]` ends string i. */
  strings: string;
  stringEnds: Uint32Array;
  /** Run ids and names, one per run and nearly all distinct, so joined without a lookup table. */
  runIds: string;
  runIdEnds: Uint32Array;
  runNames: string;
  runNameEnds: Uint32Array;
  refs: Uint32Array;
  /** Per run: index in RUN_STATUSES, then index in LIFECYCLES. */
  codes: Uint8Array;
  times: Float64Array;
  /** Per run: how many (key, value) pairs precede the end of its params; likewise tags, metrics. */
  paramEnds: Uint32Array;
  params: Uint32Array;
  tagEnds: Uint32Array;
  tags: Uint32Array;
  metricEnds: Uint32Array;
  metricKeys: Uint32Array;
  /** Per metric: which optional summary fields follow latest and timestamp in `summaries`. */
  metricFlags: Uint8Array;
  summaries: Float64Array;
  /** Runs kept as they are because the columns cannot represent them exactly. */
  whole: StoredRun[];
}

export interface RunIndexBodyRecord {
  generation: string;
  body: RunIndexBody;
}

export interface MetaRecord {
  key: string;
  value: unknown;
}

export interface TrackingDBSchema extends DBSchema {
  experiments: { key: string; value: Experiment; indexes: { byName: string } };
  runs: { key: string; value: StoredRun; indexes: { byExperiment: string } };
  metricChunks: { key: [string, string, number]; value: MetricChunk };
  artifacts: { key: [string, string]; value: ArtifactEntry };
  artifactChunks: { key: [string, string, number]; value: ArtifactChunk };
  datasets: { key: string; value: StoredDataset };
  meta: { key: string; value: MetaRecord };
  /** v2: keys 'header' and 'body'. */
  runIndex: { key: string; value: RunIndexHeader | RunIndexBodyRecord };
  /** v2: ids of runs written since the run index was last written; the value is unused. */
  runDirty: { key: string; value: 1 };
  /** v3: the model registry, one record per registered model with its versions and aliases. */
  registeredModels: { key: string; value: StoredRegisteredModel };
  /** v4: MLflow tracking servers (with their credentials: this browser only, never exported). */
  remoteServers: { key: string; value: StoredServer };
  /** v4: the live mirror's outbox, drained in `seq` order. */
  outbox: { key: number; value: OutboxEntry };
  /** v4: one record per mirrored run: its server and how far the mirror got. */
  mirrors: { key: string; value: MirrorRecord };
  /** v5: projects kept in the lab, by name. */
  savedProjects: { key: string; value: SavedProjectRecord };
}

export type TrackingDB = IDBPDatabase<TrackingDBSchema>;
export type StoreName = StoreNames<TrackingDBSchema>;

/**
 * Runs inside idb's `upgrade` callback. Uses only `db` and the version-change `tx`; never awaits
 * anything else (docs/reliability.md §1.4). `newVersion` lets tests build a database at an old version.
 */
export function migrate(
  db: IDBPDatabase<TrackingDBSchema>,
  oldVersion: number,
  newVersion: number,
  _tx: IDBPTransaction<TrackingDBSchema, StoreName[], 'versionchange'>,
): void {
  if (oldVersion < 1 && newVersion >= 1) {
    const experiments = db.createObjectStore('experiments', { keyPath: 'experimentId' });
    // Unique: a deleted experiment's name stays taken, as in MLflow.
    experiments.createIndex('byName', 'name', { unique: true });
    const runs = db.createObjectStore('runs', { keyPath: 'info.runId' });
    runs.createIndex('byExperiment', 'info.experimentId');
    db.createObjectStore('metricChunks', { keyPath: ['runId', 'key', 'seq'] });
    db.createObjectStore('artifacts', { keyPath: ['runId', 'path'] });
    db.createObjectStore('artifactChunks', { keyPath: ['runId', 'path', 'index'] });
    db.createObjectStore('datasets', { keyPath: 'digest' });
    db.createObjectStore('meta', { keyPath: 'key' });
  }
  if (oldVersion < 2 && newVersion >= 2) {
    // No index yet: the first open reads every run record and then writes the index.
    db.createObjectStore('runIndex');
    db.createObjectStore('runDirty');
  }
  if (oldVersion < 3 && newVersion >= 3) {
    // Keyed by name, so names are unique; a rename moves the record in one transaction.
    db.createObjectStore('registeredModels', { keyPath: 'name' });
  }
  if (oldVersion < 4 && newVersion >= 4) {
    db.createObjectStore('remoteServers', { keyPath: 'id' });
    db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    db.createObjectStore('mirrors', { keyPath: 'runId' });
  }
  if (oldVersion < 5 && newVersion >= 5) {
    db.createObjectStore('savedProjects', { keyPath: 'name' });
  }
}
