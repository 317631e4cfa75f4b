/**
 * A bundle downloaded by URL goes to a temporary file in the origin's private file system (OPFS)
 * as it arrives, and is read from there like a picked file (blob-zip.ts): the archive is never
 * one ArrayBuffer in the worker. Where OPFS or its sync access handle is missing, the response
 * becomes a Blob (browsers keep big Blobs on disk, but that is theirs to decide).
 */
const TMP_DIR = 'mfflow-downloads';
/** Temporary files older than this belong to no running import (a tab closed mid-import). */
const STALE_MS = 60 * 60 * 1000;

export interface Downloaded {
  file: Blob;
  /** Removes the temporary file (idempotent). */
  dispose(): Promise<void>;
}

async function tmpDir(): Promise<FileSystemDirectoryHandle | null> {
  try {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(TMP_DIR, { create: true });
    for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (h.kind !== 'file') continue;
      const f = await (h as FileSystemFileHandle).getFile().catch(() => null);
      if (f && Date.now() - f.lastModified > STALE_MS) await dir.removeEntry(name).catch(() => undefined);
    }
    return typeof FileSystemFileHandle !== 'undefined' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype ? dir : null;
  } catch {
    return null;
  }
}

export async function downloadToDisk(url: string, signal: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<Downloaded> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || 0;
  const dir = res.body ? await tmpDir() : null;
  if (!dir || !res.body) return { file: await res.blob(), dispose: async () => undefined };
  const name = `${crypto.randomUUID()}.zip`;
  const handle = await dir.getFileHandle(name, { create: true });
  const dispose = () => dir.removeEntry(name).catch(() => undefined);
  const access = await handle.createSyncAccessHandle();
  try {
    const reader = res.body.getReader();
    let at = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let o = 0; o < value.length;) o += access.write(value.subarray(o), { at: at + o });
      at += value.length;
      onProgress?.(at, total);
    }
    access.flush();
  } catch (e) {
    access.close();
    await dispose();
    throw e;
  }
  access.close();
  return { file: await handle.getFile(), dispose };
}
