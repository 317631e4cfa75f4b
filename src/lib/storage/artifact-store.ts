/**
 * Artifact file entries and their ArrayBuffer chunks. One file write is one transaction, so a
 * quota failure leaves neither an entry nor stray chunks.
 */
import type { ArtifactInfo } from '../tracking/types';
import { invalid, notFound } from '../util/errors';
import { ARTIFACT_CHUNK_BYTES, conflictWith, joinChunks, listChildren, toChunks, validateArtifactDir, validateArtifactPath } from './artifact-files';
import { putAll, type Connection } from './db';
import type { ArtifactEntry } from './schema';

/** All keys [runId, path] of one run: arrays sort after strings, so [runId, []] bounds the run. */
const runRange = (runId: string) => IDBKeyRange.bound([runId, ''], [runId, []]);
const fileRange = (runId: string, path: string) => IDBKeyRange.bound([runId, path, 0], [runId, path, Infinity]);

export function writeArtifact(conn: Connection, runId: string, path: string, bytes: ArrayBuffer | Uint8Array,
  contentType: string | undefined, now: number): Promise<void> {
  validateArtifactPath(path);
  // Prepared before the transaction opens: no non-IDB work may run inside it.
  const chunks = toChunks(runId, path, bytes);
  const entry: ArtifactEntry = { runId, path, size: bytes.byteLength, chunkCount: chunks.length, createdAt: now };
  if (contentType !== undefined) entry.contentType = contentType;
  const what = () => `artifact "${path}" (${bytes.byteLength.toLocaleString('en-US')} bytes) of run ${runId}`;
  return conn.write(['artifacts', 'artifactChunks'], what, async (tx) => {
    const files = tx.objectStore('artifacts');
    const parts = tx.objectStore('artifactChunks');
    const existing = (await files.getAllKeys(runRange(runId))).map((k) => k[1]);
    const conflict = conflictWith(existing.filter((p) => p !== path), path);
    if (conflict) throw invalid(`Cannot save artifact "${path}": ${conflict}.`);
    const old = await files.get([runId, path]);
    await putAll(parts, chunks);
    await files.put(entry);
    if (old && old.chunkCount > chunks.length) {
      await parts.delete(IDBKeyRange.bound([runId, path, chunks.length], [runId, path, Infinity]));
    }
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
