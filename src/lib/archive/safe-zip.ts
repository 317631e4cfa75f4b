/**
 * Reading untrusted zip archives (docs/reliability.md §3, rows Z1–Z8). Everything is refused, not
 * repaired: unsafe names, duplicates, lying sizes, bad CRCs, bombs, overlaps, symlinks,
 * encryption and unknown methods each throw an ArchiveError naming the entry and the rule.
 *
 * Two readers share the checks: `unzipSafe` for bytes in memory, and `unzipSafeBlob` for a
 * Blob/File, with progress and an AbortSignal. Results are Maps, so `__proto__` is an ordinary
 * name. Stored entries come back as views into the archive bytes (no copy).
 */
import { Inflate, inflateSync } from 'fflate';
import { crc32 } from './crc32';
import { ArchiveError } from './errors';
import { hasNativeInflateRaw } from './deflate-native';
import {
  DEFAULT_LIMITS, TAIL_BYTES, checkNoOverlap, findCentralDirectory, localDataOffset, parseCentralDirectory,
  type ZipEntry, type ZipLimits,
} from './zip-format';

export { ArchiveError } from './errors';
export type { ZipLimits } from './zip-format';

export interface UnzipProgress {
  entriesDone: number;
  entriesTotal: number;
  bytesOut: number;
  bytesTotal: number;
}

export interface UnzipOptions {
  limits?: Partial<ZipLimits>;
  signal?: AbortSignal;
  onProgress?: (p: UnzipProgress) => void;
  /** unzipSafeBlob: read blobs up to this size in one piece. Default WHOLE_READ_LIMIT. */
  wholeReadLimit?: number;
  /** unzipSafeBlob: window size for bigger blobs. Default 32 MiB. */
  readWindow?: number;
}

const enc = new TextEncoder();
const CHUNK = 4 << 20;
/**
 * Compressed bytes handed to the inflater at a time. One push may expand up to 1032×, so this
 * bounds what an entry lying about its size can produce before `take` refuses it: ~16 MB.
 */
const INFLATE_PIECE = 16 << 10;
/**
 * Blobs up to this size are read in one piece (a bundle's ~20,000 small entries read as
 * separate slices cost ~0.1 ms of IPC each). Bigger ones are read in windows, never copied whole.
 */
export const WHOLE_READ_LIMIT = 64 << 20;
const WINDOW = 32 << 20;

/**
 * Entries compressed to at most this many bytes inflate in one call into a buffer of their
 * declared size + 1 (a byte more shows a lie). The streaming inflater reserves 128 KiB per
 * block, which made 20,000 tiny entries cost 20 s; one call cannot expand past ~64 MiB.
 */
const SMALL_ENTRY = 64 << 10;

function inflateSmall(en: ZipEntry, chunks: Iterable<Uint8Array>): Uint8Array {
  const parts = [...chunks];
  const data = parts.length === 1 ? parts[0] : concat(parts);
  let out: Uint8Array;
  try {
    out = inflateSync(data, { out: new Uint8Array(en.size + 1) });
  } catch (e) {
    // A stored block that does not fit makes fflate write past the buffer.
    if (e instanceof RangeError) throw new ArchiveError(en.name, 'size-mismatch', `inflates to more than the declared ${en.size} bytes`);
    throw new ArchiveError(en.name, 'corrupt', `compressed data is damaged (${(e as Error).message})`);
  }
  if (out.length > en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to more than the declared ${en.size} bytes`);
  if (out.length !== en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to ${out.length} bytes, but declares ${en.size}`);
  if (crc32(out) !== en.crc) throw new ArchiveError(en.name, 'bad-crc', 'CRC-32 does not match the data');
  return out.slice();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** Inflates (or copies) one entry from its compressed chunks, checking size and CRC as it goes. */
function decodeEntry(en: ZipEntry, chunks: Iterable<Uint8Array>, signal?: AbortSignal): Uint8Array {
  if (en.method === 8 && en.compressedSize <= SMALL_ENTRY) return inflateSmall(en, chunks);
  const parts: Uint8Array[] = [];
  let got = 0;
  let crc = 0;
  const take = (d: Uint8Array) => {
    got += d.length;
    if (got > en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to more than the declared ${en.size} bytes`);
    crc = crc32(d, crc);
    parts.push(d);
  };
  if (en.method === 0) {
    for (const c of chunks) take(c);
  } else {
    let ended = false;
    const inf = new Inflate((d, final) => {
      take(d);
      if (final) ended = true;
    });
    try {
      for (const c of chunks) {
        signal?.throwIfAborted();
        for (let o = 0; o < c.length && !ended; o += INFLATE_PIECE) inf.push(c.subarray(o, o + INFLATE_PIECE), false);
      }
      if (!ended) inf.push(new Uint8Array(0), true);
    } catch (e) {
      if (e instanceof ArchiveError || (e as Error).name === 'AbortError') throw e;
      throw new ArchiveError(en.name, 'corrupt', `compressed data is damaged (${(e as Error).message})`);
    }
    if (!ended) throw new ArchiveError(en.name, 'corrupt', 'compressed data ends early');
  }
  if (got !== en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to ${got} bytes, but declares ${en.size}`);
  if (crc !== en.crc) throw new ArchiveError(en.name, 'bad-crc', 'CRC-32 does not match the data');
  return parts.length === 1 ? parts[0] : concat(parts);
}

function* slices(data: Uint8Array): Generator<Uint8Array> {
  for (let o = 0; o < data.length; o += CHUNK) yield data.subarray(o, Math.min(o + CHUNK, data.length));
  if (data.length === 0) yield data;
}

interface Planned {
  entries: ZipEntry[];
  cdOffset: number;
  limits: ZipLimits;
}

function plan(size: number, readAt: (o: number, n: number) => Uint8Array, opts: UnzipOptions): Planned {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const tailLen = Math.min(size, TAIL_BYTES);
  const dir = findCentralDirectory(readAt(size - tailLen, tailLen), size, readAt);
  const entries = parseCentralDirectory(readAt(dir.offset, dir.length), dir, limits);
  return { entries, cdOffset: dir.offset, limits };
}

function checkBounds(en: ZipEntry, start: number, size: number): void {
  if (start + en.compressedSize > size) throw new ArchiveError(en.name, 'corrupt', 'entry data runs past the end of the archive');
}

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
    out.set(en.name, en.isDir ? new Uint8Array(0) : decodeEntry(en, slices(data), opts.signal));
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
        : decodeEntry(en, slices(data), opts.signal));
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

/** What `unzipSafeBlob` needs from a Blob or File. */
export interface BlobLike {
  size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * Reads an untrusted archive from a Blob/File: in one piece up to WHOLE_READ_LIMIT, else in
 * windows (the central directory, a window of headers and data, and the output in memory),
 * yielding to the event loop between reads so an AbortSignal and progress UI work.
 */
export async function unzipSafeBlob(blob: BlobLike, opts: UnzipOptions = {}): Promise<Map<string, Uint8Array>> {
  const size = blob.size;
  if (size <= (opts.wholeReadLimit ?? WHOLE_READ_LIMIT)) return unzipSafeAsync(new Uint8Array(await blob.slice(0, size).arrayBuffer()), opts);
  // Entries are read in order, so one window serves many headers and small entries.
  const window = Math.max(1, opts.readWindow ?? WINDOW);
  let win = new Uint8Array(0);
  let winStart = 0;
  const read = async (o: number, n: number) => {
    if (o < 0 || o + n > size) throw new ArchiveError(null, 'corrupt', 'archive is truncated');
    if (o >= winStart && o + n <= winStart + win.length) return win.subarray(o - winStart, o - winStart + n);
    if (n >= window) return new Uint8Array(await blob.slice(o, o + n).arrayBuffer());
    win = new Uint8Array(await blob.slice(o, Math.min(size, o + window)).arrayBuffer());
    winStart = o;
    return win.subarray(0, n);
  };
  // The parsers are synchronous: prefetch the tail (and zip64 record if named) first.
  const tailLen = Math.min(size, TAIL_BYTES);
  const tail = await read(size - tailLen, tailLen);
  const cache = new Map<number, Uint8Array>([[size - tailLen, tail]]);
  const probe = (o: number, n: number): Uint8Array => {
    const base = size - tailLen;
    if (o >= base && o + n <= size) return tail.subarray(o - base, o - base + n);
    const hit = cache.get(o);
    if (hit && hit.length >= n) return hit.subarray(0, n);
    throw new NeedBytes(o, n);
  };
  let planned: Planned | undefined;
  for (let attempt = 0; attempt < 4 && !planned; attempt++) {
    try {
      planned = plan(size, probe, opts);
    } catch (e) {
      if (!(e instanceof NeedBytes)) throw e;
      cache.set(e.offset, await read(e.offset, e.length));
    }
  }
  if (!planned) throw new ArchiveError(null, 'corrupt', 'central directory could not be located');
  const { entries, cdOffset } = planned;
  const starts: number[] = [];
  for (const en of entries) {
    opts.signal?.throwIfAborted();
    const nameBytes = enc.encode(en.name);
    // Guess the header length (name + a typical extra field), re-read if the extra is longer.
    let head = await read(en.localOffset, Math.min(30 + nameBytes.length + 64, size - en.localOffset));
    if (head.length >= 30) {
      const full = 30 + (head[26] | (head[27] << 8)) + (head[28] | (head[29] << 8));
      if (full > head.length) head = await read(en.localOffset, Math.min(full, size - en.localOffset));
    }
    const start = localDataOffset(head, en, nameBytes);
    checkBounds(en, start, size);
    starts.push(start);
  }
  checkNoOverlap(entries.map((en, i) => ({ name: en.name, start: en.localOffset, end: starts[i] + en.compressedSize })), cdOffset);
  const out = new Map<string, Uint8Array>();
  const progress: UnzipProgress = { entriesDone: 0, entriesTotal: entries.length, bytesOut: 0, bytesTotal: entries.reduce((s, e) => s + e.size, 0) };
  for (let i = 0; i < entries.length; i++) {
    const en = entries[i];
    opts.signal?.throwIfAborted();
    const chunks: Uint8Array[] = [];
    for (let o = 0; o < en.compressedSize; o += CHUNK) {
      chunks.push(await read(starts[i] + o, Math.min(CHUNK, en.compressedSize - o)));
      opts.signal?.throwIfAborted();
    }
    if (chunks.length === 0) chunks.push(new Uint8Array(0));
    // A stored entry would be a view into the read window: copy it, so windows are let go.
    const data = en.isDir ? new Uint8Array(0) : decodeEntry(en, chunks, opts.signal);
    out.set(en.name, data.byteLength === data.buffer.byteLength ? data : data.slice());
    progress.entriesDone++;
    progress.bytesOut += en.size;
    opts.onProgress?.({ ...progress });
  }
  return out;
}

class NeedBytes extends Error {
  constructor(readonly offset: number, readonly length: number) {
    super('need bytes');
  }
}
