/**
 * The kernels of cd-kernels.ts as WebAssembly SIMD (f64x2), built here as a 2.3 KB module at
 * first use. V8 runs the JS loops at about 3 cycles per element (bounds checks, no vectors);
 * these run the same arithmetic two lanes at a time. White wine's fit (Node 20): 0.13 ms
 * instead of 0.5, its solver's passes about 4× faster.
 *
 * Same bits as the JS kernels: wasm's f64x2 add/sub/mul are IEEE-exact per lane and never fused
 * into FMA, each element gets the same operations in the same order, and every sum keeps the JS
 * kernels' accumulators: the dot products' four (element i into accumulator i mod 4, the tail
 * into the first; [s0 s1] and [s2 s3] are two f64x2) and (s0+s1)+(s2+s3), numpy's pairwise
 * block's eight ([r0 r1] … [r6 r7]). tests/unit/ml-cd-kernels.test.ts checks this bit for bit.
 *
 * Every kernel has one signature over the module's memory, offsets in Float64 elements:
 * (a, p, b, c, r, n), unused arguments ignored (see CdKernels).
 */
import type { CdKernels, CdWorkspace } from './cd-kernels';

/** A vector kernel's shape: which of r −= a, r −= a·x[p], r += b·x[c], Σ x[c]·r it does. */
interface KernelShape { shift?: boolean; sub?: boolean; add?: boolean; dot?: boolean }

const SHAPES: Record<Exclude<keyof CdKernels, 'gather' | 'blockSum'>, KernelShape> = {
  subAxpyDot: { sub: true, add: true, dot: true },
  subDot: { sub: true, dot: true },
  axpyDot: { add: true, dot: true },
  dot: { dot: true },
  axpy: { add: true },
  shift: { shift: true },
};

// Opcodes (WebAssembly core spec §5.4 and the fixed-width SIMD proposal); SIMD ones follow 0xfd.
const F64 = 0x7c, I32 = 0x7f, V128 = 0x7b;
const GET = 0x20, SET = 0x21, I32_CONST = 0x41, I32_ADD = 0x6a, I32_AND = 0x71, I32_SHL = 0x74, I32_SHR_U = 0x76, I32_GE_U = 0x4f, I32_LOAD = 0x28;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const F64_LOAD = 0x2b, F64_STORE = 0x39, F64_CONST = 0x44, F64_ADD = 0xa0, F64_SUB = 0xa1, F64_MUL = 0xa2;
const simd = (op: number) => [0xfd, ...uleb(op)];
const V_LOAD = simd(0x00), V_STORE = simd(0x0b), SPLAT = simd(0x14), V_ADD = simd(0xf0), V_SUB = simd(0xf1), V_MUL = simd(0xf2);
const lane = (i: number) => [...simd(0x21), i];
/** memarg: alignment 2^3 (columns start at any multiple of 8 bytes), then a constant byte offset. */
const mem = (offset: number, align = 3) => [align, ...uleb(offset)];

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
/** Signed LEB128 (i32.const's immediate): 64 takes two bytes, as bit 6 is the sign. */
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const name = (s: string) => vec([...s].map((ch) => [ch.charCodeAt(0)]));

// Locals: params, then the kernel's own (indices fixed by the declaration in `body`).
const A = 0, P = 1, B = 2, C = 3, R = 4, N = 5;
const K = 6, END4 = 7, NBYTES = 8, VA = 9, VB = 10, ACC01 = 11, ACC23 = 12, VC = 13, VR = 14, S0 = 15, SC = 16, SR = 17;

/** The byte address of element k/8 of the range at `base`: the offsets are made bytes on entry. */
const addr = (base: number) => [GET, base, GET, K, I32_ADD];
const toBytes = (local: number) => [GET, local, I32_CONST, 3, I32_SHL, SET, local];

const ZERO = [F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0];
// K END4 NBYTES | VA VB ACC01 ACC23 VC VR | S0 SC SR
const LOCALS = vec([[3, I32], [6, V128], [3, F64]]);
const fn = (code: number[]) => [...uleb(LOCALS.length + code.length), ...LOCALS, ...code];
const writes = (s: KernelShape) => s.shift || s.sub || s.add;

function body(s: KernelShape): number[] {
  const half = (off: number, acc: number) => [
    ...(s.add || s.dot ? [...addr(C), ...V_LOAD, ...mem(off), SET, VC] : []),
    ...addr(R), ...V_LOAD, ...mem(off), SET, VR,
    ...(s.shift ? [GET, VR, GET, VA, ...V_SUB, SET, VR] : []),
    ...(s.sub ? [GET, VR, GET, VA, ...addr(P), ...V_LOAD, ...mem(off), ...V_MUL, ...V_SUB, SET, VR] : []),
    ...(s.add ? [GET, VR, GET, VB, GET, VC, ...V_MUL, ...V_ADD, SET, VR] : []),
    ...(writes(s) ? [...addr(R), GET, VR, ...V_STORE, ...mem(off)] : []),
    ...(s.dot ? [GET, acc, GET, VC, GET, VR, ...V_MUL, ...V_ADD, SET, acc] : []),
  ];
  const code = [
    ...toBytes(P), ...toBytes(C), ...toBytes(R),
    GET, A, ...SPLAT, SET, VA,
    GET, B, ...SPLAT, SET, VB,
    ...ZERO, ...SPLAT, SET, ACC01,
    ...ZERO, ...SPLAT, SET, ACC23,
    GET, N, I32_CONST, ...sleb(-4), I32_AND, I32_CONST, 3, I32_SHL, SET, END4,
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
    ...(s.add || s.dot ? [...addr(C), F64_LOAD, ...mem(0), SET, SC] : []),
    ...addr(R), F64_LOAD, ...mem(0), SET, SR,
    ...(s.shift ? [GET, SR, GET, A, F64_SUB, SET, SR] : []),
    ...(s.sub ? [GET, SR, GET, A, ...addr(P), F64_LOAD, ...mem(0), F64_MUL, F64_SUB, SET, SR] : []),
    ...(s.add ? [GET, SR, GET, B, GET, SC, F64_MUL, F64_ADD, SET, SR] : []),
    ...(writes(s) ? [...addr(R), GET, SR, F64_STORE, ...mem(0)] : []),
    ...(s.dot ? [GET, S0, GET, SC, GET, SR, F64_MUL, F64_ADD, SET, S0] : []),
    GET, K, I32_CONST, 8, I32_ADD, SET, K, BR, 0,
    END, END,
    // (s0 + s1) + (s2 + s3)
    GET, S0, GET, ACC01, ...lane(1), F64_ADD,
    GET, ACC23, ...lane(0), GET, ACC23, ...lane(1), F64_ADD, F64_ADD,
    END,
  ];
  return fn(code);
}

/** r[i] = x[p + rows[i]] for i < n, rows being n Int32 values stored from element offset c on. */
function gatherBody(): number[] {
  return fn([
    ...toBytes(P), ...toBytes(C), ...toBytes(R),
    GET, N, I32_CONST, 3, I32_SHL, SET, NBYTES,
    BLOCK, VOID, LOOP, VOID,
    GET, K, GET, NBYTES, I32_GE_U, BR_IF, 1,
    ...addr(R),
    GET, P, GET, C, GET, K, I32_CONST, 1, I32_SHR_U, I32_ADD, I32_LOAD, ...mem(0, 2), I32_CONST, 3, I32_SHL, I32_ADD,
    F64_LOAD, ...mem(0), F64_STORE, ...mem(0),
    GET, K, I32_CONST, 8, I32_ADD, SET, K, BR, 0,
    END, END,
    ...ZERO, END,
  ]);
}

/**
 * numpy's pairwise block (n ≥ 8): eight running sums r0..r7 started from x[c..c+7] and fed every
 * eighth element ([r0 r1] … [r6 r7] are four f64x2), ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then
 * the last n mod 8 elements one by one, as pairwiseSumF64 does.
 */
function blockSumBody(): number[] {
  const v = [VA, VB, ACC01, ACC23];
  const pair = (l: number) => [GET, l, ...lane(0), GET, l, ...lane(1), F64_ADD];
  return fn([
    ...toBytes(C),
    ...v.flatMap((l, i) => [...addr(C), ...V_LOAD, ...mem(16 * i), SET, l]),
    GET, N, I32_CONST, ...sleb(-8), I32_AND, I32_CONST, 3, I32_SHL, SET, END4,
    GET, N, I32_CONST, 3, I32_SHL, SET, NBYTES,
    I32_CONST, ...sleb(64), SET, K,
    BLOCK, VOID, LOOP, VOID,
    GET, K, GET, END4, I32_GE_U, BR_IF, 1,
    ...v.flatMap((l, i) => [GET, l, ...addr(C), ...V_LOAD, ...mem(16 * i), ...V_ADD, SET, l]),
    GET, K, I32_CONST, ...sleb(64), I32_ADD, SET, K, BR, 0,
    END, END,
    ...pair(VA), ...pair(VB), F64_ADD, ...pair(ACC01), ...pair(ACC23), F64_ADD, F64_ADD, SET, S0,
    BLOCK, VOID, LOOP, VOID,
    GET, K, GET, NBYTES, I32_GE_U, BR_IF, 1,
    GET, S0, ...addr(C), F64_LOAD, ...mem(0), F64_ADD, SET, S0,
    GET, K, I32_CONST, 8, I32_ADD, SET, K, BR, 0,
    END, END,
    GET, S0, END,
  ]);
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const vector = Object.keys(SHAPES) as (keyof typeof SHAPES)[];
  const names = [...vector, 'gather', 'blockSum'];
  const bodies = [...vector.map((n) => body(SHAPES[n])), gatherBody(), blockSumBody()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[F64], [I32], [F64], [I32], [I32], [I32]]), ...vec([[F64]])]])),
    ...section(3, vec(names.map(() => [0]))),
    ...section(5, vec([[0x00, 1]])), // one memory, 1 page to start, grown on demand
    ...section(7, vec([...names.map((n, i) => [...name(n), 0x00, i]), [...name('memory'), 0x02, 0]])),
    ...section(10, vec(bodies)),
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
