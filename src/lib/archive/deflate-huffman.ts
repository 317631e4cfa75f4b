/**
 * DEFLATE's length and distance symbols, length-limited Huffman codes and the dynamic block
 * header (RFC 1951 §3.2.5-3.2.7) for the DEFLATE writer in line-deflate.ts. Codes are built
 * once per block of a ~12 KB output, so they are kept to typed arrays and small loops (with
 * plain arrays, closures and a library sort they took about twice as long).
 */

/** Per match length 3..258: its symbol (257..285), and its extra bits as `value | count << 16`. */
export const LSYM = new Int32Array(259);
export const LEXTRA = new Int32Array(259);
/**
 * Per distance symbol: the first distance and the extra bit count. DSYM gives the symbol of
 * distance d at d - 1 up to 256, else at 256 + ((d - 1) >> 7).
 */
export const DBASE = new Int32Array(30);
export const DEXTRA = new Int32Array(30);
export const DSYM = new Uint8Array(512);
for (let s = 0, base = 3; s < 28; s++) {
  const x = s < 8 ? 0 : (s >> 2) - 1;
  for (let i = 0; i < 1 << x; i++) (LSYM[base + i] = 257 + s), (LEXTRA[base + i] = i | (x << 16));
  base += 1 << x;
}
(LSYM[258] = 285), (LEXTRA[258] = 0);
for (let s = 0, base = 1; s < 30; s++) {
  const x = s < 4 ? 0 : (s >> 1) - 1;
  (DBASE[s] = base), (DEXTRA[s] = x);
  for (let d = base; d < base + (1 << x); d++) DSYM[d <= 256 ? d - 1 : 256 + ((d - 1) >> 7)] = s;
  base += 1 << x;
}

const keys = new Int32Array(286);
const weight = new Int32Array(2 * 286);
const parent = new Int32Array(2 * 286);
const depth = new Int32Array(2 * 286);
const count = new Int32Array(16);
const next = new Int32Array(17);
/** Each byte with its bits in reverse order: DEFLATE sends a Huffman code from its top bit. */
const REV = new Uint8Array(256);
for (let i = 0; i < 256; i++) for (let b = 0; b < 8; b++) REV[i] |= ((i >> b) & 1) << (7 - b);

/**
 * Code lengths of at most `maxBits` for symbols 0..n-1 of `freq` (each below 2^22) into `lens`
 * (0: unused), and their codes, bit-reversed for an LSB-first writer, into `codes` as
 * `code | length << 16`. At least two symbols always get a code (unused ones are added with
 * weight 0), so every code is complete: some inflaters refuse a lone one-bit code.
 */
export function huffmanCode(freq: Int32Array, n: number, maxBits: number, lens: Uint8Array, codes: Int32Array): void {
  // Symbols by ascending weight, ties by symbol (the output must not depend on how a sort
  // breaks ties), as `weight << 9 | symbol`, by insertion: a few dozen symbols, mostly.
  let m = 0;
  for (let s = 0; s < n; s++) if (freq[s] > 0) keys[m++] = (freq[s] << 9) | s;
  for (let s = 0; m < 2; s++) if (freq[s] <= 0) keys[m++] = s;
  for (let i = 1; i < m; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  // Two-queue Huffman: leaves 0..m-1 in weight order, internal nodes m..2m-2 in creation order
  // (which is also weight order), so the two lightest are always at one of the two heads.
  for (let i = 0; i < m; i++) weight[i] = keys[i] >> 9;
  let leaf = 0, node = m;
  for (let k = m; k < 2 * m - 1; k++) {
    const a = leaf < m && (node >= k || weight[leaf] <= weight[node]) ? leaf++ : node++;
    const b = leaf < m && (node >= k || weight[leaf] <= weight[node]) ? leaf++ : node++;
    weight[k] = weight[a] + weight[b];
    parent[a] = parent[b] = k;
  }
  count.fill(0);
  depth[2 * m - 2] = 0;
  for (let i = 2 * m - 3; i >= 0; i--) depth[i] = depth[parent[i]] + 1;
  for (let i = 0; i < m; i++) count[Math.min(depth[i], maxBits)]++;
  // Clamping to maxBits oversubscribes the code; each step below moves one leaf down from the
  // deepest level under maxBits and pairs it with a leaf from maxBits, lowering the Kraft sum
  // (in units of 2^-maxBits) by one, until the code is exactly complete again.
  let kraft = 0;
  for (let l = 1; l <= maxBits; l++) kraft += count[l] << (maxBits - l);
  for (; kraft > 1 << maxBits; kraft--) {
    let l = maxBits - 1;
    while (count[l] === 0) l--;
    count[l]--;
    count[l + 1] += 2;
    count[maxBits]--;
  }
  // The lightest symbols take the longest lengths; canonical codes then go by length, then symbol.
  lens.fill(0, 0, n);
  for (let l = maxBits, i = 0; l >= 1; l--) for (let c = count[l]; c > 0; c--) lens[keys[i++] & 511] = l;
  next[1] = 0;
  for (let l = 1; l <= maxBits; l++) next[l + 1] = (next[l] + count[l]) << 1;
  for (let s = 0; s < n; s++) {
    const l = lens[s];
    if (l === 0) codes[s] = 0;
    else {
      const c = next[l]++;
      codes[s] = (((REV[c & 255] << 8) | REV[c >> 8]) >> (16 - l)) | (l << 16);
    }
  }
}

/**
 * Per match length 3..258 (`lenTab`) and per distance 1..256 (`distTab`), the code with its
 * extra bits after it, as `bits | count << 24`, from the codes of a block.
 */
export function matchCodes(litCodes: Int32Array, distCodes: Int32Array, lenTab: Int32Array, distTab: Int32Array): void {
  for (let len = 3; len <= 258; len++) {
    const c = litCodes[LSYM[len]], x = LEXTRA[len];
    lenTab[len] = (c & 0xffff) | ((x & 0xffff) << (c >>> 16)) | (((c >>> 16) + (x >>> 16)) << 24);
  }
  for (let d = 1; d <= 256; d++) {
    const s = DSYM[d - 1], c = distCodes[s];
    distTab[d] = (c & 0xffff) | ((d - DBASE[s]) << (c >>> 16)) | (((c >>> 16) + DEXTRA[s]) << 24);
  }
}

/** The order in which the code-length code's lengths are written. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const all = new Uint8Array(286 + 30);
/** Run-length coded lengths: `symbol | extra bits << 5 | their count << 12`. */
const rle = new Int32Array(286 + 30);
const clFreq = new Int32Array(19);
const clLens = new Uint8Array(19);
const clCodes = new Int32Array(19);

/**
 * The header of a dynamic block after BFINAL and BTYPE, into `out` as `bits | count << 24`;
 * returns how many. The lengths run-length coded (16: repeat the last 3-6 times, 17/18: 3-10/
 * 11-138 zeros) across the literal and distance lengths, as §3.2.7 allows.
 */
export function dynamicHeader(litLens: Uint8Array, hlit: number, distLens: Uint8Array, hdist: number, out: Int32Array): number {
  const total = hlit + hdist;
  all.set(litLens.subarray(0, hlit));
  all.set(distLens.subarray(0, hdist), hlit);
  clFreq.fill(0);
  let nr = 0;
  for (let i = 0; i < total;) {
    const v = all[i];
    let r = 1;
    while (i + r < total && all[i + r] === v) r++;
    i += r;
    if (v === 0) {
      for (; r >= 11; r -= Math.min(r, 138)) (rle[nr++] = 18 | ((Math.min(r, 138) - 11) << 5) | (7 << 12)), clFreq[18]++;
      if (r >= 3) (rle[nr++] = 17 | ((r - 3) << 5) | (3 << 12)), clFreq[17]++, (r = 0);
    } else {
      (rle[nr++] = v), clFreq[v]++;
      for (r--; r >= 3; r -= Math.min(r, 6)) (rle[nr++] = 16 | ((Math.min(r, 6) - 3) << 5) | (2 << 12)), clFreq[16]++;
    }
    for (; r > 0; r--) (rle[nr++] = v), clFreq[v]++;
  }
  huffmanCode(clFreq, 19, 7, clLens, clCodes);
  let hclen = 19;
  while (hclen > 4 && clLens[CL_ORDER[hclen - 1]] === 0) hclen--;
  let k = 0;
  out[k++] = (hlit - 257) | ((hdist - 1) << 5) | ((hclen - 4) << 10) | (14 << 24);
  for (let i = 0; i < hclen; i++) out[k++] = clLens[CL_ORDER[i]] | (3 << 24);
  for (let i = 0; i < nr; i++) {
    const x = rle[i], c = clCodes[x & 31], l = c >>> 16;
    out[k++] = (c & 0xffff) | (((x >> 5) & 127) << l) | ((l + (x >>> 12)) << 24);
  }
  return k;
}
