/**
 * Imports a prepared bundle (src/lib/bundles/prepare-import.ts) into the store in ONE readwrite
 * transaction: every new experiment, run record (marked dirty for the run index), metric chunk
 * and artifact goes in together, or nothing does (docs/reliability.md §3 rule 8, Z8/Z9). All records
 * are built before the transaction opens; inside it only IDB requests are awaited.
 *
 * Ids are kept. A run whose id exists is compared by content digest: the same content is
 * "already here" and skipped; other content is a conflict, reported and never overwritten. An
 * experiment whose id exists takes the imported runs as it is (ids are random 18-digit numbers,
 * so the same id means the same origin); a new experiment whose name is taken locally is renamed
 * "<name> (imported)" because experiment names are unique.
 *
 * A big import's metric chunks may be written before that transaction, while the workers decode
 * (metric-staging.ts): they stay unreachable until it adds their runs, and go if it fails.
 *
 * Registered models (mlruns/models/) are committed in the same transaction, compared with the
 * registry as it is inside it: a new name is added; a model equal to the local one in content
 * (sameRegisteredModel) is "already here"; any other model of that name is a conflict, reported
 * and never overwritten or merged: versions are numbered per registry, so the same number in two
 * registries need not be the same model, and a partial merge would leave aliases and stages
 * half from each side. The user renames or deletes the local model and imports again.
 *
 * Also reads runs' full content (histories in logging order, artifacts) for export and digests.
 */
import type { IDBPTransaction } from 'idb';
import type { BundleArtifact } from '../mlflow/bundle';
import type { LazyReader, PreparedImport } from './prepared-import';
import { runContentDigest, runContentDigestStreamed } from './run-digest';
import { dropLazyChunks, lazyChunkCount, writeLazyChunks, type LazyPlan } from './lazy-artifacts';
import type { RegisteredModel } from '../mlflow/bundle';
import { storedFromBundle, type StoredRegisteredModel } from '../registry/model-registry';
import type { Experiment, MetricColumns, Run } from '../tracking/types';
import { dictSet, newDict } from '../util/dict';
import { exists } from '../util/errors';
import { joinChunks, toChunks, validateArtifactPath } from './artifact-files';
import { issuePuts, putAll, type Connection } from './db';
import { appendToChunks, updateSummary } from './metric-columns';
import { joinedColumns } from './metric-chunk-codec';
import { putRunRecords } from './run-index';
import type { StagedMetrics } from './metric-staging';
import type { ArtifactChunk, ArtifactEntry, MetricChunk, StoreName, StoredRun, TrackingDBSchema } from './schema';

export interface RunContent {
  metrics: MetricColumns[];
  artifacts: BundleArtifact[];
}

export interface ImportConflict {
  kind: 'run' | 'experiment' | 'registeredModel';
  id: string;
  name: string;
  reason: string;
}

export interface ImportReport {
  kind: PreparedImport['kind'];
  addedRuns: string[];
  addedExperiments: string[];
  /** Runs already in the lab with the same content. */
  unchanged: string[];
  /** Registered models added to the registry, and those already there with the same content. */
  addedRegisteredModels: string[];
  unchangedRegisteredModels: string[];
  /** Digests of the datasets the archive carried that the lab did not have (stored), and of those it had. */
  addedDatasets?: string[];
  unchangedDatasets?: string[];
  conflicts: ImportConflict[];
  warnings: string[];
}

/** The content of a registered model in a canonical text: keys sorted at every level. */
function canonical(m: RegisteredModel): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    return Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]);
  };
  const { name, creationTimestamp, lastUpdatedTimestamp, description, tags, aliases, versions } = m;
  return JSON.stringify(sortKeys({ name, creationTimestamp, lastUpdatedTimestamp, description, tags, aliases, versions }));
}

/**
 * Two records of one registered model hold the same content (tags, aliases, versions and their
 * fields); `nextVersion` is left out, as only deleted versions tell it apart.
 */
export function sameRegisteredModel(a: RegisteredModel, b: RegisteredModel): boolean {
  return canonical(a) === canonical(b);
}

export interface ImportLookups {
  run(id: string): Run | undefined;
  experiment(id: string): Experiment | undefined;
  experimentIdByName(name: string): string | undefined;
}

const runRange = (runId: string) => IDBKeyRange.bound([runId], [runId, []]);
const READ_BATCH = 100;

/** Full content of runs, in batches of read transactions. Histories keep logging order. */
export async function readRunsContent(conn: Connection, runIds: readonly string[]): Promise<Map<string, RunContent>> {
  const out = new Map<string, RunContent>();
  for (let b = 0; b < runIds.length; b += READ_BATCH) {
    const ids = runIds.slice(b, b + READ_BATCH);
    const got = await conn.read(['metricChunks', 'artifacts', 'artifactChunks'], (tx) => Promise.all(ids.map((id) => Promise.all([
      tx.objectStore('metricChunks').getAll(runRange(id)),
      tx.objectStore('artifacts').getAll(runRange(id)),
      tx.objectStore('artifactChunks').getAll(runRange(id)),
    ]))));
    ids.forEach((id, i) => {
      const [chunks, entries, parts] = got[i];
      out.set(id, { metrics: joinHistories(chunks), artifacts: joinArtifacts(entries, parts) });
    });
  }
  return out;
}

/** Chunks sorted by [key, seq] → one history per key in logging order. */
function joinHistories(chunks: MetricChunk[]): MetricColumns[] {
  const byKey = new Map<string, MetricChunk[]>();
  for (const c of chunks) {
    const list = byKey.get(c.key);
    if (list) list.push(c);
    else byKey.set(c.key, [c]);
  }
  return [...byKey].map(([key, list]) => ({ key, ...joinedColumns(list) }));
}

function joinArtifacts(entries: ArtifactEntry[], parts: ArtifactChunk[]): BundleArtifact[] {
  const byPath = new Map<string, ArtifactChunk[]>();
  for (const p of parts) {
    const list = byPath.get(p.path);
    if (list) list.push(p);
    else byPath.set(p.path, [p]);
  }
  return entries.map((e) => {
    const a: BundleArtifact = { path: e.path, bytes: joinChunks(byPath.get(e.path) ?? [], e.size) };
    if (e.contentType !== undefined) a.contentType = e.contentType;
    return a;
  });
}

interface Staged {
  runs: StoredRun[];
  chunks: MetricChunk[];
  entries: ArtifactEntry[];
  parts: ArtifactChunk[];
  /** `lazy` artifacts: their entries are in `entries`, their chunks are written before the transaction. */
  lazy: LazyPlan[];
}

/** `staged`: histories already written (metric-staging.ts) give their summaries only. */
function stage(prep: PreparedImport['runs'], now: number, staged?: StagedMetrics): Staged {
  const s: Staged = { runs: [], chunks: [], entries: [], parts: [], lazy: [] };
  for (const { run, metrics: own, artifacts } of prep) {
    const id = run.info.runId;
    const summaries = newDict<NonNullable<ReturnType<typeof updateSummary>>>();
    Object.assign(summaries, staged?.written(id));
    const metrics = [...own, ...staged?.held(id) ?? []];
    for (const m of metrics) {
      const sum = updateSummary(undefined, m);
      if (!sum) continue;
      dictSet(summaries, m.key, sum);
      s.chunks.push(...appendToChunks(id, m.key, undefined, m));
    }
    // No ownerLock: an imported RUNNING run has no driver here, so the orphan sweep never kills it.
    s.runs.push({ info: { ...run.info }, params: { ...run.params }, tags: { ...run.tags }, metrics: summaries, inputs: run.inputs.map((i) => ({ dataset: { ...i.dataset }, tags: { ...i.tags } })) });
    for (const a of artifacts) {
      validateArtifactPath(a.path);
      if (a.lazy) {
        const chunkCount = lazyChunkCount(a.lazy.size);
        s.lazy.push({ runId: id, path: a.path, ref: a.lazy.ref, size: a.lazy.size, chunkCount });
        const entry: ArtifactEntry = { runId: id, path: a.path, size: a.lazy.size, chunkCount, createdAt: now };
        if (a.contentType !== undefined) entry.contentType = a.contentType;
        s.entries.push(entry);
        continue;
      }
      const parts = toChunks(id, a.path, a.bytes);
      const entry: ArtifactEntry = { runId: id, path: a.path, size: a.bytes.byteLength, chunkCount: parts.length, createdAt: now };
      if (a.contentType !== undefined) entry.contentType = a.contentType;
      s.entries.push(entry);
      s.parts.push(...parts);
    }
  }
  return s;
}

function importedName(name: string, taken: (n: string) => boolean): string {
  for (let i = 1; ; i++) {
    const n = i === 1 ? `${name} (imported)` : `${name} (imported ${i})`;
    if (!taken(n)) return n;
  }
}

/**
 * Called inside the import's transaction after its records are put (scope includes runIndex),
 * with the run records it added: the store writes the run index there when the import is big.
 */
export type ImportIndexHook<R> = (tx: IDBPTransaction<TrackingDBSchema, StoreName[], 'readwrite'>, runs: readonly StoredRun[]) => Promise<R>;

/**
 * `readLazy`: where the `lazy` artifacts of a streamed import are read from (lazy-artifacts.ts);
 * required when the import has any. `onLazyBytes`: bytes of them written so far.
 */
export async function importPrepared<R = void>(conn: Connection, prep: PreparedImport, look: ImportLookups, now: number,
  indexHook?: ImportIndexHook<R>, readLazy?: LazyReader, onLazyBytes?: (done: number) => void, staged?: StagedMetrics): Promise<{ report: ImportReport; runs: StoredRun[]; experiments: Experiment[]; indexed?: R }> {
  const report: ImportReport = {
    kind: prep.kind, addedRuns: [], addedExperiments: [], unchanged: [], addedRegisteredModels: [], unchangedRegisteredModels: [],
    conflicts: [], warnings: [...prep.warnings],
  };
  const models: StoredRegisteredModel[] = (prep.registeredModels ?? []).map(storedFromBundle);
  const newExps: Experiment[] = [];
  const names = new Set<string>();
  for (const e of prep.experiments) {
    const local = look.experiment(e.experimentId);
    if (local) {
      if (local.name !== e.name) report.warnings.push(`experiment ${e.experimentId} is "${local.name}" here ("${e.name}" in the archive); its runs join it`);
      continue;
    }
    const exp = { ...e, tags: { ...e.tags } };
    const taken = (n: string) => names.has(n) || look.experimentIdByName(n) !== undefined;
    if (taken(exp.name)) {
      exp.name = importedName(e.name, taken);
      report.warnings.push(`experiment "${e.name}" exists here with another id; imported as "${exp.name}"`);
    }
    names.add(exp.name);
    newExps.push(exp);
  }
  const known = new Set(newExps.map((e) => e.experimentId));
  const incoming = prep.runs.filter((r) => {
    if (known.has(r.run.info.experimentId) || look.experiment(r.run.info.experimentId)) return true;
    report.conflicts.push({ kind: 'run', id: r.run.info.runId, name: r.run.info.runName, reason: `its experiment ${r.run.info.experimentId} is neither here nor in the archive` });
    return false;
  });
  const existing = incoming.filter((r) => look.run(r.run.info.runId));
  const content = await readRunsContent(conn, existing.map((r) => r.run.info.runId));
  const fresh: typeof incoming = [];
  for (const r of incoming) {
    const id = r.run.info.runId;
    const local = look.run(id);
    if (!local) {
      fresh.push(r);
      continue;
    }
    const held = staged?.held(id);
    const whole = held ? { ...r, metrics: [...r.metrics, ...held] } : r;
    const incomingDigest = r.digest ?? (r.artifacts.some((a) => a.lazy) ? await runContentDigestStreamed(whole, readLazy) : runContentDigest(whole));
    if (runContentDigest({ run: local, ...content.get(id)! }) === incomingDigest) report.unchanged.push(id);
    else report.conflicts.push({ kind: 'run', id, name: local.info.runName, reason: 'a run with this id and different content is already in the lab; it was kept as it is' });
  }
  const s = stage(fresh, now, staged);
  if (s.lazy.length && !readLazy) throw new Error(`the import left ${s.lazy.length} file(s) in the archive (${s.lazy[0].path}, …) but gave no way to read them`);
  const what = () => `the import of ${fresh.length} run(s) (${s.chunks.length} metric chunk(s), ${s.entries.length} artifact(s)) and ${models.length} registered model(s)`;
  const added: string[] = [], same: string[] = [], clashes: ImportConflict[] = [];
  let indexed: R | undefined;
  if (fresh.length || newExps.length || models.length) {
    try {
      if (s.lazy.length) await writeLazyChunks(conn, s.lazy, readLazy!, onLazyBytes);
      await conn.write(['experiments', 'runs', 'runDirty', 'runIndex', 'metricChunks', 'artifacts', 'artifactChunks', 'registeredModels'], what, async (tx) => {
        const exps = tx.objectStore('experiments');
        const clash = await Promise.all(newExps.map((e) => Promise.all([exps.getKey(e.experimentId), exps.index('byName').getKey(e.name)])));
        if (clash.some(([a, b]) => a !== undefined || b !== undefined)) throw exists('Experiments changed in another tab during the import; nothing was imported. Import again.');
        // The bulk records go out without a promise each (issuePuts): a 1,000-run lab's 10,000
        // metric chunks need no answer, and a failed put aborts the transaction all the same.
        issuePuts(tx.objectStore('metricChunks'), s.chunks);
        issuePuts(tx.objectStore('artifacts'), s.entries);
        issuePuts(tx.objectStore('artifactChunks'), s.parts);
        await Promise.all([putAll(exps, newExps), putRunRecords(tx, s.runs, 'add')]);
        // Decided here, against the registry as this transaction sees it (another tab may have edited it).
        const reg = tx.objectStore('registeredModels');
        const local = await Promise.all(models.map((m) => reg.get(m.name)));
        const fresh = models.filter((m, i) => {
          const l = local[i];
          if (!l) return true;
          if (sameRegisteredModel(l, m)) same.push(m.name);
          else clashes.push({ kind: 'registeredModel', id: m.name, name: m.name, reason: 'a registered model with this name and different content is already in the lab; it was kept as it is' });
          return false;
        });
        await putAll(reg, fresh);
        added.push(...fresh.map((m) => m.name));
        if (indexHook) indexed = await indexHook(tx as unknown as Parameters<ImportIndexHook<R>>[0], s.runs);
      }, 'strict');
    } catch (e) {
      await dropLazyChunks(conn, s.lazy);
      throw e;
    }
  }
  // Staged histories of runs not added (already here, in conflict, or skipped) are not kept.
  await staged?.discard(new Set(s.runs.map((r) => r.info.runId)));
  report.addedRegisteredModels = added;
  report.unchangedRegisteredModels = same;
  report.conflicts.push(...clashes);
  report.addedRuns = s.runs.map((r) => r.info.runId);
  report.addedExperiments = newExps.map((e) => e.experimentId);
  return { report, runs: s.runs, experiments: newExps, indexed };
}
