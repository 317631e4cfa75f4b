/**
 * The coordinate-descent kernels of cd-kernels.ts as WebAssembly SIMD (f64x2), built here as a
 * few hundred bytes at first use. V8 runs the JS loops at about 3 cycles per element (bounds
 * checks, no vectors); these run the same arithmetic two lanes at a time, which on the white
 * wine file makes a fit about twice as fast.
 *
 * Same bits as the JS kernels: wasm's f64x2 add/sub/mul are IEEE-exact per lane and never fused
 * into FMA, each element gets the same operations in the same order, and the dot products keep
 * the JS kernels' four accumulators (element i goes to accumulator i mod 4, the tail to the
 * first; [s0 s1] and [s2 s3] are two f64x2 registers) and their final (s0+s1)+(s2+s3).
 * tests/unit/ml-cd-kernels.test.ts checks this bit for bit.
 *
 * Every kernel has one signature over the module's memory (offsets in Float64 elements):
 *   (a, p, b, c, r, n) → x[c]·r after  r −= a·x[p]  and/or  r += b·x[c],
 * where x and r are both the heap; unused arguments are ignored.
 */
import type { CdKernels, CdWorkspace } from './cd-kernels';

/** One kernel's shape: which of r −= a·x[p], r += b·x[c], Σ x[c]·r it does. */
interface KernelShape { sub: boolean; add: boolean; dot: boolean }

const SHAPES: Record<keyof CdKernels, KernelShape> = {
  subAxpyDot: { sub: true, add: true, dot: true },
  subDot: { sub: true, add: false, dot: true },
  axpyDot: { sub: false, add: true, dot: true },
  dot: { sub: false, add: false, dot: true },
  axpy: { sub: false, add: true, dot: false },
};

// Opcodes (WebAssembly core spec §5.4 and the fixed-width SIMD proposal); SIMD ones follow 0xfd.
const F64 = 0x7c, I32 = 0x7f, V128 = 0x7b;
const GET = 0x20, SET = 0x21, I32_CONST = 0x41, I32_ADD = 0x6a, I32_AND = 0x71, I32_SHL = 0x74, I32_GE_U = 0x4f;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const F64_LOAD = 0x2b, F64_STORE = 0x39, F64_CONST = 0x44, F64_ADD = 0xa0, F64_SUB = 0xa1, F64_MUL = 0xa2;
const simd = (op: number) => [0xfd, ...uleb(op)];
const V_LOAD = simd(0x00), V_STORE = simd(0x0b), SPLAT = simd(0x14), V_ADD = simd(0xf0), V_SUB = simd(0xf1), V_MUL = simd(0xf2);
const lane = (i: number) => [...simd(0x21), i];
/** memarg: alignment 2^3 (columns start at any multiple of 8 bytes), then a constant byte offset. */
const mem = (offset: number) => [3, ...uleb(offset)];

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}
/** Signed LEB128 for the small constants used here (−64 ≤ v < 64). */
const sleb7 = (v: number) => [v & 0x7f];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const name = (s: string) => vec([...s].map((ch) => [ch.charCodeAt(0)]));

// Locals: params, then the kernel's own (indices fixed by the declaration in `body`).
const A = 0, P = 1, B = 2, C = 3, R = 4, N = 5;
const K = 6, END4 = 7, NBYTES = 8, VA = 9, VB = 10, ACC01 = 11, ACC23 = 12, VC = 13, VR = 14, S0 = 15, SC = 16, SR = 17;

/** The byte address of element k/8 of the range at `base`: the offsets are made bytes on entry. */
const addr = (base: number) => [GET, base, GET, K, I32_ADD];
const toBytes = (local: number) => [GET, local, I32_CONST, 3, I32_SHL, SET, local];

function body(s: KernelShape): number[] {
  const half = (off: number, acc: number) => [
    ...addr(C), ...V_LOAD, ...mem(off), SET, VC,
    ...addr(R), ...V_LOAD, ...mem(off), SET, VR,
    ...(s.sub ? [GET, VR, GET, VA, ...addr(P), ...V_LOAD, ...mem(off), ...V_MUL, ...V_SUB, SET, VR] : []),
    ...(s.add ? [GET, VR, GET, VB, GET, VC, ...V_MUL, ...V_ADD, SET, VR] : []),
    ...(s.sub || s.add ? [...addr(R), GET, VR, ...V_STORE, ...mem(off)] : []),
    ...(s.dot ? [GET, acc, GET, VC, GET, VR, ...V_MUL, ...V_ADD, SET, acc] : []),
  ];
  const code = [
    ...toBytes(P), ...toBytes(C), ...toBytes(R),
    GET, A, ...SPLAT, SET, VA,
    GET, B, ...SPLAT, SET, VB,
    F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0, ...SPLAT, SET, ACC01,
    F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0, ...SPLAT, SET, ACC23,
    GET, N, I32_CONST, ...sleb7(-4), I32_AND, I32_CONST, 3, I32_SHL, SET, END4,
    GET, N, I32_CONST, 3, I32_SHL, SET, NBYTES,
    // Four elements per turn: [i, i+1] into ACC01, [i+2, i+3] into ACC23.
    BLOCK, VOID, LOOP, VOID,
    GET, K, GET, END4, I32_GE_U, BR_IF, 1,
    ...half(0, ACC01), ...half(16, ACC23),
    GET, K, I32_CONST, 32, I32_ADD, SET, K, BR, 0,
    END, END,
    GET, ACC01, ...lane(0), SET, S0,
    // The last n mod 4 elements one by one, summed into s0 as the JS kernels do.
    BLOCK, VOID, LOOP, VOID,
    GET, K, GET, NBYTES, I32_GE_U, BR_IF, 1,
    ...addr(C), F64_LOAD, ...mem(0), SET, SC,
    ...addr(R), F64_LOAD, ...mem(0), SET, SR,
    ...(s.sub ? [GET, SR, GET, A, ...addr(P), F64_LOAD, ...mem(0), F64_MUL, F64_SUB, SET, SR] : []),
    ...(s.add ? [GET, SR, GET, B, GET, SC, F64_MUL, F64_ADD, SET, SR] : []),
    ...(s.sub || s.add ? [...addr(R), GET, SR, F64_STORE, ...mem(0)] : []),
    ...(s.dot ? [GET, S0, GET, SC, GET, SR, F64_MUL, F64_ADD, SET, S0] : []),
    GET, K, I32_CONST, 8, I32_ADD, SET, K, BR, 0,
    END, END,
    // (s0 + s1) + (s2 + s3)
    GET, S0, GET, ACC01, ...lane(1), F64_ADD,
    GET, ACC23, ...lane(0), GET, ACC23, ...lane(1), F64_ADD, F64_ADD,
    END,
  ];
  const locals = vec([[3, I32], [6, V128], [3, F64]]); // K END4 NBYTES | VA VB ACC01 ACC23 VC VR | S0 SC SR
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const names = Object.keys(SHAPES) as (keyof CdKernels)[];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[F64], [I32], [F64], [I32], [I32], [I32]]), ...vec([[F64]])]])),
    ...section(3, vec(names.map(() => [0]))),
    ...section(5, vec([[0x00, 1]])), // one memory, 1 page to start, grown on demand
    ...section(7, vec([...names.map((n, i) => [...name(n), 0x00, i]), [...name('memory'), 0x02, 0]])),
    ...section(10, vec(names.map((n) => body(SHAPES[n])))),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The SIMD kernels over a new instance's own memory, or null where WebAssembly SIMD is
 * unavailable or not allowed (a CSP without 'wasm-unsafe-eval'); callers then use the JS
 * kernels, which give the same numbers. The module is compiled once (synchronously: it is well
 * under the 4 KB the main thread allows); each instance's memory goes with it when dropped.
 */
export function wasmWorkspace(): CdWorkspace | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      const bytes = moduleBytes();
      if (typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return null;
  const exports = new WebAssembly.Instance(compiled).exports;
  const memory = exports.memory as WebAssembly.Memory;
  let view = new Float64Array(memory.buffer);
  const heap = (length: number) => {
    const bytes = length * 8;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    if (view.buffer !== memory.buffer) view = new Float64Array(memory.buffer);
    return view;
  };
  return { kernels: exports as unknown as CdKernels, heap };
}
