/**
 * Deterministic zip writing: entries sorted by name (code point), a fixed timestamp
 * (1980-01-01 00:00, the DOS epoch), UTF-8 names flagged, Unix modes 644/755. The same
 * input always gives the same bytes. No zip64: at most 65,535 entries and 4 GiB.
 *
 * Big archives are stored, not deflated ('auto'): DEFLATE in JS runs at ~50 MB/s even at
 * level 1, so a 1,000-run lab (~400 MB of metric text) would take ~8 s to deflate, beyond the
 * whole 5 s export budget; storing costs only the CRC. Small archives are deflated. The choice
 * depends only on the input, so export → import → export stays byte-identical.
 */
import { deflateSync } from 'fflate';
import { crc32 } from './crc32';
import { pathProblem } from './paths';
import { compareCodePoints } from '../mlflow/yaml';

export interface ZipWriteOptions {
  /**
   * 'deflate' (default) deflates each file when it saves space; 'store' never compresses;
   * 'auto' deflates when the files total at most `autoStoreAbove` bytes, else stores.
   */
  method?: 'deflate' | 'store' | 'auto';
  /** DEFLATE level 0–9, default 6. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** For 'auto': the total above which files are stored. Default 32 MiB. */
  autoStoreAbove?: number;
  /** CRC-32s already computed (e.g. as files were made, overlapping other work), by file bytes. */
  crcs?: WeakMap<Uint8Array, number>;
}

export const AUTO_STORE_ABOVE = 32 << 20;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const DOS_TIME = 0;
const enc = new TextEncoder();

function shouldDeflate(files: Map<string, Uint8Array>, opts: ZipWriteOptions): boolean {
  if (opts.method === 'store') return false;
  if (opts.method !== 'auto') return true;
  let total = 0;
  for (const b of files.values()) total += b.length;
  return total <= (opts.autoStoreAbove ?? AUTO_STORE_ABOVE);
}

/** Zips `files` (names ending in `/` are directories) into one buffer. Throws on unsafe names. */
export function zipFiles(files: Map<string, Uint8Array>, opts: ZipWriteOptions = {}): Uint8Array<ArrayBuffer> {
  const parts = zipParts(files, opts);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/**
 * The same archive as zipFiles, as its parts in order (headers, file bytes as given, central
 * directory), for `new Blob(parts)`: a 400 MB archive is then never assembled in JS memory.
 */
export function zipParts(files: Map<string, Uint8Array>, opts: ZipWriteOptions = {}): Uint8Array[] {
  const names = [...files.keys()].sort(compareCodePoints);
  if (names.length > 0xffff) throw new Error('too many entries for a zip without zip64');
  const deflate = shouldDeflate(files, opts);
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  let cdSize = 0;
  for (const name of names) {
    const problem = pathProblem(name);
    if (problem) throw new Error(`cannot zip '${name}': ${problem.message}`);
    const isDir = name.endsWith('/');
    const data = isDir ? new Uint8Array(0) : files.get(name)!;
    let method = 0;
    let body = data;
    if (!isDir && deflate && data.length > 0) {
      const d = deflateSync(data, { level: opts.level ?? 6 });
      if (d.length < data.length) (method = 8), (body = d);
    }
    const nameBytes = enc.encode(name);
    // eslint-disable-next-line no-control-regex
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
    if (offset + 30 + nameBytes.length + body.length > 0xffffffff) throw new Error('archive too large for a zip without zip64');
    const crc = opts.crcs?.get(data) ?? crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, DOS_TIME, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, (3 << 8) | 20, true); // made by Unix, spec 2.0
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, DOS_TIME, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(38, ((isDir ? 0o40755 : 0o100644) << 16) | (isDir ? 0x10 : 0), true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    parts.push(local);
    if (body.length) parts.push(body);
    centrals.push(central);
    offset += local.length + body.length;
    cdSize += central.length;
  }
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, names.length, true);
  ev.setUint16(10, names.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  // One buffer for the central directory and end record: far fewer Blob parts.
  const tail = new Uint8Array(cdSize + 22);
  let o = 0;
  for (const c of centrals) (tail.set(c, o), (o += c.length));
  tail.set(end, o);
  parts.push(tail);
  return parts;
}
