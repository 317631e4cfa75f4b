/**
 * Reading untrusted zip archives (docs/reliability.md §3, rows Z1–Z8). Everything is refused, not
 * repaired: unsafe names, duplicates, lying sizes, bad CRCs, bombs, overlaps, symlinks,
 * encryption and unknown methods each throw an ArchiveError naming the entry and the rule.
 *
 * Two readers share the checks: `unzipSafe` for bytes in memory, and `unzipSafeBlob` for a
 * Blob/File, with progress and an AbortSignal. Results are Maps, so `__proto__` is an ordinary
 * name. Stored entries come back as views into the archive bytes (no copy).
 */
import { crc32 } from './crc32';
import { ArchiveError } from './errors';
import { hasNativeInflateRaw } from './deflate-native';
import { checkNoOverlap, localDataOffset, type ZipEntry } from './zip-format';
import { INFLATE_PIECE, WHOLE_READ_LIMIT, checkBounds, decodeEntry, plan, slices, type UnzipOptions, type UnzipProgress } from './zip-read-core';
import { openZipBlob, type BlobLike } from './blob-zip';

export { ArchiveError } from './errors';
export type { ZipLimits } from './zip-format';
export type { UnzipOptions, UnzipProgress } from './zip-read-core';
export type { BlobLike } from './blob-zip';
export { WHOLE_READ_LIMIT } from './zip-read-core';

const enc = new TextEncoder();

/** The entries of an archive in memory and where each one's data starts, every header checked. */
function located(bytes: Uint8Array, opts: UnzipOptions): { entries: ZipEntry[]; starts: number[] } {
  const readAt = (o: number, n: number) => {
    if (o < 0 || o + n > bytes.length) throw new ArchiveError(null, 'corrupt', 'archive is truncated');
    return bytes.subarray(o, o + n);
  };
  const { entries, cdOffset } = plan(bytes.length, readAt, opts);
  const starts = entries.map((en) => {
    const head = readAt(en.localOffset, Math.min(30 + 0xffff * 2, bytes.length - en.localOffset));
    const start = localDataOffset(head, en, enc.encode(en.name));
    checkBounds(en, start, bytes.length);
    return start;
  });
  checkNoOverlap(entries.map((en, i) => ({ name: en.name, start: en.localOffset, end: starts[i] + en.compressedSize })), cdOffset);
  return { entries, starts };
}

/** Reads an untrusted archive held in memory. Directories come back as `name/` → empty bytes. */
export function unzipSafe(bytes: Uint8Array, opts: UnzipOptions = {}): Map<string, Uint8Array> {
  const { entries, starts } = located(bytes, opts);
  const out = new Map<string, Uint8Array>();
  const progress: UnzipProgress = { entriesDone: 0, entriesTotal: entries.length, bytesOut: 0, bytesTotal: entries.reduce((s, e) => s + e.size, 0) };
  entries.forEach((en, i) => {
    opts.signal?.throwIfAborted();
    const data = bytes.subarray(starts[i], starts[i] + en.compressedSize);
    out.set(en.name, en.isDir ? new Uint8Array(0) : decodeEntry(en, slices(data), opts.signal, undefined, opts.inflater));
    progress.entriesDone++;
    progress.bytesOut += en.size;
    opts.onProgress?.({ ...progress });
  });
  return out;
}

/** Deflated entries at least this big inflate through the platform's DecompressionStream. */
export const NATIVE_INFLATE_MIN = 1 << 20;

/**
 * unzipSafe with big deflated entries (an export's mlflow.db: 30 MB that inflate to 200 MB)
 * inflated by the platform's native `DecompressionStream('deflate-raw')` (zlib, several times
 * fflate's speed), with the same checks: never more than the declared size (the stream is
 * cancelled at the first byte over), the declared size exactly, the CRC, and damaged data as
 * 'corrupt'. Everything else, and platforms without the stream, go through unzipSafe's path.
 */
export async function unzipSafeAsync(bytes: Uint8Array, opts: UnzipOptions = {}): Promise<Map<string, Uint8Array>> {
  if (!hasNativeInflateRaw()) return unzipSafe(bytes, opts);
  const { entries, starts } = located(bytes, opts);
  const out = new Map<string, Uint8Array>();
  const progress: UnzipProgress = { entriesDone: 0, entriesTotal: entries.length, bytesOut: 0, bytesTotal: entries.reduce((s, e) => s + e.size, 0) };
  for (let i = 0; i < entries.length; i++) {
    const en = entries[i];
    opts.signal?.throwIfAborted();
    const data = bytes.subarray(starts[i], starts[i] + en.compressedSize);
    out.set(en.name, en.isDir ? new Uint8Array(0)
      : en.method === 8 && en.compressedSize >= NATIVE_INFLATE_MIN ? await inflateNative(en, data, opts.signal)
        : decodeEntry(en, slices(data), opts.signal, undefined, opts.inflater));
    progress.entriesDone++;
    progress.bytesOut += en.size;
    opts.onProgress?.({ ...progress });
  }
  return out;
}

async function inflateNative(en: ZipEntry, data: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate-raw' as CompressionFormat);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const out = new Uint8Array(en.size);
  let got = 0;
  let crc = 0;
  // Fed in pieces while the output is read, so a lying entry is stopped after one piece's worth.
  const writing = (async () => {
    for (let o = 0; o < data.length; o += INFLATE_PIECE * 64) await writer.write(data.subarray(o, Math.min(data.length, o + INFLATE_PIECE * 64)) as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  writing.catch(() => undefined); // its failure is the reader's too, reported below
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to more than the declared ${en.size} bytes`);
      out.set(value, got);
      crc = crc32(value, crc);
      got += value.length;
      signal?.throwIfAborted();
    }
    await writing;
  } catch (e) {
    void reader.cancel().catch(() => undefined);
    void writer.abort().catch(() => undefined);
    if (e instanceof ArchiveError || (e as Error).name === 'AbortError') throw e;
    throw new ArchiveError(en.name, 'corrupt', `compressed data is damaged (${(e as Error).message})`);
  }
  if (got !== en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to ${got} bytes, but declares ${en.size}`);
  if (crc !== en.crc) throw new ArchiveError(en.name, 'bad-crc', 'CRC-32 does not match the data');
  return out;
}

/**
 * Reads an untrusted archive from a Blob/File: in one piece up to WHOLE_READ_LIMIT, else entry by
 * entry through blob-zip.ts (the central directory first, each entry's data read on demand).
 * Every entry ends up in the Map; an import that must not hold them all uses openZipBlob itself.
 */
export async function unzipSafeBlob(blob: BlobLike, opts: UnzipOptions = {}): Promise<Map<string, Uint8Array>> {
  const size = blob.size;
  if (size <= (opts.wholeReadLimit ?? WHOLE_READ_LIMIT)) return unzipSafeAsync(new Uint8Array(await blob.slice(0, size).arrayBuffer()), opts);
  const zip = await openZipBlob(blob, opts);
  const out = new Map<string, Uint8Array>();
  const progress: UnzipProgress = { entriesDone: 0, entriesTotal: zip.entries.length, bytesOut: 0, bytesTotal: zip.entries.reduce((s, e) => s + e.size, 0) };
  for (const en of zip.entries) {
    opts.signal?.throwIfAborted();
    out.set(en.name, await zip.read(en));
    progress.entriesDone++;
    progress.bytesOut += en.size;
    opts.onProgress?.({ ...progress });
  }
  return out;
}
