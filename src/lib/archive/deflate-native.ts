/**
 * Raw DEFLATE bodies for a zip, made with the platform's native `CompressionStream('deflate-raw')`
 * (zlib in the browser, streamed: each file is piped through the stream in chunks, never copied
 * whole into another buffer first), so big exports are compressed at native speed instead of
 * being stored. Where CompressionStream or its 'deflate-raw' format is missing, fflate's
 * streaming Deflate does the same in JavaScript. The bodies go to zipParts through `bodies`;
 * it keeps a body only when it is shorter than the file.
 */
import { Deflate } from 'fflate';

/** Chunks handed to the compressor: small enough to keep the worker responsive to cancel. */
const CHUNK = 1 << 20;
/** Files compressed at once (native streams run off the JS thread; a few keep them busy). */
const PARALLEL = 4;
/** Below this a file is left to zipParts (headers cost more than a stream per tiny file saves). */
export const NATIVE_MIN_BYTES = 512;

/** Chunks between two task turns (see deflateRawNative). */
const YIELD_EVERY = 4;

/** A turn of the event loop (a message task, not a clamped timer), so pending messages are read. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => (ch.port1.close(), resolve());
    ch.port2.postMessage(null);
  });
}

/** Whether `make` (a native stream with the 'deflate-raw' format) exists and accepts it. */
function supported(make: () => unknown): boolean {
  try {
    make();
    return true;
  } catch {
    return false; // missing constructor (ReferenceError) or format (TypeError)
  }
}

export function hasNativeDeflateRaw(): boolean {
  return supported(() => new CompressionStream('deflate-raw' as CompressionFormat));
}

export function hasNativeInflateRaw(): boolean {
  return supported(() => new DecompressionStream('deflate-raw' as CompressionFormat));
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/**
 * `data` through CompressionStream('deflate-raw'), written in 1 MiB chunks. `signal` is checked
 * before each chunk: a cancel stops a 2 GB database within a chunk, not after it (the stream is
 * aborted and its output dropped). `onChunk` gets the bytes of each chunk written.
 */
export async function deflateRawNative(data: Uint8Array, signal?: AbortSignal, onChunk?: (bytes: number) => void): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate-raw' as CompressionFormat);
  const out = collect(cs.readable as ReadableStream<Uint8Array>);
  const w = cs.writable.getWriter();
  try {
    for (let o = 0, n = 0; o < data.length; o += CHUNK, n++) {
      // The stream's promises settle as microtasks: without a task turn now and then, the
      // worker would read no message (a Cancel) until the whole file was compressed.
      if (signal && n % YIELD_EVERY === YIELD_EVERY - 1) await nextTask();
      signal?.throwIfAborted();
      const end = Math.min(data.length, o + CHUNK);
      await w.write(data.subarray(o, end) as Uint8Array<ArrayBuffer>);
      onChunk?.(end - o);
    }
    await w.close();
  } catch (e) {
    out.catch(() => undefined);
    await w.abort(e).catch(() => undefined);
    throw e;
  }
  return out;
}

/** `data` through fflate's streaming Deflate (the fallback), chunk by chunk; `signal` as above. */
export function deflateRawJs(data: Uint8Array, level: 1 | 6 = 1, signal?: AbortSignal, onChunk?: (bytes: number) => void): Uint8Array {
  const parts: Uint8Array[] = [];
  const d = new Deflate({ level }, (chunk) => void parts.push(chunk));
  if (data.length === 0) d.push(new Uint8Array(0), true);
  for (let o = 0; o < data.length; o += CHUNK) {
    signal?.throwIfAborted();
    const end = Math.min(data.length, o + CHUNK);
    d.push(data.subarray(o, end), end >= data.length);
    onChunk?.(end - o);
  }
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

export interface DeflateBodiesOptions {
  /** Use the JavaScript fallback even where the native stream exists (tests, benches). */
  forceJs?: boolean;
  signal?: AbortSignal;
  /** Bytes read by the compressor so far, of the total it will read. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * DEFLATE bodies of the files of at least NATIVE_MIN_BYTES, by file bytes (for zipParts'
 * `bodies`). Returns the map and which engine made them.
 */
export async function deflateBodies(files: Map<string, Uint8Array>, opts: DeflateBodiesOptions = {}): Promise<{ bodies: WeakMap<Uint8Array, Uint8Array>; engine: 'native' | 'fflate' }> {
  const native = !opts.forceJs && hasNativeDeflateRaw();
  const bodies = new WeakMap<Uint8Array, Uint8Array>();
  const todo = [...new Set([...files.entries()].filter(([name, b]) => !name.endsWith('/') && b.length >= NATIVE_MIN_BYTES).map(([, b]) => b))];
  const total = todo.reduce((n, b) => n + b.length, 0);
  let done = 0;
  const onChunk = (n: number) => opts.onProgress?.((done += n), total);
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      opts.signal?.throwIfAborted();
      const data = todo[next++];
      bodies.set(data, native ? await deflateRawNative(data, opts.signal, onChunk) : deflateRawJs(data, 1, opts.signal, onChunk));
    }
  };
  await Promise.all(Array.from({ length: native ? PARALLEL : 1 }, lane));
  return { bodies, engine: native ? 'native' : 'fflate' };
}
