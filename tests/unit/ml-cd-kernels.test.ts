/**
 * The WebAssembly SIMD kernels (cd-wasm.ts) against the JS ones (cd-kernels.ts): the elastic net
 * runs on whichever the engine has, so both must give the same bits, in r and in the returned dot.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { jsWorkspace, type CdKernels, type CdWorkspace } from '../../src/lib/ml/cd-kernels';
import { wasmWorkspace } from '../../src/lib/ml/cd-wasm';
import { trainTestSplitNumpy } from '../../src/lib/ml/split';
import { loadWine } from './ml-wine-helper';

const NAMES: (keyof CdKernels)[] = ['subAxpyDot', 'subDot', 'axpyDot', 'dot', 'axpy', 'shift'];

/** Runs `name` on the same heap contents in both workspaces; returns both results and heaps. */
function both(name: keyof CdKernels, values: Float64Array, args: [number, number, number, number, number, number], wasm: CdWorkspace) {
  const js = jsWorkspace();
  const hj = js.heap(values.length);
  const hw = wasm.heap(values.length);
  hj.set(values);
  hw.set(values);
  const rj = js.kernels[name](...args);
  const rw = wasm.kernels[name](...args);
  return { rj, rw, hj: hj.subarray(0, values.length), hw: hw.subarray(0, values.length) };
}

function expectSameBits(a: Float64Array, b: Float64Array, what: string) {
  const ba = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const bb = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  const i = ba.findIndex((v, k) => v !== bb[k]);
  expect(i, `${what}: first different element ${i} (${a[i]} vs ${b[i]})`).toBe(-1);
}

describe('coordinate-descent kernels', () => {
  const wasm = wasmWorkspace();

  it('load as WebAssembly SIMD in Node (the engines the lab targets have it)', () => {
    expect(wasm).not.toBeNull();
  });

  it('give the JS kernels\' bits for any lengths, offsets and values', () => {
    // Mostly ordinary values of mixed signs (where summation order shows in the last bits), some
    // of fast-check's extremes and signed zeros.
    const value = fc.oneof(
      { arbitrary: fc.integer().map((i) => Math.sin(i) * 100), weight: 6 },
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.constantFrom(0, -0, 1e-300, -1e-300),
    );
    fc.assert(fc.property(
      fc.constantFrom(...NAMES), fc.array(value, { minLength: 1, maxLength: 300 }), fc.array(value, { minLength: 300, maxLength: 300 }),
      fc.double({ noNaN: true, min: -10, max: 10 }), fc.double({ noNaN: true, min: -10, max: 10 }), fc.nat(), fc.nat(), fc.nat(), fc.nat(),
      (name, xs, rs, a, b, pSeed, cSeed, rSeed, nSeed) => {
        // Columns anywhere in x (overlapping ones too), the residual after x as the solver lays
        // it out; `dot` also reads two ranges of x (the solver's column norms).
        const n = nSeed % (xs.length + 1);
        const room = xs.length - n + 1;
        const values = Float64Array.from([...xs, ...rs.slice(0, n)]);
        const r = name === 'dot' && rSeed % 2 === 0 ? rSeed % room : xs.length;
        const args: [number, number, number, number, number, number] = [a, pSeed % room, b, cSeed % room, r, n];
        const { rj, rw, hj, hw } = both(name, values, args, wasm!);
        expect(Object.is(rj, rw), `${name}(${args}) returned ${rj} in JS, ${rw} in wasm`).toBe(true);
        expectSameBits(hj, hw, `${name}(${args}) heap`);
      },
    ), { numRuns: 2000 });
  });

  it('work past the first memory page after the heap grows (a white-wine-sized solve)', () => {
    const n = 3673, p = 11;
    const size = n * (p + 2);
    const values = Float64Array.from({ length: size }, (_, i) => Math.sin(i) * (i % 7 === 0 ? -1 : 1));
    for (const name of NAMES) {
      const { rj, rw, hj, hw } = both(name, values, [0.37, 9 * n, -1.25, 10 * n, 12 * n, n], wasm!);
      expect(Object.is(rj, rw), `${name}: ${rj} vs ${rw}`).toBe(true);
      expectSameBits(hj, hw, name);
    }
    // A view taken before growing is replaced by a new one over the grown memory.
    const before = wasm!.heap(0);
    const after = wasm!.heap(before.length + 70_000);
    expect(after.length).toBeGreaterThanOrEqual(before.length + 70_000);
    expect(after.buffer).not.toBe(before.buffer);
  });

  it('gather rows and sum numpy blocks as the JS kernels do', () => {
    const value = fc.oneof({ arbitrary: fc.integer().map((i) => Math.sin(i) * 100), weight: 4 }, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0));
    fc.assert(fc.property(fc.array(value, { minLength: 8, maxLength: 400 }), fc.array(fc.nat(), { maxLength: 300 }), fc.nat(), (xs, picks, startSeed) => {
      // Source column at 0, row indices (Int32) after it, the gathered column after those.
      const m = xs.length, n = picks.length;
      const rowsAt = m, to = m + Math.ceil(n / 2);
      const values = new Float64Array(to + n);
      values.set(xs);
      new Int32Array(values.buffer, rowsAt * 8, n).set(picks.map((v) => v % m));
      const g = both('gather', values, [0, 0, 0, rowsAt, to, n], wasm!);
      expectSameBits(g.hj, g.hw, 'gather');
      expect(Array.from(g.hw.subarray(to)), 'gathered rows').toEqual(picks.map((v) => xs[v % m]));
      const start = startSeed % (m - 7), len = 8 + (startSeed % (m - start - 7));
      const b = both('blockSum', values, [0, 0, 0, start, 0, len], wasm!);
      expect(Object.is(b.rj, b.rw), `blockSum(${start}, ${len}): ${b.rj} vs ${b.rw}`).toBe(true);
    }), { numRuns: 1000 });
  });

  it('give whole fits the same bits in an engine without WebAssembly (the JS kernels) as with it', async () => {
    const wine = await loadWine('wine-quality.csv');
    const { train } = trainTestSplitNumpy(wine.nRows, { seed: 40 });
    const fits = async () => {
      vi.resetModules(); // a fresh cd-wasm.ts, which decides again whether WebAssembly is there
      const { fitElasticNet } = await import('../../src/lib/ml/elastic-net');
      return [{ alpha: 0.5, l1Ratio: 0.5 }, { alpha: 0.01, l1Ratio: 0.9, fitIntercept: false }, { alpha: 1e-4, l1Ratio: 0.1, maxIter: 3 }]
        .map((o) => fitElasticNet(wine.columns, wine.quality, { ...o, rows: train }));
    };
    const withWasm = await fits();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const withoutWasm = await fits();
      expect(withoutWasm.map((f) => f.nIter)).toEqual(withWasm.map((f) => f.nIter));
      withWasm.forEach((f, i) => {
        const g = withoutWasm[i];
        expectSameBits(Float64Array.of(...g.coef, g.intercept, g.dualGap), Float64Array.of(...f.coef, f.intercept, f.dualGap), `fit ${i}`);
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
