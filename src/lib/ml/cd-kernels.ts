/**
 * The vector loops of coordinate descent on Float64Array, unrolled by four with separate
 * accumulators (V8 does not vectorise; this hides add latency). Fused variants do several of
 * sklearn's BLAS calls in one pass over R while keeping each element's operations, and hence
 * its rounding, in sklearn's order.
 */

/** Σ a[ao+i]·b[bo+i] for i < n, four accumulators (as BLAS kernels do) for speed. */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    s0 += a[ao + i] * b[bo + i];
    s1 += a[ao + i + 1] * b[bo + i + 1];
    s2 += a[ao + i + 2] * b[bo + i + 2];
    s3 += a[ao + i + 3] * b[bo + i + 3];
  }
  for (; i < n; i++) s0 += a[ao + i] * b[bo + i];
  return (s0 + s1) + (s2 + s3);
}

/** r += s·x, then return x·r, in one pass. */
export function axpyDot(s: number, x: Float64Array, r: Float64Array): number {
  const n = r.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    const x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    const r0 = r[i] + s * x0, r1 = r[i + 1] + s * x1, r2 = r[i + 2] + s * x2, r3 = r[i + 3] + s * x3;
    r[i] = r0; r[i + 1] = r1; r[i + 2] = r2; r[i + 3] = r3;
    s0 += x0 * r0; s1 += x1 * r1; s2 += x2 * r2; s3 += x3 * r3;
  }
  for (; i < n; i++) {
    const ri = r[i] + s * x[i];
    r[i] = ri;
    s0 += x[i] * ri;
  }
  return (s0 + s1) + (s2 + s3);
}

/** r −= a·xp, then r += b·xc, then return xc·r, in one pass. */
export function subAxpyDot(a: number, xp: Float64Array, b: number, xc: Float64Array, r: Float64Array): number {
  const n = r.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    const c0 = xc[i], c1 = xc[i + 1], c2 = xc[i + 2], c3 = xc[i + 3];
    const r0 = (r[i] - a * xp[i]) + b * c0;
    const r1 = (r[i + 1] - a * xp[i + 1]) + b * c1;
    const r2 = (r[i + 2] - a * xp[i + 2]) + b * c2;
    const r3 = (r[i + 3] - a * xp[i + 3]) + b * c3;
    r[i] = r0; r[i + 1] = r1; r[i + 2] = r2; r[i + 3] = r3;
    s0 += c0 * r0; s1 += c1 * r1; s2 += c2 * r2; s3 += c3 * r3;
  }
  for (; i < n; i++) {
    const ri = (r[i] - a * xp[i]) + b * xc[i];
    r[i] = ri;
    s0 += xc[i] * ri;
  }
  return (s0 + s1) + (s2 + s3);
}

/** r −= a·xp, then return xc·r, in one pass. */
export function subDot(a: number, xp: Float64Array, xc: Float64Array, r: Float64Array): number {
  const n = r.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    const r0 = r[i] - a * xp[i], r1 = r[i + 1] - a * xp[i + 1], r2 = r[i + 2] - a * xp[i + 2], r3 = r[i + 3] - a * xp[i + 3];
    r[i] = r0; r[i + 1] = r1; r[i + 2] = r2; r[i + 3] = r3;
    s0 += xc[i] * r0; s1 += xc[i + 1] * r1; s2 += xc[i + 2] * r2; s3 += xc[i + 3] * r3;
  }
  for (; i < n; i++) {
    const ri = r[i] - a * xp[i];
    r[i] = ri;
    s0 += xc[i] * ri;
  }
  return (s0 + s1) + (s2 + s3);
}

/** r += s·x. */
export function axpy(s: number, x: Float64Array, r: Float64Array): void {
  for (let i = 0, n = r.length; i < n; i++) r[i] += s * x[i];
}
