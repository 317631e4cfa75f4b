/**
 * What both zip readers share (safe-zip.ts for bytes in memory, blob-zip.ts for a Blob/File read
 * on demand): options, the plan (central directory parsed and checked against the limits), and
 * the decoding of one entry with its size and CRC checks (docs/reliability.md §3).
 */
import { Inflate, inflateSync } from 'fflate';
import { crc32 } from './crc32';
import { ArchiveError } from './errors';
import type { RawInflater } from './fast-inflate';
import { DEFAULT_LIMITS, TAIL_BYTES, findCentralDirectory, parseCentralDirectory, type ZipEntry, type ZipLimits } from './zip-format';

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
  /** Inflates small entries (fast-inflate.ts loadInflater); fflate's inflateSync without one. */
  inflater?: RawInflater;
}

export const CHUNK = 4 << 20;
/**
 * Compressed bytes handed to the inflater at a time. One push may expand up to 1032×, so this
 * bounds what an entry lying about its size can produce before `take` refuses it: ~16 MB.
 */
export const INFLATE_PIECE = 16 << 10;
export { WHOLE_READ_LIMIT } from './read-limit';
export const WINDOW = 32 << 20;

/**
 * Entries compressed to at most this many bytes inflate in one call into a buffer of their
 * declared size + 1 (a byte more shows a lie). The streaming inflater reserves 128 KiB per
 * block, which made 20,000 tiny entries cost 20 s; one call cannot expand past ~64 MiB.
 */
const SMALL_ENTRY = 64 << 10;

/**
 * One buffer for entries that are read and used one at a time (a run metric file is decoded into
 * columns at once): inflating into it spares an allocation (and a copy) per entry, which, with
 * two workers reading 10,000 files each, made each run at about half speed. A view into it is
 * valid until the next read that uses it.
 */
export class Scratch {
  private buf = new Uint8Array(1 << 16);

  /** A view of `n` bytes (its contents are whatever was there). */
  take(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
    return this.buf.subarray(0, n);
  }
}

function inflateSmall(en: ZipEntry, chunks: Iterable<Uint8Array>, scratch?: Scratch, inflater?: RawInflater): Uint8Array {
  const parts = [...chunks];
  const data = parts.length === 1 ? parts[0] : concat(parts);
  const lie = () => new ArchiveError(en.name, 'size-mismatch', `inflates to more than the declared ${en.size} bytes`);
  const target = (n: number) => (scratch ? scratch.take(n) : new Uint8Array(n));
  if (inflater && en.size < 2 ** 32) { // gzip's trailer holds the size mod 2^32
    // The usual case, checked in one pass; a failure is read again below to say what is wrong.
    try {
      return inflater.inflateChecked(data, en.size, en.crc, target);
    } catch {
      // named below
    }
  }
  let out: Uint8Array;
  try {
    if (inflater) {
      out = inflater.inflate(data, (n) => {
        if (n > en.size) throw lie();
        return target(n);
      });
    } else out = inflateSync(data, { out: scratch ? scratch.take(en.size + 1) : new Uint8Array(en.size + 1) });
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    // A stored block that does not fit makes fflate write past the buffer.
    if (e instanceof RangeError && !inflater) throw lie();
    throw new ArchiveError(en.name, 'corrupt', `compressed data is damaged (${e instanceof Error ? e.message : String(e)})`);
  }
  if (out.length > en.size) throw lie();
  if (out.length !== en.size) throw new ArchiveError(en.name, 'size-mismatch', `inflates to ${out.length} bytes, but declares ${en.size}`);
  if (crc32(out) !== en.crc) throw new ArchiveError(en.name, 'bad-crc', 'CRC-32 does not match the data');
  return scratch || inflater ? out : out.slice();
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/**
 * Checks an entry's output as it comes, for the whole-entry reader here and the piecewise one
 * (blob-zip.ts): no byte past the declared size (a bomb stops there), then the exact size and
 * CRC-32 at the end.
 */
export class EntryCheck {
  private got = 0;
  private crc = 0;
  constructor(private readonly en: ZipEntry) {}

  add(d: Uint8Array): void {
    this.got += d.length;
    if (this.got > this.en.size) throw new ArchiveError(this.en.name, 'size-mismatch', `inflates to more than the declared ${this.en.size} bytes`);
    this.crc = crc32(d, this.crc);
  }

  finish(): void {
    if (this.got !== this.en.size) throw new ArchiveError(this.en.name, 'size-mismatch', `inflates to ${this.got} bytes, but declares ${this.en.size}`);
    if (this.crc !== this.en.crc) throw new ArchiveError(this.en.name, 'bad-crc', 'CRC-32 does not match the data');
  }
}

/** What an inflater's failure becomes: our own errors and aborts pass through; anything else is damaged data. */
export function inflateFailure(en: ZipEntry, e: unknown): unknown {
  if (e instanceof ArchiveError || (e as Error).name === 'AbortError') return e;
  return new ArchiveError(en.name, 'corrupt', `compressed data is damaged (${(e as Error).message})`);
}

/**
 * Inflates (or copies) one entry from its compressed chunks, checking size and CRC as it goes.
 * With `scratch`, a small deflated entry is inflated into it (see Scratch).
 */
export function decodeEntry(en: ZipEntry, chunks: Iterable<Uint8Array>, signal?: AbortSignal, scratch?: Scratch, inflater?: RawInflater): Uint8Array {
  if (en.method === 8 && en.compressedSize <= SMALL_ENTRY) return inflateSmall(en, chunks, scratch, inflater);
  const parts: Uint8Array[] = [];
  const check = new EntryCheck(en);
  const take = (d: Uint8Array) => {
    check.add(d);
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
      throw inflateFailure(en, e);
    }
    if (!ended) throw new ArchiveError(en.name, 'corrupt', 'compressed data ends early');
  }
  check.finish();
  return parts.length === 1 ? parts[0] : concat(parts);
}

export function* slices(data: Uint8Array): Generator<Uint8Array> {
  for (let o = 0; o < data.length; o += CHUNK) yield data.subarray(o, Math.min(o + CHUNK, data.length));
  if (data.length === 0) yield data;
}

export interface Planned {
  entries: ZipEntry[];
  cdOffset: number;
  limits: ZipLimits;
}

export function plan(size: number, readAt: (o: number, n: number) => Uint8Array, opts: UnzipOptions): Planned {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const tailLen = Math.min(size, TAIL_BYTES);
  const dir = findCentralDirectory(readAt(size - tailLen, tailLen), size, readAt);
  const entries = parseCentralDirectory(readAt(dir.offset, dir.length), dir, limits);
  return { entries, cdOffset: dir.offset, limits };
}

export function checkBounds(en: ZipEntry, start: number, size: number): void {
  if (start + en.compressedSize > size) throw new ArchiveError(en.name, 'corrupt', 'entry data runs past the end of the archive');
}

