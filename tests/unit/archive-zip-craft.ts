/** Builds raw zip archives with any field wrong, for refusal tests. Not used by the app. */
import { deflateSync } from 'fflate';
import { crc32 } from '../../src/lib/archive/crc32';

export interface RawEntry {
  name: string;
  data: Uint8Array;
  method?: number;
  /** Overrides of what the headers declare. */
  crc?: number;
  csize?: number;
  usize?: number;
  localUsize?: number;
  flags?: number;
  madeBy?: number;
  external?: number;
  /** Write no local record; point the central header at `localOffset`. */
  skipLocal?: boolean;
  localOffset?: number;
  /** The compressed body to write (default: `data` deflated when method is 8). */
  body?: Uint8Array;
}

const enc = new TextEncoder();

function body(e: RawEntry): Uint8Array {
  return e.body ?? ((e.method ?? 0) === 8 ? deflateSync(e.data) : e.data);
}

export function localRecord(e: RawEntry): Uint8Array {
  const name = enc.encode(e.name);
  const b = body(e);
  const out = new Uint8Array(30 + name.length + b.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(6, e.flags ?? 0, true);
  v.setUint16(8, e.method ?? 0, true);
  v.setUint32(14, e.crc ?? crc32(e.data), true);
  v.setUint32(18, e.csize ?? b.length, true);
  v.setUint32(22, e.localUsize ?? e.usize ?? e.data.length, true);
  v.setUint16(26, name.length, true);
  out.set(name, 30);
  out.set(b, 30 + name.length);
  return out;
}

export function rawZip(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let off = 0;
  for (const e of entries) {
    offsets.push(e.localOffset ?? off);
    if (e.skipLocal) continue;
    const rec = localRecord(e);
    parts.push(rec);
    off += rec.length;
  }
  const cdStart = off;
  entries.forEach((e, i) => {
    const name = enc.encode(e.name);
    const b = body(e);
    const c = new Uint8Array(46 + name.length);
    const v = new DataView(c.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, e.madeBy ?? (3 << 8) | 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(8, e.flags ?? 0, true);
    v.setUint16(10, e.method ?? 0, true);
    v.setUint32(16, e.crc ?? crc32(e.data), true);
    v.setUint32(20, e.csize ?? b.length, true);
    v.setUint32(24, e.usize ?? e.data.length, true);
    v.setUint16(28, name.length, true);
    v.setUint32(38, e.external ?? (0o100644 << 16) >>> 0, true);
    v.setUint32(42, offsets[i], true);
    c.set(name, 46);
    parts.push(c);
    off += c.length;
  });
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, off - cdStart, true);
  v.setUint32(16, cdStart, true);
  parts.push(end);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}
