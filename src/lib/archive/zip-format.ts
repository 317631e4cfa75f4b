/**
 * Parsing of zip structures (PKWARE APPNOTE): the end-of-central-directory record (with
 * zip64), central directory headers and local headers. We parse them ourselves so every
 * declared size, offset and flag can be checked before anything is inflated
 * (docs/reliability.md §3). Nothing here allocates more than the header bytes it is given.
 */
import { ArchiveError } from './errors';
import { pathProblem } from './paths';

/**
 * Limits sized for real bundles. A lab export holds ~10–25 entries per run (a 100,000-run lab
 * is ~1–2.5M), names under ~350 characters (MLflow caps keys at 250), and its DEFLATE entries
 * shrink 2–10× (metric text, CSVs; model weights barely). A bomb needs ratios of hundreds to a
 * thousand, so it is refused from its central directory, before a byte is inflated; an entry that
 * lies about its size is refused as soon as its output passes the declared size (INFLATE_PIECE).
 */
export interface ZipLimits {
  /** Refuse archives with more entries. Default 4,000,000. */
  maxEntries: number;
  /** Refuse entry names longer than this (characters). Default 512. */
  maxNameLength: number;
  /** Refuse archives whose entries declare more uncompressed bytes in total. Default 4 GiB. */
  maxTotalBytes: number;
  /**
   * Refuse a DEFLATE entry declaring more than `ratioFloor` bytes and more than this many bytes
   * out per byte in. Default 100. (Small entries may reach DEFLATE's maximum, 1032.)
   */
  maxRatio: number;
  /** Entries up to this many bytes are held to DEFLATE's own maximum ratio only. Default 1 MiB. */
  ratioFloor: number;
}

export const DEFAULT_LIMITS: ZipLimits = { maxEntries: 4_000_000, maxNameLength: 512, maxTotalBytes: 4 * 1024 ** 3, maxRatio: 100, ratioFloor: 1 << 20 };
/** DEFLATE cannot expand more than this (258 bytes from 2 bits, plus block overhead). */
const DEFLATE_MAX_RATIO = 1032;

export interface ZipEntry {
  name: string;
  isDir: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  flags: number;
}

export interface CentralDirectory {
  offset: number;
  length: number;
  count: number;
  /** Size of the whole archive in bytes. */
  archiveSize: number;
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
function u64(b: Uint8Array, o: number, what: string): number {
  const v = u32(b, o) + u32(b, o + 4) * 2 ** 32;
  if (!Number.isSafeInteger(v)) throw new ArchiveError(null, 'corrupt', `${what} is too large`);
  return v;
}

const corrupt = (msg: string, entry: string | null = null) => new ArchiveError(entry, 'corrupt', msg);

/** Bytes to read from the end of the archive to be sure to include the EOCD (and zip64 locator). */
export const TAIL_BYTES = 22 + 0xffff + 20;

/**
 * Finds the central directory from the archive's last bytes. `tail` is the last
 * `tail.length` bytes of an archive of `size` bytes. May ask for the zip64 record via `more`.
 */
export function findCentralDirectory(tail: Uint8Array, size: number, readAt: (offset: number, length: number) => Uint8Array): CentralDirectory {
  const base = size - tail.length;
  let at = -1;
  for (let i = tail.length - 22; i >= 0 && i >= tail.length - 22 - 0xffff; i--) {
    if (u32(tail, i) === 0x06054b50 && i + 22 + u16(tail, i + 20) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw corrupt('not a zip archive (no end of central directory record)');
  if (u16(tail, at + 4) !== 0 || u16(tail, at + 6) !== 0) throw new ArchiveError(null, 'multi-disk', 'split (multi-disk) archives are not supported');
  let count = u16(tail, at + 10);
  let length = u32(tail, at + 12);
  let offset = u32(tail, at + 16);
  if (u16(tail, at + 8) !== count) throw corrupt('entry counts in the end record disagree');
  if (count === 0xffff || length === 0xffffffff || offset === 0xffffffff) {
    const loc = at - 20;
    if (loc < 0 || u32(tail, loc) !== 0x07064b50) throw corrupt('zip64 locator missing');
    const recOffset = u64(tail, loc + 8, 'zip64 record offset');
    if (recOffset + 56 > base + loc) throw corrupt('zip64 record out of range');
    const rec = readAt(recOffset, 56);
    if (u32(rec, 0) !== 0x06064b50) throw corrupt('zip64 end record missing');
    count = u64(rec, 32, 'entry count');
    length = u64(rec, 40, 'central directory size');
    offset = u64(rec, 48, 'central directory offset');
  }
  if (offset + length > size) throw corrupt('central directory lies outside the archive');
  return { offset, length, count, archiveSize: size };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');
const fmt = (n: number) => n.toLocaleString('en-US');

function decodeName(raw: Uint8Array): string {
  // ASCII names (nearly all of a bundle's) skip the decoder: ~10× faster for 100,000s of entries.
  let ascii = raw.length < 1024;
  for (let i = 0; ascii && i < raw.length; i++) if (raw[i] > 0x7e) ascii = false;
  if (ascii) return String.fromCharCode.apply(null, raw as unknown as number[]);
  try {
    return utf8.decode(raw);
  } catch {
    // Legacy CP437 names are not supported: we cannot be sure what they mean.
    throw new ArchiveError(`0x${[...raw.slice(0, 40)].map((b) => b.toString(16).padStart(2, '0')).join('')}`, 'name-encoding', 'entry name is not UTF-8');
  }
}

/** Parses and validates every central directory header. */
export function parseCentralDirectory(cd: Uint8Array, dir: CentralDirectory, limits: ZipLimits): ZipEntry[] {
  if (dir.count > limits.maxEntries) throw new ArchiveError(null, 'too-many-entries', `archive has ${fmt(dir.count)} entries; the limit is ${fmt(limits.maxEntries)}`);
  // The whole archive is held to the same ratio as a big entry: many small entries at DEFLATE's
  // maximum (each under ratioFloor) add up to a bomb too.
  const maxTotal = Math.min(limits.maxTotalBytes, dir.archiveSize * limits.maxRatio + limits.ratioFloor * 64);
  const entries: ZipEntry[] = [];
  const exact = new Set<string>();
  const folded = new Map<string, string>();
  let total = 0;
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== 0x02014b50) throw corrupt(`central directory header ${i} is damaged`);
    const madeBy = u16(cd, p + 4);
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let compressedSize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    const disk = u16(cd, p + 34);
    const external = u32(cd, p + 38);
    let localOffset = u32(cd, p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) throw corrupt(`central directory header ${i} overruns the directory`);
    if (nameLen > limits.maxNameLength * 4) throw new ArchiveError(`${utf8Lenient.decode(cd.subarray(p + 46, p + 46 + 60))}…`, 'name-too-long', `entry name is ${nameLen} bytes long; the limit is ${limits.maxNameLength} characters`);
    const name = decodeName(cd.subarray(p + 46, p + 46 + nameLen));
    if (name.length > limits.maxNameLength) throw new ArchiveError(`${name.slice(0, 60)}…`, 'name-too-long', `entry name is ${name.length} characters long; the limit is ${limits.maxNameLength}`);
    // zip64 extended information: only the fields whose 32-bit value is saturated are present.
    let e = p + 46 + nameLen;
    while (e + 4 <= p + 46 + nameLen + extraLen) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = u64(cd, q, 'size')), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(cd, q, 'compressed size')), (q += 8);
        if (localOffset === 0xffffffff) localOffset = u64(cd, q, 'offset');
      }
      e += 4 + len;
    }
    p = end;

    const problem = pathProblem(name);
    if (problem) throw new ArchiveError(name, problem.rule, problem.message);
    if (exact.has(name)) throw new ArchiveError(name, 'duplicate-name', 'name appears twice');
    const fold = (/^[\x20-\x7e]*$/.test(name) ? name : name.normalize('NFC')).toLowerCase().replace(/\/$/, '');
    const clash = folded.get(fold);
    if (clash !== undefined) throw new ArchiveError(name, 'duplicate-name', `name differs from '${clash}' only by case or a trailing /`);
    exact.add(name);
    folded.set(fold, name);
    if (disk !== 0) throw new ArchiveError(name, 'multi-disk', 'entry lives on another disk');
    if (flags & 0x41 || method === 99) throw new ArchiveError(name, 'encrypted', 'entry is encrypted');
    if (method !== 0 && method !== 8) throw new ArchiveError(name, 'unsupported-method', `compression method ${method} is not supported (only store and deflate)`);
    const fileType = (external >>> 16) & 0o170000;
    if (madeBy >> 8 === 3 && fileType === 0o120000) throw new ArchiveError(name, 'symlink', 'entry is a symbolic link');
    const isDir = name.endsWith('/');
    if (madeBy >> 8 === 3 && fileType !== 0 && fileType !== 0o100000 && fileType !== 0o040000) {
      throw new ArchiveError(name, 'special-file', 'entry is a device, pipe or socket');
    }
    if (isDir && size !== 0) throw new ArchiveError(name, 'size-mismatch', 'directory entry has content');
    if (method === 0 && compressedSize !== size) throw new ArchiveError(name, 'size-mismatch', 'stored entry sizes disagree');
    if (method === 8 && size > compressedSize * DEFLATE_MAX_RATIO + 64) {
      throw new ArchiveError(name, 'ratio', `declares ${fmt(size)} bytes from ${fmt(compressedSize)} compressed, more than DEFLATE can expand (${DEFLATE_MAX_RATIO}:1)`);
    }
    if (method === 8 && size > limits.ratioFloor && size > compressedSize * limits.maxRatio) {
      throw new ArchiveError(name, 'ratio', `declares ${fmt(size)} bytes from ${fmt(compressedSize)} compressed (more than ${limits.maxRatio}:1, as a zip bomb does)`);
    }
    total += size;
    if (total > limits.maxTotalBytes) throw new ArchiveError(name, 'too-large', `archive expands to more than ${fmt(limits.maxTotalBytes)} bytes`);
    if (total > maxTotal) {
      throw new ArchiveError(name, 'ratio', `archive of ${fmt(dir.archiveSize)} bytes declares more than ${fmt(maxTotal)} bytes of content (more than ${limits.maxRatio}:1, as a zip bomb does)`);
    }
    entries.push({ name, isDir, method, crc, compressedSize, size, localOffset, flags });
  }
  // A file "a" next to "a/b" cannot both exist on disk; refuse rather than pick one.
  for (const en of entries) {
    for (let i = en.name.indexOf('/'); i > 0 && i < en.name.length - 1; i = en.name.indexOf('/', i + 1)) {
      const parent = en.name.slice(0, i);
      if (exact.has(parent)) throw new ArchiveError(en.name, 'file-dir-conflict', `'${parent}' is a file but also a folder`);
    }
  }
  return entries;
}

/**
 * Checks a local header against its central entry and returns where the data starts.
 * `head` holds at least the 30 fixed bytes plus the name and extra field.
 */
export function localDataOffset(head: Uint8Array, en: ZipEntry, nameBytes: Uint8Array): number {
  if (head.length < 30 || u32(head, 0) !== 0x04034b50) throw new ArchiveError(en.name, 'corrupt', 'local header missing');
  const flags = u16(head, 6);
  const method = u16(head, 8);
  const nameLen = u16(head, 26);
  const extraLen = u16(head, 28);
  if (method !== en.method || (flags & 0x41) !== (en.flags & 0x41)) throw new ArchiveError(en.name, 'header-mismatch', 'local header disagrees with the central directory');
  if (head.length < 30 + nameLen) throw new ArchiveError(en.name, 'corrupt', 'local header truncated');
  const local = head.subarray(30, 30 + nameLen);
  if (local.length !== nameBytes.length || local.some((b, i) => b !== nameBytes[i])) {
    throw new ArchiveError(en.name, 'header-mismatch', 'local header names a different file');
  }
  if (!(flags & 0x08)) {
    const crc = u32(head, 14);
    const cs = u32(head, 18);
    const us = u32(head, 22);
    const sizesOk = (cs === en.compressedSize || cs === 0xffffffff) && (us === en.size || us === 0xffffffff);
    if (crc !== en.crc || !sizesOk) throw new ArchiveError(en.name, 'size-mismatch', 'local header sizes or CRC disagree with the central directory');
  }
  return en.localOffset + 30 + nameLen + extraLen;
}

/** Refuses entries whose data ranges overlap each other or the central directory (Fifield's bomb). */
export function checkNoOverlap(spans: { name: string; start: number; end: number }[], cdOffset: number): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let prevEnd = 0;
  let prevName = '';
  for (const s of sorted) {
    if (s.start < prevEnd) throw new ArchiveError(s.name, 'overlap', `entry data overlaps '${prevName}'`);
    if (s.end > cdOffset) throw new ArchiveError(s.name, 'overlap', 'entry data runs into the central directory');
    prevEnd = s.end;
    prevName = s.name;
  }
}
