/**
 * Run metric files as bytes, fast (a 1,000-run bundle holds ~10M points, ~380 MB of text).
 * Writing formats straight into a reused byte buffer: integers digit by digit, values by
 * `String(v)` (V8's shortest round-trip form, which Python's `float()` reads bit-exactly) only
 * when they are not integers. Reading scans bytes into Float64Arrays with no regex and no
 * per-line strings; a line it does not recognise as the plain `ts value step` form sends the
 * whole file to the general decoder in metric-file.ts, which knows Python's full grammar and
 * words the errors, so both paths accept and refuse exactly the same files.
 */
import type { MetricColumns } from '../tracking/types';
import { FormatError } from './errors';
import { decodeRunMetricFile, toColumns } from './metric-file';

let out = new Uint8Array(1 << 16);

function ensure(n: number): void {
  if (out.length < n) out = new Uint8Array(Math.max(n, out.length * 2));
}

/** "00" … "99" as ASCII pairs: integers are written two digits per division. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) (PAIRS[2 * i] = 48 + ((i / 10) | 0)), (PAIRS[2 * i + 1] = 48 + (i % 10));

/** Writes the last `len` digits of x (0 ≤ x < 2^31) ending at o + len, zero-padded. */
function writeDigits(b: Uint8Array, o: number, x: number, len: number): void {
  let p = o + len;
  while (p - o >= 2) {
    const q = (x / 100) | 0;
    const r = (x - q * 100) << 1;
    b[--p] = PAIRS[r + 1];
    b[--p] = PAIRS[r];
    x = q;
  }
  if (p > o) b[--p] = 48 + (x % 10);
}

/** Writes a non-negative integer below 2^31; returns the new offset. */
function writeSmall(b: Uint8Array, o: number, x: number): number {
  const len = x < 10 ? 1 : x < 100 ? 2 : x < 1e3 ? 3 : x < 1e4 ? 4 : x < 1e5 ? 5 : x < 1e6 ? 6 : x < 1e7 ? 7 : x < 1e8 ? 8 : x < 1e9 ? 9 : 10;
  writeDigits(b, o, x, len);
  return o + len;
}

/** Writes a safe integer (as Python `int()` reads it); returns the new offset. */
function writeInt(b: Uint8Array, o: number, v: number): number {
  if (v < 0) {
    b[o++] = 45; // '-'
    v = -v;
  }
  if (v < 0x80000000) return writeSmall(b, o, v | 0);
  const hi = Math.floor(v / 1e9); // < 2^53 / 10^9 < 2^31
  o = writeSmall(b, o, hi);
  writeDigits(b, o, (v - hi * 1e9) | 0, 9);
  return o + 9;
}

/** Writes a value in formatMetricValue's form; returns the new offset. */
function writeValue(b: Uint8Array, o: number, v: number): number {
  if (Number.isSafeInteger(v) && !(v === 0 && 1 / v < 0)) return writeInt(b, o, v);
  let s: string;
  if (v !== v) s = 'nan';
  else if (v === Infinity) s = 'inf';
  else if (v === -Infinity) s = '-inf';
  else if (v === 0) s = '-0.0';
  else s = String(v);
  for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i);
  return o + s.length;
}

function checkInt(v: number, what: string, key: string): void {
  if (!Number.isSafeInteger(v)) throw new Error(`metric '${key}': ${what} must be an integer, found ${v}`);
}

/** Longest line: a 17-character integer, a 25-character value (`-0.0000012345678901234567`), another integer, 2 spaces and `\n`. */
const MAX_LINE = 17 + 25 + 17 + 3;

/** The run metric file for one history as UTF-8 bytes: `ts value step\n` per point, in the given order. */
export function encodeRunMetricBytes(m: MetricColumns): Uint8Array<ArrayBuffer> {
  const { values, steps, timestamps } = m;
  const n = values.length;
  ensure(n * MAX_LINE);
  const b = out;
  let o = 0;
  for (let i = 0; i < n; i++) {
    const ts = timestamps[i];
    const step = steps[i];
    checkInt(ts, 'timestamp', m.key);
    checkInt(step, 'step', m.key);
    o = writeInt(b, o, ts);
    b[o++] = 32;
    o = writeValue(b, o, values[i]);
    b[o++] = 32;
    o = writeInt(b, o, step);
    b[o++] = 10;
  }
  return b.slice(0, o);
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter

/** Exact error of the product: a * b === p + e exactly (Dekker's TwoProduct, no FMA needed). */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * Writes round(M / 10^k) to out[i] (negated if `neg`) for M = Mh + lo, Mh = a·10^j with 16 or
 * 17 digits in all (so Mh ≥ 10^15 ≫ lo), 0 ≤ k ≤ 22; false when it cannot be decided cheaply
 * (the caller then uses Number()). A candidate c is accepted only if the exact remainder
 * M − c·10^k lies well inside c's rounding interval (half an ulp each side; a quarter below
 * powers of two, to stay on the safe side). The remainder is exact: Mh − p is exact by
 * Sterbenz's lemma (p ≈ Mh), + lo stays a small exactly representable number, and the product
 * error comes from TwoProduct; only the final subtraction may round, far below the 1e-9
 * margin. Results go straight into `out` (a returned double would be boxed).
 */
function divideInto(out: Float64Array, i: number, Mh: number, lo: number, k: number, neg: boolean): boolean {
  const P = POW10[k];
  let c = (Mh + lo) / P;
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = c * P;
    const r = Mh - p + lo - productError(c, P, p);
    f64[0] = c;
    const e = (u32[1] >>> 20) & 0x7ff;
    if (e <= 53 || e === 0x7ff) return false;
    const pow2 = (u32[1] & 0xfffff) === 0 && u32[0] === 0;
    f64[0] = 0;
    u32[1] = (e - 52) << 20; // the ulp of c: 2^(e − 1023 − 52)
    const ulp = f64[0];
    const half = (pow2 ? ulp / 4 : ulp / 2) * P;
    const a = Math.abs(r);
    if (a < half * (1 - 1e-9)) {
      out[i] = neg ? -c : c;
      return true;
    }
    if (a <= half * (1 + 1e-9)) return false; // (near) a tie: let Number() decide
    c = r > 0 ? c + ulp : c - (pow2 ? ulp / 2 : ulp);
  }
  return false;
}

let cap = 0;
let colValues = new Float64Array(0);
let colSteps = new Float64Array(0);
let colTimestamps = new Float64Array(0);

function ensureColumns(n: number): void {
  if (cap >= n) return;
  cap = Math.max(n, cap * 2, 4096);
  colValues = new Float64Array(cap);
  colSteps = new Float64Array(cap);
  colTimestamps = new Float64Array(cap);
}

/**
 * The fast path: lines exactly `INT SP NUMBER SP INT` ending in `\n` (or the end of the file),
 * with integers of at most 15 digits. Returns the point count, or -1 if some line is not of
 * that form (the caller then uses the general decoder).
 */
function scan(b: Uint8Array): number {
  const len = b.length;
  if (len === 0) return -1;
  ensureColumns(((len / 6) | 0) + 1); // the shortest line, `1 2 3\n`, has 6 bytes
  const vs = colValues, ss = colSteps, ts = colTimestamps;
  let text: string | null = null;
  let n = 0;
  let p = 0;
  while (p < len) {
    // timestamp
    let neg = false;
    if (b[p] === 45) (neg = true), p++;
    let x = 0;
    let nd = 0;
    for (let c = b[p] - 48; c >= 0 && c <= 9 && p < len; c = b[++p] - 48) (x = x * 10 + c), nd++;
    if (nd === 0 || nd > 15 || b[p] !== 32) return -1;
    ts[n] = neg ? 0 - x : x;
    p++;
    // value
    const start = p;
    let c = b[p];
    neg = false;
    if (c === 45) (neg = true), (c = b[++p]);
    let v: number;
    if (c === 110 || c === 105) { // 'nan' / 'inf'
      if (c === 110 && b[p + 1] === 97 && b[p + 2] === 110 && !neg) v = NaN;
      else if (c === 105 && b[p + 1] === 110 && b[p + 2] === 102) v = neg ? -Infinity : Infinity;
      else return -1;
      p += 3;
    } else {
      // The significant digits as hi·10^nb + lo: the first 9 in hi, the rest in lo.
      let hi = 0;
      let lo = 0;
      let nb = 0;
      let sig = 0;
      let digits = 0;
      let exp = 0;
      for (c = b[p] - 48; c >= 0 && c <= 9 && p < len; c = b[++p] - 48) {
        digits++;
        if (sig === 0 && c === 0) continue;
        if (sig++ < 9) hi = hi * 10 + c;
        else (lo = lo * 10 + c), nb++;
      }
      if (b[p] === 46) { // '.'
        for (c = b[++p] - 48; c >= 0 && c <= 9 && p < len; c = b[++p] - 48) {
          digits++;
          exp--;
          if (sig === 0 && c === 0) continue;
          if (sig++ < 9) hi = hi * 10 + c;
          else (lo = lo * 10 + c), nb++;
        }
      }
      if (digits === 0) return -1;
      if (b[p] === 101 || b[p] === 69) { // 'e' / 'E'
        p++;
        let eneg = false;
        if (b[p] === 45 || b[p] === 43) (eneg = b[p] === 45), p++;
        let e = 0;
        let ed = 0;
        for (c = b[p] - 48; c >= 0 && c <= 9 && p < len; c = b[++p] - 48) (e = e * 10 + c), ed++;
        if (ed === 0 || ed > 5) return -1;
        exp += eneg ? -e : e;
      }
      if (sig <= 15 && exp >= -22 && exp <= 22) {
        // Clinger's fast path: m < 10^15 and 10^|exp| are exact doubles, so one operation rounds correctly.
        const m = nb === 0 ? hi : hi * POW10[nb] + lo;
        v = exp >= 0 ? m * POW10[exp] : m / POW10[-exp];
        if (neg) v = -v;
      } else if (sig >= 16 && sig <= 17 && exp <= 0 && exp >= -22 && divideInto(vs, n, hi * POW10[nb], lo, -exp, neg)) {
        // 16–17 digits (the usual shortest form of a double): exact division did it.
        v = vs[n];
      } else {
        text ??= latin1.decode(b);
        v = Number(text.slice(start, p));
      }
    }
    if (b[p] !== 32) return -1;
    vs[n] = v;
    p++;
    // step
    neg = false;
    if (b[p] === 45) (neg = true), p++;
    x = 0;
    nd = 0;
    for (c = b[p] - 48; c >= 0 && c <= 9 && p < len; c = b[++p] - 48) (x = x * 10 + c), nd++;
    if (nd === 0 || nd > 15) return -1;
    ss[n] = neg ? 0 - x : x;
    n++;
    if (p < len) {
      if (b[p] !== 10) return -1;
      p++;
    }
  }
  return n;
}

/**
 * A run metric file → columns in file order, as decodeRunMetricFile + toColumns would give
 * (same values, same errors), without building a string per line.
 */
export function decodeRunMetricBytes(file: string, key: string, bytes: Uint8Array): MetricColumns {
  const n = scan(bytes);
  if (n > 0) {
    // One buffer for the three columns (values | steps | timestamps): a third of the allocations
    // and of the buffers to transfer (a 1,000-run import: 10,000 instead of 30,000, ~0.2 s less
    // in postMessage).
    const all = new Float64Array(3 * n);
    all.set(colValues.subarray(0, n));
    all.set(colSteps.subarray(0, n), n);
    all.set(colTimestamps.subarray(0, n), 2 * n);
    return { key, values: all.subarray(0, n), steps: all.subarray(n, 2 * n), timestamps: all.subarray(2 * n) };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FormatError(file, 'not valid UTF-8');
  }
  return toColumns(key, decodeRunMetricFile(file, text));
}
