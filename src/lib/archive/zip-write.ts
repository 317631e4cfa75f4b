/**
 * Deterministic zip writing: entries sorted by name (code point), a fixed timestamp
 * (1980-01-01 00:00, the DOS epoch), UTF-8 names flagged, Unix modes 644/755. The same
 * input always gives the same bytes. No zip64: at most 65,535 entries and 4 GiB.
 */
import { deflateSync } from 'fflate';
import { crc32 } from './crc32';
import { pathProblem } from './paths';
import { compareCodePoints } from '../mlflow/yaml';

export interface ZipWriteOptions {
  /** 'deflate' (default) deflates when it saves space; 'store' never compresses. */
  method?: 'deflate' | 'store';
  /** DEFLATE level 0–9, default 6. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const DOS_TIME = 0;
const enc = new TextEncoder();

/** Zips `files` (names ending in `/` are directories). Throws on unsafe names. */
export function zipFiles(files: Map<string, Uint8Array>, opts: ZipWriteOptions = {}): Uint8Array<ArrayBuffer> {
  const names = [...files.keys()].sort(compareCodePoints);
  if (names.length > 0xffff) throw new Error('too many entries for a zip without zip64');
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const problem = pathProblem(name);
    if (problem) throw new Error(`cannot zip '${name}': ${problem.message}`);
    const isDir = name.endsWith('/');
    const data = isDir ? new Uint8Array(0) : files.get(name)!;
    const crc = crc32(data);
    let method = 0;
    let body = data;
    if (!isDir && opts.method !== 'store' && data.length > 0) {
      const d = deflateSync(data, { level: opts.level ?? 6 });
      if (d.length < data.length) (method = 8), (body = d);
    }
    if (offset + body.length > 0xffffffff) throw new Error('archive too large for a zip without zip64');
    const nameBytes = enc.encode(name);
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x800;
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
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, names.length, true);
  ev.setUint16(10, names.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let o = 0;
  for (const part of [...locals, ...centrals, end]) (out.set(part, o), (o += part.length));
  return out;
}
