/**
 * Raw DEFLATE (RFC 1951) specialised for MLflow run metric files, `ts value step\n` per line:
 * deflating them was the biggest CPU cost of an mlruns/ export (~10,000 files, 372 MB of text).
 * On 1,000 files of 1,000 lines like the bench's (Node 20 in Vitest, this 2-core machine, best
 * of 3, three runs): 131-140 ms for 39 MB against 297-373 ms for flate2's level 1 in wasm
 * (@hazae41/foras, with its CRC-32), 11.4 MB against 13.2 MB; with random values and
 * timestamps jittering by 0-50 ms, 135-154 ms against 342-371 ms, 12.5 MB against 14.9 MB.
 * flate2 (the import's inflater) reads its output faster too: 148-161 ms against 189-199 ms.
 *
 * Such a line mostly repeats the line before it at the same place: the timestamp's leading
 * digits, the value's leading digits (`0.001…`), the step's. So instead of hashing every
 * position, matches are tried only at separators (each `\n` and space), against the same
 * separator of the line before (distance: how far back that separator is), and everything else
 * is a literal. One dynamic Huffman block per 64 KiB of input, its codes chosen from the symbols
 * of a few spread samples of it, so the block is parsed and written in one pass; digits go out
 * four at a time. Any bytes are valid input: a match is always checked byte by byte, a literal
 * the samples did not foresee makes the block be counted in full and written again, and a block
 * that would not shrink is stored.
 */
import { crc32 } from './crc32';
import { DBASE, DEXTRA, DSYM, dynamicHeader, huffmanCode, LSYM, matchCodes } from './deflate-huffman';

/** Input bytes per block (one block for a typical metric file). */
const BLOCK = 1 << 16;
/** Bytes of a block whose symbols choose its codes: 4 samples, spread out (a metric file changes as it goes). */
const SAMPLE = 512;
/** Separators remembered per line: metric lines have 3 fields, other text may have more. */
const MAXF = 16;
/** Literals that get a code even when the samples do not hold them: the rest of a metric file may. */
const LIKELY = new TextEncoder().encode('0123456789.-+eEnaif \n');

const litFreq = new Int32Array(286), distFreq = new Int32Array(30);
const litLens = new Uint8Array(286), distLens = new Uint8Array(30);
/** Codes as `code | length << 16` (deflate-huffman.ts). */
const litCodes = new Int32Array(286), distCodes = new Int32Array(30);
/**
 * Codes with what follows them, as `bits | count << 24`: per match length (with its extra
 * bits), per distance up to 256 (the same), and per two digits, at their 16-bit little-endian
 * word & 0x0f0f (one mask, no shifts); -1 for other bytes 0x30-0x3f, a digit without a code, or
 * more than 24 bits.
 */
const lenTab = new Int32Array(259);
const distTab = new Int32Array(257);
const pairs = new Int32Array(0x0f10).fill(-1);
const header = new Int32Array(1 + 19 + 286 + 30);
let out = new Uint8Array(1 << 16);
let o = 0, acc = 0, nb = 0;
/**
 * Separator positions of the previous line and of this one (rows at S[PREV] and S[CUR]), and
 * how many each has. Slot 0 is the `\n` before the line, other slots spaces; so the byte at a
 * separator always equals the byte at its counterpart, and comparing starts after it.
 */
const PREV = 2 * MAXF, CUR = PREV + 1, PREVN = PREV + 2, CURN = PREV + 3;
const S = new Int32Array(2 * MAXF + 4);
const saved = new Int32Array(S.length);

/** A line with nothing before it to match: slot 0 of the previous row is out of reach. */
function noLineBefore(): void {
  (S[PREV] = 0), (S[CUR] = MAXF), (S[PREVN] = 0), (S[CURN] = 1), (S[MAXF] = -1 << 30);
}

/** How many bytes at p equal those at c (p > c), up to max; the first is known equal. */
function matchLength(d: Uint8Array, v: DataView, p: number, c: number, max: number): number {
  let len = 1;
  for (; len + 4 <= max; len += 4) {
    const y = v.getInt32(p + len, true) ^ v.getInt32(c + len, true);
    if (y !== 0) return len + ((31 - Math.clz32(y & -y)) >>> 3);
  }
  while (len < max && d[p + len] === d[c + len]) len++;
  return len;
}

/**
 * The parse (emit's, without writing): counts symbols into litFreq and distFreq from p until at
 * least `limit`; returns where it stopped.
 */
function count(d: Uint8Array, v: DataView, p: number, limit: number): number {
  const n = d.length, lf = litFreq, r = S;
  let pr = r[PREV], cr = r[CUR], pn = r[PREVN], cn = r[CURN];
  while (p < limit) {
    const b = d[p];
    if (b > 32 || (b !== 32 && b !== 10)) {
      lf[b]++;
      p++;
      continue;
    }
    let f = cn;
    if (b === 10) (f = pr), (pr = cr), (cr = f), (pn = cn), (f = 0);
    if (f < MAXF) (r[cr + f] = p), (cn = f + 1);
    const c = f < pn ? r[pr + f] : -1 << 30, dist = p - c;
    // A match stops at the previous line's end: the separators it covers are then that line's, moved by dist.
    const len = dist <= 32768 ? matchLength(d, v, p, c, Math.min(r[cr] - c, 258, n - p)) : 0;
    if (len < 3) {
      lf[b]++;
      p++;
      continue;
    }
    for (let j = f + 1; j < pn && r[pr + j] + dist < p + len; j++) (r[cr + j] = r[pr + j] + dist), (cn = j + 1);
    lf[LSYM[len]]++;
    distFreq[DSYM[dist <= 256 ? dist - 1 : 256 + ((dist - 1) >> 7)]]++;
    p += len;
  }
  (r[PREV] = pr), (r[CUR] = cr), (r[PREVN] = pn), (r[CURN] = cn);
  return p;
}

/**
 * The parse, writing the codes; returns where it stopped, or -1 at a literal without a code.
 * Whole bytes go out after every code (at most 24 bits onto at most 7): no branch to mispredict.
 */
function emit(d: Uint8Array, v: DataView, p: number, limit: number): number {
  // Tables and state in locals, as int32 from the start: the hot loops then neither recheck
  // module-level objects nor untag numbers.
  const n = d.length, ov = new DataView(out.buffer), lt = litCodes, pt = pairs, r = S, lens = lenTab, dists = distTab;
  let pr = r[PREV], cr = r[CUR], pn = r[PREVN], cn = r[CURN], a = acc | 0, k = nb | 0, x = o | 0;
  p |= 0;
  while (p < limit) {
    let q = 0;
    if (p + 4 <= n && ((q = v.getInt32(p, true)) & 0xf0) === 0x30) {
      // Runs of digits, four at a time while they last.
      while ((q & 0xf0f0f0f0) === 0x30303030) {
        const e0 = pt[q & 0x0f0f], e1 = pt[(q >>> 16) & 0x0f0f];
        const l0 = e0 >>> 24, l = l0 + (e1 >>> 24);
        if (l > 24) break;
        a |= ((e0 & 0xffffff) | ((e1 & 0xffffff) << l0)) << k;
        k += l;
        ov.setInt32(x, a, true);
        (x += k >>> 3), (a = (a >>> (k & 24)) | 0), (k &= 7);
        p += 4;
        if (p + 4 > n) break;
        q = v.getInt32(p, true);
      }
      if ((q & 0xf0f0) === 0x3030 && p + 4 <= n) {
        const e = pt[q & 0x0f0f];
        if (e >= 0) {
          a |= (e & 0xffffff) << k;
          k += e >>> 24;
          ov.setInt32(x, a, true);
          (x += k >>> 3), (a = (a >>> (k & 24)) | 0), (k &= 7);
          p += 2;
          continue;
        }
      }
      if (p >= limit) break;
    }
    const b = d[p];
    let len = 0, dist = 0;
    if (b <= 32 && (b === 32 || b === 10)) {
      let f = cn;
      if (b === 10) (f = pr), (pr = cr), (cr = f), (pn = cn), (f = 0);
      if (f < MAXF) (r[cr + f] = p), (cn = f + 1);
      const c = f < pn ? r[pr + f] : -1 << 30;
      dist = p - c;
      if (dist <= 32768) len = matchLength(d, v, p, c, Math.min(r[cr] - c, 258, n - p));
      if (len >= 3) for (let j = f + 1; j < pn && r[pr + j] + dist < p + len; j++) (r[cr + j] = r[pr + j] + dist), (cn = j + 1);
    }
    if (len < 3) {
      const e = lt[b];
      if (e === 0) return -1;
      a |= (e & 0xffff) << k;
      k += e >>> 16;
      ov.setInt32(x, a, true);
      (x += k >>> 3), (a = (a >>> (k & 24)) | 0), (k &= 7);
      p++;
      continue;
    }
    p += len;
    let e = lens[len], t = dist <= 256 ? dists[dist] : 255 << 24;
    if ((e >>> 24) + (t >>> 24) > 24) {
      // Apart when too long together: the length, then (for a distance over 256) the distance's code, then the rest.
      a |= (e & 0xffffff) << k;
      k += e >>> 24;
      ov.setInt32(x, a, true);
      (x += k >>> 3), (a = (a >>> (k & 24)) | 0), (k &= 7);
      if (dist > 256) {
        const s = DSYM[256 + ((dist - 1) >> 7)], c = distCodes[s];
        a |= (c & 0xffff) << k;
        k += c >>> 16;
        ov.setInt32(x, a, true);
        (x += k >>> 3), (a = (a >>> (k & 24)) | 0), (k &= 7);
        t = (dist - DBASE[s]) | (DEXTRA[s] << 24);
      }
      e = 0;
    }
    // The length's code and the distance's in one go: ~14 bits on metric text.
    const l0 = e >>> 24;
    a |= ((e & 0xffffff) | ((t & 0xffffff) << l0)) << k;
    k += l0 + (t >>> 24);
    ov.setInt32(x, a, true);
    (x += k >>> 3), (a = (a >>> (k & 24)) | 0), (k &= 7);
  }
  (r[PREV] = pr), (r[CUR] = cr), (r[PREVN] = pn), (r[CURN] = cn), (acc = a), (nb = k), (o = x);
  return p;
}

/** Writes `count` (≤ 24) bits of `bits`. */
function put(bits: number, count: number): void {
  acc |= bits << nb;
  nb += count;
  (out[o] = acc), (out[o + 1] = acc >>> 8), (out[o + 2] = acc >>> 16), (out[o + 3] = acc >>> 24);
  (o += nb >>> 3), (acc >>>= nb & 24), (nb &= 7);
}

/** The codes and tables of a block from the counted symbols; every length and distance, and the LIKELY literals, get one. */
function buildCodes(): void {
  litFreq[256]++;
  for (let s = 0; s < 286; s++) litFreq[s] *= 16;
  for (const b of LIKELY) litFreq[b]++;
  for (let s = 256; s < 286; s++) litFreq[s]++;
  for (let s = 0; s < 30; s++) distFreq[s] = distFreq[s] * 16 + 1;
  huffmanCode(litFreq, 286, 15, litLens, litCodes);
  huffmanCode(distFreq, 30, 15, distLens, distCodes);
  matchCodes(litCodes, distCodes, lenTab, distTab);
  for (let i = 0; i < 100; i++) {
    const c0 = litCodes[48 + (i % 10)], c1 = litCodes[48 + ((i / 10) | 0)], l0 = c0 >>> 16, l = l0 + (c1 >>> 16);
    pairs[(i % 10) | (((i / 10) | 0) << 8)] = l0 === 0 || c1 === 0 || l > 24 ? -1 : (c0 & 0xffff) | ((c1 & 0xffff) << l0) | (l << 24);
  }
}

/** Counts spread samples of data[start, limit) (all of it when `all`), leaving the parse state as it was. */
function sample(data: Uint8Array, view: DataView, start: number, limit: number, all: boolean): void {
  saved.set(S);
  litFreq.fill(0);
  distFreq.fill(0);
  if (all || limit - start <= 4 * SAMPLE) count(data, view, start, limit);
  else {
    count(data, view, start, start + SAMPLE);
    for (let i = 1; i < 4; i++) {
      // From a line's start, with no line before it (one line's worth of extra literals).
      const from = data.indexOf(10, start + ((i * (limit - start)) >> 2));
      if (from < 0 || from >= limit - SAMPLE) break;
      noLineBefore();
      count(data, view, from, from + SAMPLE);
    }
  }
  S.set(saved);
}

/** Stored blocks for data[start, end): what a block becomes when coding would not shrink it. */
function stored(data: Uint8Array, start: number, end: number, last: number): void {
  for (let q = start; q < end;) {
    const size = Math.min(end - q, 65535);
    put(q + size >= end ? last : 0, 3);
    if (nb > 0) (o++, (acc = 0), (nb = 0));
    (out[o] = size), (out[o + 1] = size >>> 8), (out[o + 2] = ~size), (out[o + 3] = ~size >>> 8);
    out.set(data.subarray(q, q + size), o + 4);
    o += 4 + size;
    q += size;
  }
}

/** Raw DEFLATE of `data` and its CRC-32: the `Deflater` of fast-deflate.ts. Deterministic. */
export function deflateLines(data: Uint8Array): { deflated: Uint8Array; crc: number } {
  const crc = crc32(data);
  const n = data.length, view = new DataView(data.buffer, data.byteOffset, n);
  (o = 0), (acc = 0), (nb = 0);
  noLineBefore();
  let last = 0;
  for (let start = 0; start < n;) {
    const limit = Math.min(n, start + BLOCK);
    last = limit === n ? 1 : 0;
    // At most 15 bits a literal and 48 a match of 3 or more bytes; the header stays under 1 KB.
    const room = o + 2 * (limit + 258 - start) + 1024;
    if (out.length < room) {
      const grown = new Uint8Array(Math.max(2 * out.length, room));
      grown.set(out.subarray(0, o + 1));
      out = grown;
    }
    const o0 = o, acc0 = acc, nb0 = nb;
    let end = -1;
    for (let all = false; end < 0; all = true) {
      sample(data, view, start, limit, all);
      saved.set(S);
      buildCodes();
      const items = dynamicHeader(litLens, 286, distLens, 30, header); // every length and distance has a code
      (o = o0), (acc = acc0), (nb = nb0);
      put(last | 4, 3); // BFINAL, BTYPE 2
      for (let i = 0; i < items; i++) put(header[i] & 0xffffff, header[i] >>> 24);
      end = emit(data, view, start, limit);
      if (end < 0) S.set(saved);
    }
    put(litCodes[256] & 0xffff, litCodes[256] >>> 16);
    if (o - o0 > end - start + 5 * Math.ceil((end - start) / 65535)) {
      (o = o0), (acc = acc0), (nb = nb0);
      stored(data, start, end, last);
    }
    start = end;
  }
  if (!last) put(3, 10); // a match ran past the last block's limit to the end: an empty final block (fixed codes)
  if (nb > 0) o++;
  return { deflated: out.slice(0, o), crc };
}
