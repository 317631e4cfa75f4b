/**
 * The big files of a streamed import (prepared-import.ts, `lazy` artifacts), written before the
 * import's one transaction: each is pulled from the archive in chunk-sized pieces and its chunks
 * put in transactions of at most STAGE_BYTES, so the page holds one batch, never the file.
 *
 * The chunks are invisible until that transaction adds their artifact entries (a reader finds a
 * file by its entry), so the import still shows all of its runs or none. If the import fails or
 * is cancelled, the chunks written are deleted; a tab that dies in the middle leaves them
 * unreachable (space, not data: importing the same run again writes over them).
 */
import { ARTIFACT_CHUNK_BYTES } from './artifact-files';
import { putAll, type Connection } from './db';
import type { LazyReader } from './prepared-import';
import type { ArtifactChunk } from './schema';

/** Bytes of chunks put in one transaction. */
export const STAGE_BYTES = 32 << 20;

export interface LazyPlan {
  runId: string;
  path: string;
  ref: string;
  size: number;
  chunkCount: number;
}

export const lazyChunkCount = (size: number) => Math.max(1, Math.ceil(size / ARTIFACT_CHUNK_BYTES));

/** Pulls every planned file through `read` and puts its chunks; `onBytes` gets the bytes written so far. */
export async function writeLazyChunks(conn: Connection, plans: readonly LazyPlan[], read: LazyReader, onBytes?: (done: number) => void): Promise<void> {
  let batch: ArtifactChunk[] = [];
  let batchBytes = 0;
  let done = 0;
  const flush = async () => {
    if (!batch.length) return;
    const put = batch;
    batch = [];
    batchBytes = 0;
    await conn.write(['artifactChunks'], () => `${put.length} chunk(s) of imported artifacts`, (tx) => putAll(tx.objectStore('artifactChunks'), put));
    onBytes?.(done);
  };
  for (const p of plans) {
    let index = 0;
    let got = 0;
    for await (const piece of read(p.ref, ARTIFACT_CHUNK_BYTES)) {
      if (index >= p.chunkCount || (piece.length !== ARTIFACT_CHUNK_BYTES && got + piece.length !== p.size)) {
        throw new Error(`${p.path} of run ${p.runId}: the archive gave pieces that do not add up to its ${p.size} bytes`);
      }
      // A piece that is a view would make IndexedDB store its whole buffer.
      const bytes = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? piece.buffer as ArrayBuffer : piece.slice().buffer;
      batch.push({ runId: p.runId, path: p.path, index: index++, bytes });
      got += piece.length;
      done += piece.length;
      batchBytes += piece.length;
      if (batchBytes >= STAGE_BYTES) await flush();
    }
    if (got !== p.size || index !== p.chunkCount) throw new Error(`${p.path} of run ${p.runId}: ${got} bytes read of the ${p.size} the archive declares`);
  }
  await flush();
}

/** Deletes the chunks of planned files (after a failed import); best effort, failures are ignored. */
export async function dropLazyChunks(conn: Connection, plans: readonly LazyPlan[]): Promise<void> {
  if (!plans.length) return;
  await conn.write(['artifactChunks'], () => 'removing the chunks of a failed import', async (tx) => {
    const store = tx.objectStore('artifactChunks');
    await Promise.all(plans.map((p) => store.delete(IDBKeyRange.bound([p.runId, p.path, 0], [p.runId, p.path, Infinity]))));
  }).catch(() => undefined);
}
