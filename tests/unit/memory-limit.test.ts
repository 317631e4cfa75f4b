import { setFlagsFromString } from 'node:v8';
import { createContext, runInContext, type Context } from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkMemoryLimitMB, DEFAULT_MEMORY_LIMIT_MB, installMemoryGuard, memoryGuardScript, type MemoryGuard } from '../../src/lib/projects/memory-limit';

// Each test gets a fresh realm (node:vm) standing in for the sandbox's worker: the guard is
// installed from the same text the lab sends (memoryGuardScript), so a guard that leaned on
// anything outside its own body would fail here as it would in the sandbox. `gc` lets the tests
// show that memory dropped and collected is given back.
setFlagsFromString('--expose-gc');
const MB = 1 << 20;

function realm(limitMB: number): { ctx: Context; guard: MemoryGuard; heard: string[]; run: <T = unknown>(code: string) => T } {
  const ctx = createContext({});
  runInContext('var self = globalThis;', ctx);
  runInContext(memoryGuardScript(), ctx);
  const heard: string[] = [];
  const install = runInContext('(() => { const f = self.mfflowInstallMemoryGuard; delete self.mfflowInstallMemoryGuard; return f; })()', ctx) as typeof installMemoryGuard;
  const guard = install(runInContext('globalThis', ctx) as typeof globalThis, limitMB * MB, (m) => heard.push(m));
  return { ctx, guard, heard, run: <T,>(code: string) => runInContext(code, ctx) as T };
}

const ticks = () => new Promise((r) => setTimeout(r, 0));

describe('script memory limit: counting constructors', () => {
  it('stops a loop keeping Float64Arrays at the limit, synchronously, naming the limit and the size', () => {
    const { run, heard, guard } = realm(256);
    const out = run<{ kept: number; error: string; name: string; instance: boolean }>(`
      const kept = [];
      let error = '', name = '';
      try { for (;;) kept.push(new Float64Array(1e7)); } catch (e) { error = e.message; name = e.name; }
      ({ kept: kept.length, error, name, instance: kept[0] instanceof Float64Array });
    `);
    // 80 MB each: three fit under 256 MB, the fourth would make 306 MB.
    expect(out).toEqual({ kept: 3, error: 'memory limit: this script would use 306 MB, the limit is 256 MB', name: 'RangeError', instance: true });
    expect(heard).toEqual([out.error]);
    expect(guard.exceeded()).toBe(out.error);
    expect(guard.bufferBytes()).toBe(3 * 8e7);
  });

  it('counts ArrayBuffer, slice, from, of, copies and subclasses; views of a buffer allocate nothing', () => {
    const { run, guard } = realm(1024);
    const bytes = (code: string) => {
      const before = guard.bufferBytes();
      run(code);
      return guard.bufferBytes() - before;
    };
    run('var a = new Float32Array(1000);');
    expect(guard.bufferBytes()).toBe(4000);
    expect(bytes('var b = new ArrayBuffer(5000);')).toBe(5000);
    expect(bytes('var s = b.slice(0, 3000);')).toBe(3000);
    expect(bytes('var c = a.slice(0, 500);')).toBe(2000);
    expect(bytes('var m = a.map((x) => x + 1);')).toBe(4000);
    expect(bytes('var f = Float64Array.from({ length: 100 }, (_, i) => i);')).toBe(800);
    expect(bytes('var o = Int32Array.of(...Array(50).keys());')).toBe(200);
    expect(bytes('var copy = new Uint8Array(a);')).toBe(1000);
    expect(bytes('var it = new Int16Array(new Set(Array(100).keys()));')).toBe(200);
    expect(bytes('class Mine extends Float64Array { get first() { return this[0]; } }; var mine = new Mine(200);')).toBe(1600);
    expect(bytes('var v1 = a.subarray(10, 900); var v2 = new Uint8Array(b, 8, 100); var d = new DataView(b);')).toBe(0);
    expect(bytes('var tiny = new Float64Array(8);')).toBe(0); // 64 bytes: in V8's heap, under its own limit
    expect(run('[mine instanceof Mine && mine instanceof Float64Array, mine.first, m instanceof Float32Array, ArrayBuffer.isView(v1), s instanceof ArrayBuffer]')).toEqual([true, 0, true, true, true]);
  });

  it('keeps what code relies on: statics, prototypes, constructor identity, errors of bad calls', () => {
    const { run } = realm(64);
    expect(run(`[
      Float64Array.BYTES_PER_ELEMENT, Uint8Array.name, Float32Array.length,
      new Float64Array(2).constructor === Float64Array, Object.getPrototypeOf(new Int8Array(100)) === Int8Array.prototype,
      Float64Array.prototype.BYTES_PER_ELEMENT, typeof ArrayBuffer.isView, Object.prototype.toString.call(new Uint8Array(1)),
    ]`)).toEqual([8, 'Uint8Array', 3, true, true, 8, 'function', '[object Uint8Array]']);
    expect(() => run('Float64Array(3)')).toThrow("Constructor Float64Array requires 'new'");
    expect(() => run('new Float64Array(-1)')).toThrow('Invalid typed array length: -1');
  });

  it('leaves the originals out of reach: constructor, species and %TypedArray% all lead back to the counting proxies', () => {
    const { run } = realm(64);
    expect(run(`'use strict'; [
      new Float64Array(100).constructor === Float64Array,
      Object.getPrototypeOf(Float64Array.prototype).constructor === Object.getPrototypeOf(Float64Array),
      new ArrayBuffer(8).constructor === ArrayBuffer,
    ]`)).toEqual([true, true, true]);
    for (const evasion of [
      "Float64Array.prototype.constructor = undefined",
      "Object.defineProperty(Float64Array, Symbol.species, { value: undefined })",
      "Object.defineProperty(Object.getPrototypeOf(Float64Array), Symbol.species, { value: undefined })",
      "Object.defineProperty(ArrayBuffer, Symbol.species, { value: undefined })",
    ]) expect(() => run(`'use strict'; ${evasion}`), evasion).toThrow(/read only|Cannot redefine|not extensible/);
    // So a slice still counts, and over the limit still stops.
    expect(() => run('const big = new Float64Array(5e6); big.slice();')).toThrow('memory limit: this script would use 77 MB, the limit is 64 MB');
  });

  it('gives memory back when the garbage collector reclaims it: allocating and dropping past the limit is not stopped', async () => {
    const { run, guard } = realm(100);
    run('var total = 0;');
    for (let i = 0; i < 12; i++) {
      run('total += new Float64Array(5e6).length * 8;'); // 40 MB, dropped at once
      run('gc()');
      await ticks(); // the registry's callbacks run in a task of their own
    }
    expect(run<number>('total')).toBe(480e6);
    expect(guard.exceeded()).toBeNull();
    expect(guard.bufferBytes()).toBeLessThanOrEqual(100 * MB);
  });

  it('adds bytes counted elsewhere (TF.js tensors) to the total', () => {
    const { run, guard } = realm(100);
    run('var keep = new Float64Array(5e6);');
    expect(() => guard.check(50 * MB)).not.toThrow();
    expect(() => guard.check(70 * MB)).toThrow('memory limit: this script would use 109 MB, the limit is 100 MB');
    guard.check(0);
    expect(() => run('new Float64Array(5e6)')).not.toThrow();
  });
});

describe('script memory limit: TF.js tensors', () => {
  it('throws from the tf call that takes tensor memory over the limit; disposed tensors give it back', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numBytes;
    // The guard is installed in a realm of its own; only its tensor watch is used on this tf.
    const { guard } = realm(before / MB + 20);
    guard.watchTf(tf);
    let kept = 0;
    let error: unknown = null;
    // In a tidy, so the tensors made before the throw are disposed when it unwinds.
    try {
      tf.tidy(() => {
        for (let i = 0; i < 10; i++, kept++) tf.zeros([1e6]); // 4 MB each
      });
    } catch (e) {
      error = e;
    }
    expect(kept).toBe(5);
    // A RangeError of the guard's realm, as the sandbox's script would catch it.
    expect((error as Error).name).toBe('RangeError');
    expect((error as Error).message).toMatch(/^memory limit: this script would use 2\d MB, the limit is 2\d MB$/);
    expect(tf.memory().numBytes).toBe(before);
    // Disposed tensors count no more: the next tf call under the limit works.
    expect(tf.tidy(() => tf.ones([1e6]).sum().dataSync()[0])).toBe(1e6);
  });
});

describe('checkMemoryLimitMB', () => {
  it('gives the default, takes megabytes in range, names the problem otherwise', () => {
    expect(checkMemoryLimitMB(undefined)).toBe(DEFAULT_MEMORY_LIMIT_MB);
    expect(checkMemoryLimitMB(512)).toBe(512);
    expect(() => checkMemoryLimitMB(0)).toThrow('memoryLimitMB must be a number of megabytes from 16 to 65536; got 0.');
    expect(() => checkMemoryLimitMB('1GB')).toThrow('got "1GB"');
    expect(() => checkMemoryLimitMB(Number.NaN, 'Memory limit (MB)')).toThrow('Memory limit (MB) must be');
  });
});
