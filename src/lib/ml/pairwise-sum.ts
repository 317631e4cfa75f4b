/**
 * numpy's float64 summation order (pairwise, 8-way unrolled blocks of ≤128), so means and
 * metrics round like `np.sum` / `np.mean` in scikit-learn and agree to the last bit or close.
 */

const BLOCK = 128;

/**
 * Sum of `a[start] … a[start+n−1]` in numpy's pairwise order. Other array kinds are copied into
 * a Float64Array first (metrics are short; the copy keeps the same values), so the summing loop
 * only ever sees one element kind.
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (a instanceof Float64Array) return pairwiseSumF64(a, start, n);
  if (n <= 0) return 0;
  const copy = new Float64Array(n);
  for (let i = 0; i < n; i++) copy[i] = a[start + i];
  return pairwiseSumF64(copy, 0, n);
}

/** `np.mean`: pairwise sum divided by the count (NaN for an empty range, as numpy). */
export function pairwiseMean(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  return n === 0 ? NaN : pairwiseSum(a, start, n) / n;
}

/**
 * The summation itself, for a Float64Array only: V8's element access in a function fed two
 * array kinds is several times slower, and the solver's hot loops call this directly.
 */
export function pairwiseSumF64(a: Float64Array, start: number, n: number): number {
  if (n <= 0) return 0; // sum([]) = +0.0
  if (n < 8) {
    // numpy starts a non-empty float reduction from -0.0, which preserves sum([-0.0]) = -0.0.
    let s = -0;
    for (let i = 0; i < n; i++) s += a[start + i];
    return s;
  }
  if (n <= BLOCK) return pairwiseBlock(a, start, n);
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSumF64(a, start, half) + pairwiseSumF64(a, start + half, n - half);
}

/** numpy's unrolled block, for 8 ≤ n (≤ 128 in numpy's recursion): eight running sums, then the tail. */
export function pairwiseBlock(a: Float64Array, start: number, n: number): number {
  let r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3];
  let r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7];
  const end = n - (n % 8);
  let i = 8;
  for (; i < end; i += 8) {
    const k = start + i;
    r0 += a[k]; r1 += a[k + 1]; r2 += a[k + 2]; r3 += a[k + 3];
    r4 += a[k + 4]; r5 += a[k + 5]; r6 += a[k + 6]; r7 += a[k + 7];
  }
  let s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
  for (; i < n; i++) s += a[start + i];
  return s;
}

/**
 * pairwiseSumF64 with its blocks of 8–128 elements summed by `block(start, n)` (the elastic
 * net's WebAssembly kernel over the same memory), so the result is the same.
 */
export function pairwiseSumBlocks(a: Float64Array, start: number, n: number, block: (start: number, n: number) => number): number {
  if (n < 8) return pairwiseSumF64(a, start, n);
  if (n <= BLOCK) return block(start, n);
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSumBlocks(a, start, half, block) + pairwiseSumBlocks(a, start + half, n - half, block);
}
