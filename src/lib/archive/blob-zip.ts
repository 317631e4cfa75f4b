/**
 * An untrusted zip read on demand from a Blob/File (a picked file, a download kept on disk): the
 * central directory first (zip64 aware), every header checked before any data is inflated, then
 * each entry's bytes only when asked for, from `blob.slice(...)`. A big entry can be taken as a
 * stream of fixed-size pieces inflated by the platform's `DecompressionStream('deflate-raw')`
 * (fflate's streaming inflater where that is missing), so neither the archive nor the entry is
 * ever whole in memory: a 2 GiB bundle imports within a few window sizes of memory
 * (docs/performance.md §7). Sizes and CRCs are checked as in safe-zip.ts.
 */
import { Inflate } from 'fflate';
import { ArchiveError } from './errors';
import { hasNativeInflateRaw } from './deflate-native';
import { checkNoOverlap, localDataOffset, TAIL_BYTES, type ZipEntry } from './zip-format';
import { CHUNK, EntryCheck, INFLATE_PIECE, WINDOW, checkBounds, decodeEntry, inflateFailure, plan, type Planned, type Scratch, type UnzipOptions } from './zip-read-core';

/** What the reader needs from a Blob or File. */
export interface BlobLike {
  size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface ZipBlob {
  /** Every entry, checked (names, sizes, ratios, overlaps, local headers). */
  readonly entries: readonly ZipEntry[];
  /** Where an entry's data starts in the archive (after its local header). */
  startOf(en: ZipEntry): number;
  /**
   * One entry's bytes, whole (size and CRC checked). Meant for the small files of a store.
   * With `scratch`, a small entry may come as a view into it or into the read window, valid only
   * until the next read: for bytes used at once (a metric file decoded into columns).
   */
  read(en: ZipEntry, scratch?: Scratch): Promise<Uint8Array>;
  /**
   * One entry's bytes as pieces of exactly `pieceBytes` (the last one shorter), each a fresh
   * buffer the caller may keep or transfer. The last piece comes only once the size and the
   * CRC-32 have been checked, so a damaged entry fails before its end is handed over.
   */
  pieces(en: ZipEntry, pieceBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

class NeedBytes extends Error {
  constructor(readonly offset: number, readonly length: number) {
    super('need bytes');
  }
}

const enc = new TextEncoder();

type Read = (o: number, n: number) => Promise<Uint8Array>;

/**
 * Reads of `blob` through one window: headers and small entries are read in order, so one
 * window serves many; a read as big as the window goes straight to the blob.
 */
function windowed(blob: BlobLike, opts: UnzipOptions): Read {
  const size = blob.size;
  const window = Math.max(1, opts.readWindow ?? WINDOW);
  let win = new Uint8Array(0);
  let winStart = 0;
  return async (o, n) => {
    if (o < 0 || o + n > size) throw new ArchiveError(null, 'corrupt', 'archive is truncated');
    if (o >= winStart && o + n <= winStart + win.length) return win.subarray(o - winStart, o - winStart + n);
    if (n >= window) return new Uint8Array(await blob.slice(o, o + n).arrayBuffer());
    win = new Uint8Array(await blob.slice(o, Math.min(size, o + window)).arrayBuffer());
    winStart = o;
    return win.subarray(0, n);
  };
}

/** Opens `blob` as a zip: reads its tail, central directory and local headers, nothing else. */
export async function openZipBlob(blob: BlobLike, opts: UnzipOptions = {}): Promise<ZipBlob> {
  const size = blob.size;
  const read = windowed(blob, opts);
  // The parsers are synchronous: prefetch the tail, then whatever they ask for (zip64 record, directory).
  const tailLen = Math.min(size, TAIL_BYTES);
  const tail = (await read(size - tailLen, tailLen)).slice();
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
      cache.set(e.offset, (await read(e.offset, e.length)).slice());
    }
  }
  if (!planned) throw new ArchiveError(null, 'corrupt', 'central directory could not be located');
  cache.clear();
  const { entries, cdOffset } = planned;
  const starts = new Map<ZipEntry, number>();
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
    starts.set(en, start);
  }
  checkNoOverlap(entries.map((en) => ({ name: en.name, start: en.localOffset, end: starts.get(en)! + en.compressedSize })), cdOffset);
  return readerOf(blob, read, entries, starts, opts);
}

/**
 * A reader of entries another worker has already checked (openZipBlob there), by their data
 * offsets: no header is read again. For an import's lanes (bundles/import-lanes.ts), which read
 * the preparing worker's plan of the same Blob.
 */
export function zipBlobAt(blob: BlobLike, planned: readonly { entry: ZipEntry; start: number }[], opts: UnzipOptions = {}): ZipBlob {
  for (const { entry, start } of planned) checkBounds(entry, start, blob.size);
  return readerOf(blob, windowed(blob, opts), planned.map((p) => p.entry), new Map(planned.map((p) => [p.entry, p.start])), opts);
}

function readerOf(blob: BlobLike, read: Read, entries: readonly ZipEntry[], starts: Map<ZipEntry, number>, opts: UnzipOptions): ZipBlob {
  const startOf = (en: ZipEntry) => {
    const s = starts.get(en);
    if (s === undefined) throw new Error(`${en.name} is not an entry of this archive`);
    return s;
  };
  /** The compressed bytes, CHUNK by CHUNK, straight from the blob (the window is left for headers). */
  async function* compressed(en: ZipEntry, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const s = startOf(en);
    for (let o = 0; o < en.compressedSize; o += CHUNK) {
      signal?.throwIfAborted();
      const n = Math.min(CHUNK, en.compressedSize - o);
      yield new Uint8Array(await blob.slice(s + o, s + o + n).arrayBuffer());
    }
  }

  return {
    entries,
    startOf,
    async read(en, scratch) {
      if (en.isDir) return new Uint8Array(0);
      if (en.compressedSize > CHUNK) {
        // A big one: gathered from its pieces (native inflate), so only the entry itself is ever whole.
        const out = new Uint8Array(en.size);
        let o = 0;
        for await (const p of entryPieces(en, compressed(en, opts.signal), CHUNK, opts.signal)) (out.set(p, o), (o += p.length));
        return out;
      }
      const s = startOf(en);
      const chunks: Uint8Array[] = [];
      for (let o = 0; o < en.compressedSize; o += CHUNK) chunks.push(await read(s + o, Math.min(CHUNK, en.compressedSize - o)));
      if (chunks.length === 0) chunks.push(new Uint8Array(0));
      const data = decodeEntry(en, chunks, opts.signal, scratch, opts.inflater);
      // A stored entry would be a view into the read window: copy it, so windows are let go.
      return scratch || data.byteLength === data.buffer.byteLength ? data : data.slice();
    },
    pieces(en, pieceBytes, signal) {
      return entryPieces(en, compressed(en, signal), pieceBytes, signal);
    },
  };
}

/** Output blocks of exactly `size` bytes, each a buffer of its own. */
class Reblock {
  private buf: Uint8Array;
  private fill = 0;
  constructor(private readonly size: number) {
    this.buf = new Uint8Array(size);
  }

  *push(d: Uint8Array): Generator<Uint8Array> {
    for (let o = 0; o < d.length;) {
      const n = Math.min(d.length - o, this.size - this.fill);
      this.buf.set(d.subarray(o, o + n), this.fill);
      this.fill += n;
      o += n;
      if (this.fill === this.size) {
        yield this.buf;
        this.buf = new Uint8Array(this.size);
        this.fill = 0;
      }
    }
  }

  rest(): Uint8Array | null {
    return this.fill ? this.buf.slice(0, this.fill) : null;
  }
}

/** The inflated (or stored) output of `en` from its compressed chunks, checked, in pieces. */
async function* entryPieces(en: ZipEntry, input: AsyncGenerator<Uint8Array>, pieceBytes: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (!(pieceBytes > 0)) throw new RangeError('pieceBytes must be positive');
  const block = new Reblock(pieceBytes);
  const check = new EntryCheck(en);
  const take = (d: Uint8Array) => {
    check.add(d);
    return block.push(d);
  };
  if (en.isDir) return;
  const output = en.method === 0 ? input : hasNativeInflateRaw() ? inflateNative(en, input) : inflateJs(en, input);
  try {
    for await (const d of output) {
      signal?.throwIfAborted();
      yield* take(d);
    }
  } catch (e) {
    throw inflateFailure(en, e);
  }
  check.finish();
  const last = block.rest();
  if (last) yield last;
}

/**
 * The platform's inflater, fed as its output is read: a write waits while the output is not
 * taken, so at most a chunk of input and its output are in flight.
 */
async function* inflateNative(en: ZipEntry, input: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const stream = new DecompressionStream('deflate-raw' as CompressionFormat);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let stop = false;
  const feeding = (async () => {
    for await (const c of input) {
      if (stop) return;
      for (let o = 0; o < c.length && !stop; o += INFLATE_PIECE * 64) {
        await writer.ready;
        await writer.write(c.subarray(o, Math.min(c.length, o + INFLATE_PIECE * 64)) as Uint8Array<ArrayBuffer>);
      }
    }
    if (!stop) await writer.close();
  })();
  feeding.catch((e: unknown) => void reader.cancel(e).catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
    await feeding;
  } finally {
    stop = true;
    void reader.cancel().catch(() => undefined);
    void writer.abort().catch(() => undefined);
    void input.return(undefined);
  }
}

/** fflate's streaming inflater, 16 KiB of input at a time (at most ~16 MB of output per push). */
async function* inflateJs(en: ZipEntry, input: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let ended = false;
  const inf = new Inflate((d, final) => {
    out.push(d);
    if (final) ended = true;
  });
  for await (const c of input) {
    for (let o = 0; o < c.length && !ended; o += INFLATE_PIECE) {
      inf.push(c.subarray(o, o + INFLATE_PIECE), false);
      yield* out.splice(0);
    }
  }
  if (!ended) inf.push(new Uint8Array(0), true);
  yield* out.splice(0);
  if (!ended) throw new ArchiveError(en.name, 'corrupt', 'compressed data ends early');
}
