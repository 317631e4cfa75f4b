/**
 * The vector loops of the elastic net (preparation and coordinate descent), over one Float64Array
 * heap holding the design matrix, the target and the residual (so a kernel call is a few offsets,
 * and cd-wasm.ts can run the same calls in WebAssembly memory). Unrolled by four with separate
 * accumulators (V8 does not vectorise; this hides add latency). Fused variants do several of
 * sklearn's BLAS calls in one pass over r while keeping each element's operations, and hence its
 * rounding, in sklearn's order.
 */
import { pairwiseBlock } from './pairwise-sum';

/**
 * All kernels take (a, p, b, c, r, n): scalars a, b and offsets p, c, r (in elements) of ranges
 * of n elements in the heap (in the solver: the previous column, the current column, the
 * residual); each ignores what it does not use. Ranges must lie inside the heap, and r must not
 * overlap p or c in the kernels that write it (elastic-net-prepare.ts lays the heap out).
 */
export interface CdKernels {
  /** r −= a·x[p], then r += b·x[c], then return x[c]·r, in one pass. */
  subAxpyDot(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** r −= a·x[p], then return x[c]·r, in one pass. */
  subDot(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** r += b·x[c], then return x[c]·r, in one pass. */
  axpyDot(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** x[c]·r: four accumulators (as BLAS kernels do), element i into accumulator i mod 4. */
  dot(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** r += b·x[c]. */
  axpy(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** r −= a (centring). */
  shift(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** r[i] = x[p + rows[i]], rows being n Int32 values stored from element offset c on (the heap's bytes). */
  gather(a: number, p: number, b: number, c: number, r: number, n: number): number;
  /** numpy's pairwise-sum block over x[c … c+n−1], n ≥ 8 (pairwiseSumF64's leaf, same order). */
  blockSum(a: number, p: number, b: number, c: number, r: number, n: number): number;
}

/** Kernels and the heap they work on (one fit's; elastic-net-prepare.ts lays it out). */
export interface CdWorkspace {
  kernels: CdKernels;
  /** The heap, grown to at least `length` elements if smaller (growing invalidates earlier views of it). */
  heap(length: number): Float64Array;
}

/** The kernels in plain JS, for engines without WebAssembly SIMD (the same numbers, slower). */
export function jsWorkspace(): CdWorkspace {
  let h = new Float64Array(0);
  let rows = new Int32Array(0); // the same bytes, for `gather`'s row indices
  const heap = (length: number) => {
    if (h.length < length) {
      h = new Float64Array(length);
      rows = new Int32Array(h.buffer);
    }
    return h;
  };
  return { kernels: jsKernels(() => h, () => rows), heap };
}

function jsKernels(heapNow: () => Float64Array, rowsNow: () => Int32Array): CdKernels {
  return {
    subAxpyDot(a, p, b, c, r, n) {
      const h = heapNow();
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (const end = n - 3; i < end; i += 4) {
        const c0 = h[c + i], c1 = h[c + i + 1], c2 = h[c + i + 2], c3 = h[c + i + 3];
        const r0 = (h[r + i] - a * h[p + i]) + b * c0;
        const r1 = (h[r + i + 1] - a * h[p + i + 1]) + b * c1;
        const r2 = (h[r + i + 2] - a * h[p + i + 2]) + b * c2;
        const r3 = (h[r + i + 3] - a * h[p + i + 3]) + b * c3;
        h[r + i] = r0; h[r + i + 1] = r1; h[r + i + 2] = r2; h[r + i + 3] = r3;
        s0 += c0 * r0; s1 += c1 * r1; s2 += c2 * r2; s3 += c3 * r3;
      }
      for (; i < n; i++) {
        const ri = (h[r + i] - a * h[p + i]) + b * h[c + i];
        h[r + i] = ri;
        s0 += h[c + i] * ri;
      }
      return (s0 + s1) + (s2 + s3);
    },
    subDot(a, p, _b, c, r, n) {
      const h = heapNow();
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (const end = n - 3; i < end; i += 4) {
        const r0 = h[r + i] - a * h[p + i], r1 = h[r + i + 1] - a * h[p + i + 1];
        const r2 = h[r + i + 2] - a * h[p + i + 2], r3 = h[r + i + 3] - a * h[p + i + 3];
        h[r + i] = r0; h[r + i + 1] = r1; h[r + i + 2] = r2; h[r + i + 3] = r3;
        s0 += h[c + i] * r0; s1 += h[c + i + 1] * r1; s2 += h[c + i + 2] * r2; s3 += h[c + i + 3] * r3;
      }
      for (; i < n; i++) {
        const ri = h[r + i] - a * h[p + i];
        h[r + i] = ri;
        s0 += h[c + i] * ri;
      }
      return (s0 + s1) + (s2 + s3);
    },
    axpyDot(_a, _p, b, c, r, n) {
      const h = heapNow();
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (const end = n - 3; i < end; i += 4) {
        const c0 = h[c + i], c1 = h[c + i + 1], c2 = h[c + i + 2], c3 = h[c + i + 3];
        const r0 = h[r + i] + b * c0, r1 = h[r + i + 1] + b * c1, r2 = h[r + i + 2] + b * c2, r3 = h[r + i + 3] + b * c3;
        h[r + i] = r0; h[r + i + 1] = r1; h[r + i + 2] = r2; h[r + i + 3] = r3;
        s0 += c0 * r0; s1 += c1 * r1; s2 += c2 * r2; s3 += c3 * r3;
      }
      for (; i < n; i++) {
        const ri = h[r + i] + b * h[c + i];
        h[r + i] = ri;
        s0 += h[c + i] * ri;
      }
      return (s0 + s1) + (s2 + s3);
    },
    dot(_a, _p, _b, c, r, n) {
      const h = heapNow();
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = 0;
      for (const end = n - 3; i < end; i += 4) {
        s0 += h[c + i] * h[r + i];
        s1 += h[c + i + 1] * h[r + i + 1];
        s2 += h[c + i + 2] * h[r + i + 2];
        s3 += h[c + i + 3] * h[r + i + 3];
      }
      for (; i < n; i++) s0 += h[c + i] * h[r + i];
      return (s0 + s1) + (s2 + s3);
    },
    axpy(_a, _p, b, c, r, n) {
      const h = heapNow();
      for (let i = 0; i < n; i++) h[r + i] += b * h[c + i];
      return 0;
    },
    shift(a, _p, _b, _c, r, n) {
      const h = heapNow();
      let i = r;
      const end = r + n;
      // Unrolled with the loads ahead of the stores: V8 keeps each typed-array store before the
      // loads after it, and one element per turn runs at about half this speed.
      for (; i < end - 3; i += 4) {
        const v0 = h[i] - a, v1 = h[i + 1] - a, v2 = h[i + 2] - a, v3 = h[i + 3] - a;
        h[i] = v0; h[i + 1] = v1; h[i + 2] = v2; h[i + 3] = v3;
      }
      for (; i < end; i++) h[i] -= a;
      return 0;
    },
    gather(_a, p, _b, c, r, n) {
      const h = heapNow();
      const rows = rowsNow();
      const ri = 2 * c;
      let i = 0;
      for (const end = n - 3; i < end; i += 4) {
        const v0 = h[p + rows[ri + i]], v1 = h[p + rows[ri + i + 1]], v2 = h[p + rows[ri + i + 2]], v3 = h[p + rows[ri + i + 3]];
        h[r + i] = v0; h[r + i + 1] = v1; h[r + i + 2] = v2; h[r + i + 3] = v3;
      }
      for (; i < n; i++) h[r + i] = h[p + rows[ri + i]];
      return 0;
    },
    blockSum(_a, _p, _b, c, _r, n) {
      return pairwiseBlock(heapNow(), c, n);
    },
  };
}
