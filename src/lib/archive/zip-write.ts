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

interface Planned {
  nameBytes: Uint8Array;
  flags: number;
  isDir: boolean;
  method: number;
  crc: number;
  size: number;
  body: Uint8Array;
  offset: number;
}

function shouldDeflate(files: Map<string, Uint8Array>, opts: ZipWriteOptions): boolean {
  if (opts.method === 'store') return false;
  if (opts.method !== 'auto') return true;
  let total = 0;
  for (const b of files.values()) total += b.length;
  return total <= (opts.autoStoreAbove ?? AUTO_STORE_ABOVE);
}

/** Zips `files` (names ending in `/` are directories). Throws on unsafe names. */
export function zipFiles(files: Map<string, Uint8Array>, opts: ZipWriteOptions = {}): Uint8Array<ArrayBuffer> {
  const names = [...files.keys()].sort(compareCodePoints);
  if (names.length > 0xffff) throw new Error('too many entries for a zip without zip64');
  const deflate = shouldDeflate(files, opts);
  const plan: Planned[] = [];
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
    plan.push({ nameBytes, flags, isDir, method, crc: opts.crcs?.get(data) ?? crc32(data), size: data.length, body, offset });
    offset += 30 + nameBytes.length + body.length;
    cdSize += 46 + nameBytes.length;
  }
  const out = new Uint8Array(offset + cdSize + 22);
  const v = new DataView(out.buffer);
  for (const p of plan) {
    const o = p.offset;
    v.setUint32(o, 0x04034b50, true);
    v.setUint16(o + 4, 20, true);
    v.setUint16(o + 6, p.flags, true);
    v.setUint16(o + 8, p.method, true);
    v.setUint16(o + 10, DOS_TIME, true);
    v.setUint16(o + 12, DOS_DATE, true);
    v.setUint32(o + 14, p.crc, true);
    v.setUint32(o + 18, p.body.length, true);
    v.setUint32(o + 22, p.size, true);
    v.setUint16(o + 26, p.nameBytes.length, true);
    out.set(p.nameBytes, o + 30);
    out.set(p.body, o + 30 + p.nameBytes.length);
  }
  let c = offset;
  for (const p of plan) {
    v.setUint32(c, 0x02014b50, true);
    v.setUint16(c + 4, (3 << 8) | 20, true); // made by Unix, spec 2.0
    v.setUint16(c + 6, 20, true);
    v.setUint16(c + 8, p.flags, true);
    v.setUint16(c + 10, p.method, true);
    v.setUint16(c + 12, DOS_TIME, true);
    v.setUint16(c + 14, DOS_DATE, true);
    v.setUint32(c + 16, p.crc, true);
    v.setUint32(c + 20, p.body.length, true);
    v.setUint32(c + 24, p.size, true);
    v.setUint16(c + 28, p.nameBytes.length, true);
    v.setUint32(c + 38, ((p.isDir ? 0o40755 : 0o100644) << 16) | (p.isDir ? 0x10 : 0), true);
    v.setUint32(c + 42, p.offset, true);
    out.set(p.nameBytes, c + 46);
    c += 46 + p.nameBytes.length;
  }
  v.setUint32(c, 0x06054b50, true);
  v.setUint16(c + 8, names.length, true);
  v.setUint16(c + 10, names.length, true);
  v.setUint32(c + 12, cdSize, true);
  v.setUint32(c + 16, offset, true);
  return out;
}
