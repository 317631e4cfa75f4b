/**
 * Artifact file entries and their ArrayBuffer chunks. One write (a file, or a model folder's
 * files) is one transaction, so a quota failure leaves neither an entry nor stray chunks.
 */
import type { ArtifactInfo } from '../tracking/types';
import { invalid, notFound } from '../util/errors';
import { ARTIFACT_CHUNK_BYTES, conflictWith, joinChunks, listChildren, toChunks, validateArtifactDir, validateArtifactPath } from './artifact-files';
import { issuePuts, type Connection } from './db';
import type { ArtifactEntry } from './schema';

/** All keys [runId, path] of one run: arrays sort after strings, so [runId, []] bounds the run. */
const runRange = (runId: string) => IDBKeyRange.bound([runId, ''], [runId, []]);
const fileRange = (runId: string, path: string) => IDBKeyRange.bound([runId, path, 0], [runId, path, Infinity]);

export function writeArtifact(conn: Connection, runId: string, path: string, bytes: ArrayBuffer | Uint8Array,
  contentType: string | undefined, now: number): Promise<void> {
  return writeArtifacts(conn, runId, [{ path, bytes, contentType }], now);
}

export interface ArtifactFile {
  path: string;
  bytes: ArrayBuffer | Uint8Array;
  contentType?: string;
}

/**
 * Writes files of one run in ONE transaction (a model folder: ~10 files), all or none: one
 * transaction and one listing of the run's paths instead of one of each per file.
 */
export function writeArtifacts(conn: Connection, runId: string, files: readonly ArtifactFile[], now: number): Promise<void> {
  // Prepared before the transaction opens: no non-IDB work may run inside it.
  const prepared = files.map(({ path, bytes, contentType }) => {
    validateArtifactPath(path);
    const chunks = toChunks(runId, path, bytes);
    const entry: ArtifactEntry = { runId, path, size: bytes.byteLength, chunkCount: chunks.length, createdAt: now };
    if (contentType !== undefined) entry.contentType = contentType;
    return { path, chunks, entry };
  });
  const what = () => files.length === 1
    ? `artifact "${files[0].path}" (${files[0].bytes.byteLength.toLocaleString('en-US')} bytes) of run ${runId}`
    : `${files.length} artifacts (${files.reduce((n, f) => n + f.bytes.byteLength, 0).toLocaleString('en-US')} bytes) of run ${runId}`;
  return conn.write(['artifacts', 'artifactChunks'], what, async (tx) => {
    const store = tx.objectStore('artifacts');
    const parts = tx.objectStore('artifactChunks');
    const paths = new Set((await store.getAllKeys(runRange(runId))).map((k) => k[1]));
    // Only a path already stored can leave chunks behind: read those entries, all at once.
    const olds = new Map(await Promise.all(prepared.filter((f) => paths.has(f.path))
      .map(async (f) => [f.path, await store.get([runId, f.path])] as const)));
    // Every clash is found before the first write: a throw after a write was issued would abort
    // the transaction under requests nobody awaits (unhandled AbortErrors).
    for (const { path } of prepared) {
      const conflict = conflictWith([...paths].filter((p) => p !== path), path);
      if (conflict) throw invalid(`Cannot save artifact "${path}": ${conflict}.`);
      paths.add(path);
    }
    // Issued without a promise each (db.ts issuePuts): a failed request fails the transaction.
    const stale: Promise<unknown>[] = [];
    for (const { path, chunks, entry } of prepared) {
      const old = olds.get(path);
      issuePuts(parts, chunks);
      issuePuts(store, [entry]);
      if (old && old.chunkCount > chunks.length) {
        stale.push(parts.delete(IDBKeyRange.bound([runId, path, chunks.length], [runId, path, Infinity])));
      }
    }
    await Promise.all(stale);
  });
}

export function listArtifactDir(conn: Connection, runId: string, dir?: string): Promise<ArtifactInfo[]> {
  const d = validateArtifactDir(dir);
  return conn.read(['artifacts'], async (tx) => listChildren(await tx.objectStore('artifacts').getAll(runRange(runId)), d));
}

/**
 * The bytes of one artifact; with `maxBytes`, only its first chunks are read and at most that
 * many bytes returned (a preview of a 200 MB log must not load 200 MB).
 */
export function readArtifactBytes(conn: Connection, runId: string, path: string, maxBytes?: number): Promise<Uint8Array> {
  validateArtifactPath(path);
  return conn.read(['artifacts', 'artifactChunks'], async (tx) => {
    const entry = await tx.objectStore('artifacts').get([runId, path]);
    if (!entry) throw notFound(`Run ${runId} has no artifact "${path}".`);
    if (maxBytes === undefined || maxBytes >= entry.size) {
      return joinChunks(await tx.objectStore('artifactChunks').getAll(fileRange(runId, path)), entry.size);
    }
    const chunks = await tx.objectStore('artifactChunks').getAll(fileRange(runId, path), Math.max(1, Math.ceil(maxBytes / ARTIFACT_CHUNK_BYTES)));
    const got = chunks.reduce((n, c) => n + c.bytes.byteLength, 0);
    return joinChunks(chunks, got).subarray(0, Math.max(0, maxBytes));
  });
}
