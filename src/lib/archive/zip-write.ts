/**
 * Deterministic zip writing: entries sorted by name (code point), a fixed timestamp
 * (1980-01-01 00:00, the DOS epoch), UTF-8 names flagged, Unix modes 644/755. The same
 * input always gives the same bytes.
 *
 * zip64 (APPNOTE 4.5.3) where the classic fields overflow: an entry or offset at or past 4 GiB
 * gets the zip64 extra field, and an archive of 65,535 entries or more (a lab of ~3,000 runs)
 * gets the zip64 end records. `zip64: 'always'` writes every zip64 field, to test readers.
 *
 * Compression: `bodies` carries DEFLATE bodies made beforehand (the bundle worker makes them
 * with the browser's native CompressionStream, deflate-native.ts), used when they save space.
 * Other files are deflated here with fflate ('deflate', or 'auto' up to `autoStoreAbove` bytes
 * in total: JS DEFLATE runs at ~50 MB/s, too slow for hundreds of MB) or stored. The choice
 * depends only on the input, so export → import → export stays byte-identical.
 */
import { deflateSync } from 'fflate';
import { crc32 } from './crc32';
import { pathProblem } from './paths';
import { compareCodePoints } from '../util/strings';

export interface ZipWriteOptions {
  /**
   * 'deflate' (default) deflates each file when it saves space; 'store' never compresses;
   * 'auto' deflates when the files total at most `autoStoreAbove` bytes, else stores.
   * A body in `bodies` is used whatever the method.
   */
  method?: 'deflate' | 'store' | 'auto';
  /** DEFLATE level 0–9, default 6. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** For 'auto': the total above which files are stored. Default 32 MiB. */
  autoStoreAbove?: number;
  /** CRC-32s already computed (e.g. as files were made, overlapping other work), by file bytes. */
  crcs?: WeakMap<Uint8Array, number>;
  /** Raw DEFLATE bodies already made, by file bytes (used when shorter than the file). */
  bodies?: WeakMap<Uint8Array, Uint8Array>;
  /** 'auto' (default): zip64 fields only where needed; 'always': in every header and at the end. */
  zip64?: 'auto' | 'always';
}

/**
 * A file deflated beforehand (fast-deflate.ts, as an export's files are made): its size, its
 * CRC-32 and its raw DEFLATE body, shorter than the file. The file's own bytes need not be kept.
 */
export interface PackedFile {
  size: number;
  crc: number;
  deflated: Uint8Array;
}

/** What a zip entry is made from: the file's bytes, or the file already deflated. */
export type ZipData = Uint8Array | PackedFile;

/** The uncompressed size of a zip entry's data. */
export const sizeOf = (d: ZipData): number => (d instanceof Uint8Array ? d.length : d.size);

export const AUTO_STORE_ABOVE = 32 << 20;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const DOS_TIME = 0;
const U32_MAX = 0xffffffff;
const enc = new TextEncoder();

function shouldDeflate(files: Map<string, ZipData>, opts: ZipWriteOptions): boolean {
  if (opts.method === 'store') return false;
  if (opts.method !== 'auto') return true;
  let total = 0;
  for (const b of files.values()) total += sizeOf(b);
  return total <= (opts.autoStoreAbove ?? AUTO_STORE_ABOVE);
}

/** Zips `files` (names ending in `/` are directories) into one buffer. Throws on unsafe names. */
export function zipFiles(files: Map<string, ZipData>, opts: ZipWriteOptions = {}): Uint8Array<ArrayBuffer> {
  const parts = zipParts(files, opts);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

const setU64 = (v: DataView, at: number, n: number) => (v.setUint32(at, n % 2 ** 32, true), v.setUint32(at + 4, Math.floor(n / 2 ** 32), true));

/** The zip64 extended information field: `values` in APPNOTE order (size, compressed size, offset). */
function zip64Extra(values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 8 * values.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x0001, true);
  v.setUint16(2, 8 * values.length, true);
  values.forEach((n, i) => setU64(v, 4 + 8 * i, n));
  return out;
}

/**
 * The same archive as zipFiles, as its parts in order (headers, file bytes as given, central
 * directory), for `new Blob(parts)`: a 400 MB archive is then never assembled in JS memory.
 */
export function zipParts(files: Map<string, ZipData>, opts: ZipWriteOptions = {}): Uint8Array[] {
  const names = [...files.keys()].sort(compareCodePoints);
  const deflate = shouldDeflate(files, opts);
  const always = opts.zip64 === 'always';
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  let cdSize = 0;
  for (const name of names) {
    const problem = pathProblem(name);
    if (problem) throw new Error(`cannot zip '${name}': ${problem.message}`);
    const isDir = name.endsWith('/');
    const given = isDir ? new Uint8Array(0) : files.get(name)!;
    const { size, method, body, crc } = given instanceof Uint8Array ? entryBody(given, isDir, deflate, opts)
      : { size: given.size, method: 8, body: given.deflated, crc: given.crc };
    const nameBytes = enc.encode(name);
    // eslint-disable-next-line no-control-regex
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
    const bigSizes = always || size >= U32_MAX || body.length >= U32_MAX;
    const bigOffset = always || offset >= U32_MAX;
    const version = bigSizes || bigOffset ? 45 : 20;
    // A local header's zip64 field holds both sizes (APPNOTE 4.5.3).
    const localExtra = bigSizes ? zip64Extra([size, body.length]) : new Uint8Array(0);
    const local = new Uint8Array(30 + nameBytes.length + localExtra.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, version, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, DOS_TIME, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, bigSizes ? U32_MAX : body.length, true);
    lv.setUint32(22, bigSizes ? U32_MAX : size, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, localExtra.length, true);
    local.set(nameBytes, 30);
    local.set(localExtra, 30 + nameBytes.length);
    // The central header's zip64 field holds only the saturated values, in this order.
    const wide = [...(bigSizes ? [size, body.length] : []), ...(bigOffset ? [offset] : [])];
    const extra = wide.length ? zip64Extra(wide) : new Uint8Array(0);
    const central = new Uint8Array(46 + nameBytes.length + extra.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | version, true); // made by Unix
    cv.setUint16(6, version, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, DOS_TIME, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, bigSizes ? U32_MAX : body.length, true);
    cv.setUint32(24, bigSizes ? U32_MAX : size, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(38, ((isDir ? 0o40755 : 0o100644) << 16) | (isDir ? 0x10 : 0), true);
    cv.setUint32(42, bigOffset ? U32_MAX : offset, true);
    central.set(nameBytes, 46);
    central.set(extra, 46 + nameBytes.length);
    parts.push(local);
    if (body.length) parts.push(body);
    centrals.push(central);
    offset += local.length + body.length;
    cdSize += central.length;
  }
  // One buffer for the central directory and end records: far fewer Blob parts.
  const tail = new Uint8Array(cdSize + 56 + 20 + 22);
  let o = 0;
  for (const c of centrals) (tail.set(c, o), (o += c.length));
  o += endRecords(new DataView(tail.buffer, o), names.length, cdSize, offset, always);
  parts.push(tail.subarray(0, o));
  return parts;
}

/** How a file given as bytes goes in: deflated (a body made beforehand, or here) when that saves space, else stored. */
function entryBody(data: Uint8Array, isDir: boolean, deflate: boolean, opts: ZipWriteOptions): { size: number; method: number; body: Uint8Array; crc: number } {
  let method = 0;
  let body = data;
  const made = isDir ? undefined : opts.bodies?.get(data);
  if (made && made.length < data.length) (method = 8), (body = made);
  else if (!made && !isDir && deflate && data.length > 0) {
    const d = deflateSync(data, { level: opts.level ?? 6 });
    if (d.length < data.length) (method = 8), (body = d);
  }
  return { size: data.length, method, body, crc: opts.crcs?.get(data) ?? crc32(data) };
}

/** Writes the end of central directory (with zip64 record and locator when needed) at `v`; returns its length. */
function endRecords(v: DataView, count: number, cdSize: number, cdOffset: number, always: boolean): number {
  let o = 0;
  const big = always || count >= 0xffff || cdSize >= U32_MAX || cdOffset >= U32_MAX;
  if (big) {
    const recAt = cdOffset + cdSize;
    v.setUint32(0, 0x06064b50, true);
    setU64(v, 4, 44); // size of the rest of the record
    v.setUint16(12, (3 << 8) | 45, true);
    v.setUint16(14, 45, true);
    setU64(v, 24, count);
    setU64(v, 32, count);
    setU64(v, 40, cdSize);
    setU64(v, 48, cdOffset);
    v.setUint32(56, 0x07064b50, true);
    setU64(v, 64, recAt);
    v.setUint32(72, 1, true); // one disk
    o = 76;
  }
  v.setUint32(o, 0x06054b50, true);
  v.setUint16(o + 8, big && (always || count >= 0xffff) ? 0xffff : count, true);
  v.setUint16(o + 10, big && (always || count >= 0xffff) ? 0xffff : count, true);
  v.setUint32(o + 12, big && (always || cdSize >= U32_MAX) ? U32_MAX : cdSize, true);
  v.setUint32(o + 16, big && (always || cdOffset >= U32_MAX) ? U32_MAX : cdOffset, true);
  return o + 22;
}
