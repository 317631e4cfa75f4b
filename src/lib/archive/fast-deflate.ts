/**
 * DEFLATE for the many small files of an export (a 1,000-run lab has ~10,000 metric files of
 * ~37 KB, 372 MB of text), where compressing was the export's biggest CPU cost: line-deflate.ts,
 * a DEFLATE writer in TypeScript made for metric text. Measured on bench-like metric files (Node
 * 20, this 2-core machine, busy): 240-300 MB/s with the CRC-32, 2.3-2.7× flate2's level 1 in
 * WebAssembly (@hazae41/foras, 100-130 MB/s there, ~160 MB/s on a quiet machine), and 13-16%
 * smaller; flate2 inflates its output ~20% faster. Before that module came the browser's
 * CompressionStream (68 MB/s) and fflate's level 1 (71 MB/s). The import still inflates with
 * flate2 (fast-inflate.ts).
 *
 * Big files (artifacts, an mlflow.db) stay with the streamed native compressor
 * (deflate-native.ts): line-deflate keeps one output buffer, as big as the biggest output so
 * far, between calls; this one takes files up to PACK_MAX_BYTES.
 */
import { deflateLines } from './line-deflate';
import type { PackedFile } from './zip-write';

/** Files above this are left to the streamed compressor (see the header). */
export const PACK_MAX_BYTES = 4 << 20;

/** Raw DEFLATE (no zlib or gzip wrapper) of `data`, with the CRC-32 of `data`. */
export type Deflater = (data: Uint8Array) => { deflated: Uint8Array; crc: number };

/** The deflater. Asynchronous as when it was a wasm module to start, so callers need not change. */
export function loadDeflater(): Promise<Deflater> {
  return Promise.resolve(deflateLines);
}

/**
 * `data` as a zip entry deflated now (size, CRC-32 and body), or `data` itself when deflating
 * does not make it smaller (zipParts then stores it).
 */
export function packFile(data: Uint8Array, deflate: Deflater): PackedFile | Uint8Array {
  if (data.length === 0) return data;
  const { deflated, crc } = deflate(data);
  return deflated.length < data.length ? { size: data.length, crc, deflated } : data;
}
