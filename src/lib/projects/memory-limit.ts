/**
 * The memory limit of scripts (the editor, a project's JavaScript entry point, `mfflow.runScript`).
 * No browser lets the lab read a worker's memory in time, so the script's worker counts what it
 * allocates itself: before the script runs, `installMemoryGuard` replaces the ArrayBuffer and
 * typed-array constructors of the worker's global scope with counting proxies, and the worker
 * adds TF.js's tensor bytes (`tf.memory().numBytes`) through `watchTf`. Plain JS objects and
 * strings live in V8's heap, whose own limit ends the worker; the lab notices that through the
 * sandbox's heartbeat ("the script ran out of memory").
 *
 * `installMemoryGuard` is sent to the sandbox as text (`memoryGuardScript`), where it runs in an
 * opaque-origin worker that cannot import the lab's modules: it must stay self-contained (no
 * reference to anything outside its own body but globals of a worker).
 */
import { invalid } from '../util/errors';

export const DEFAULT_MEMORY_LIMIT_MB = 1024;
export const MIN_MEMORY_LIMIT_MB = 16;
export const MAX_MEMORY_LIMIT_MB = 65536;

/** A limit given by a caller or typed in the editor, checked where it is given. */
export function checkMemoryLimitMB(value: unknown, what = 'memoryLimitMB'): number {
  if (value === undefined) return DEFAULT_MEMORY_LIMIT_MB;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_MEMORY_LIMIT_MB || value > MAX_MEMORY_LIMIT_MB) {
    throw invalid(`${what} must be a number of megabytes from ${MIN_MEMORY_LIMIT_MB} to ${MAX_MEMORY_LIMIT_MB}; got ${typeof value === 'number' ? value : JSON.stringify(value) ?? typeof value}.`);
  }
  return value;
}

export interface MemoryGuard {
  /** The constructors as they were (by global name), for the lab's own code that must not be counted (TF.js, whose tensors `watchTf` counts). */
  readonly originals: Record<string, unknown>;
  /** Bytes of ArrayBuffer memory the script holds through the wrapped constructors, as far as the garbage collector has said. */
  bufferBytes(): number;
  /** Bytes counted elsewhere (TF.js tensors): sets them, and throws the limit's RangeError when the total is over. */
  check(externalBytes?: number): void;
  /** The first breach's message, or null. */
  exceeded(): string | null;
  /** Counts `tf.memory().numBytes` after every kernel and tensor TF.js makes (the script's calls into `tf`). */
  watchTf(tf: unknown): void;
}

/**
 * Replaces `ArrayBuffer`, `SharedArrayBuffer` and every typed-array constructor of `scope` with
 * counting proxies (`instanceof`, statics, prototypes and subclassing as before). A constructor
 * call that would take the live total over `limitBytes` throws a RangeError naming both sizes
 * and allocates nothing; `onExceeded` hears of it (once per breach) even when the script catches
 * it. Bytes are given back when the garbage collector reclaims a buffer (FinalizationRegistry):
 * memory dropped by a script counts until then. Arrays of 64 bytes or less are not counted (V8
 * keeps them in its heap, under its own limit). The originals stay in this closure; their
 * prototypes' `constructor` is the proxy, so `slice`, `map`, `from` and `of` are counted too.
 */
export function installMemoryGuard(scope: typeof globalThis, limitBytes: number, onExceeded?: (message: string) => void): MemoryGuard {
  const O = scope.Object;
  const R = scope.Reflect;
  const construct = R.construct;
  const apply = R.apply;
  const getProto = O.getPrototypeOf;
  const defineProperty = O.defineProperty;
  const freeze = O.freeze;
  const RangeErr = scope.RangeError;
  const { ceil, floor, round } = scope.Math;
  const toNumber = scope.Number;
  const MB = 1048576;
  const SMALL = 64;
  const getter = (proto: object, name: string) => O.getOwnPropertyDescriptor(proto, name)!.get!;
  let live = 0;
  let external = 0;
  let breach: string | null = null;
  const FR = scope.FinalizationRegistry;
  const registry = typeof FR === 'function' ? new FR<number>((bytes) => { live -= bytes; }) : null;
  const register = registry ? FR.prototype.register : null;

  const fail = (more: number): Error => {
    const message = `memory limit: this script would use ${ceil((live + external + more) / MB)} MB, the limit is ${round(limitBytes / MB)} MB`;
    breach = breach ?? message;
    if (onExceeded) onExceeded(message);
    return new RangeErr(message);
  };
  const admit = (more: number) => {
    if (live + external + more > limitBytes) throw fail(more);
  };
  const track = (buffer: object, bytes: number) => {
    // Without a registry nothing would ever be given back: count nothing rather than stop scripts wrongly.
    if (!registry || !register || bytes <= SMALL) return;
    live += bytes;
    apply(register, registry, [buffer, bytes]);
  };
  const asCount = (v: unknown) => {
    const n = toNumber(v);
    return n > 0 && n < Infinity ? floor(n) : 0;
  };

  const originals: Record<string, unknown> = O.create(null) as Record<string, unknown>;
  type Ctor = new (...a: unknown[]) => object;
  /** `allocate(target, args, newTarget)` runs for `new` (and `super()` of a subclass); a plain `new` makes an instance of the original. */
  const wrap = (name: string, Orig: Ctor, allocate: (target: Ctor, args: unknown[], newTarget: Ctor) => object) => {
    const proxy: Ctor = new Proxy(Orig, { construct: (target, args, newTarget) => allocate(target, args, newTarget === proxy ? target : newTarget as Ctor) });
    originals[name] = Orig;
    // `x.constructor` and species lookups (slice, map, filter, from, of) find the proxy, never the original.
    defineProperty(Orig.prototype, 'constructor', { value: proxy, writable: false, enumerable: false, configurable: false });
    freeze(Orig);
    defineProperty(scope, name, { value: proxy, writable: true, enumerable: false, configurable: true });
  };
  const globals = scope as unknown as Record<string, unknown>;

  const bufferLengths: ((b: object) => number)[] = [];
  for (const name of ['ArrayBuffer', 'SharedArrayBuffer']) {
    const Orig = globals[name] as Ctor | undefined;
    if (typeof Orig !== 'function') continue;
    const byteLength = getter(Orig.prototype, 'byteLength');
    bufferLengths.push((b) => apply(byteLength, b, []) as number);
    wrap(name, Orig, (target, args, newTarget) => {
      admit(asCount(args[0]));
      const buffer = construct(target, args, newTarget);
      track(buffer, apply(byteLength, buffer, []) as number);
      return buffer;
    });
  }

  const isBuffer = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return false;
    for (const len of bufferLengths) {
      try { len(v); return true; } catch { /* not this kind of buffer */ }
    }
    return false;
  };
  const TypedArray = getProto(globals.Uint8Array) as { prototype: object };
  const taBuffer = getter(TypedArray.prototype, 'buffer');
  const taByteLength = getter(TypedArray.prototype, 'byteLength');
  for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Float16Array', 'Int32Array', 'Uint32Array',
    'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']) {
    const Orig = globals[name] as (Ctor & { BYTES_PER_ELEMENT: number }) | undefined;
    if (typeof Orig !== 'function') continue;
    const size = Orig.BYTES_PER_ELEMENT;
    wrap(name, Orig, (target, args, newTarget) => {
      const first = args[0];
      // A view of a buffer that exists allocates nothing.
      if (isBuffer(first)) return construct(target, args, newTarget);
      // A length is checked before anything is allocated; copies of arrays and iterables once their size is known.
      if (typeof first !== 'object' || first === null) admit(asCount(first) * size);
      const array = construct(target, args, newTarget);
      const bytes = apply(taByteLength, array, []) as number;
      if (bytes > SMALL) {
        admit(bytes);
        track(apply(taBuffer, array, []) as object, bytes);
      }
      return array;
    });
  }
  // An own @@species on %TypedArray% would send slice() and map() to the originals.
  freeze(TypedArray);

  const guard: MemoryGuard = {
    originals,
    bufferBytes: () => live,
    check(externalBytes?: number) {
      if (externalBytes !== undefined) external = externalBytes;
      admit(0);
    },
    exceeded: () => breach,
    watchTf(tf: unknown) {
      const t = tf as { engine?: () => Record<string, unknown>; memory?: () => { numBytes: number } };
      if (!t || typeof t.engine !== 'function' || typeof t.memory !== 'function') return;
      const memory = t.memory;
      const engine = t.engine();
      // The engine's own counter when it has one (tf.memory() builds an object per call); read each time, as a reset replaces `state`.
      const tensorBytes = () => {
        const state = engine.state as { numBytes?: unknown } | undefined;
        return state && typeof state.numBytes === 'number' ? state.numBytes : apply(memory, tf, []).numBytes;
      };
      // Every op's outputs come out of runKernel; tf.tensor(), zeros, random* out of makeTensor.
      for (const method of ['runKernel', 'makeTensor']) {
        const own = engine[method];
        if (typeof own !== 'function') continue;
        engine[method] = function (this: unknown, ...args: unknown[]) {
          const out = apply(own as (...a: unknown[]) => unknown, this, args);
          guard.check(tensorBytes());
          return out;
        };
      }
    },
  };
  return freeze(guard);
}

/**
 * The guard as a classic script: it defines `self.mfflowInstallMemoryGuard`, which the sandbox's
 * worker takes (and deletes) before the script runs.
 */
export function memoryGuardScript(): string {
  return `self.mfflowInstallMemoryGuard = ${String(installMemoryGuard)};\n`;
}
