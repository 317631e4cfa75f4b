/**
 * DEFLATE at level 1 for the many small files of an export (a 1,000-run lab has ~10,000 metric
 * files of ~37 KB, 372 MB of text): flate2's deflate compiled to WebAssembly (@hazae41/foras).
 * Measured on that text (Node 20, this 2-core machine): 159 MB/s, against 68 MB/s for the
 * browser's CompressionStream (zlib at its fixed level 6, and more per-stream overhead on small
 * files) and 71 MB/s for fflate at level 1; the zip is ~7% bigger than at level 6.
 *
 * The wasm memory of a module only grows, so big files (artifacts, an mlflow.db) stay with the
 * streamed native compressor (deflate-native.ts); this one takes files up to PACK_MAX_BYTES.
 * Where the wasm module cannot start, fflate's level 1 does the same job in JavaScript.
 */
import { deflateSync } from 'fflate';
import { crc32 } from './crc32';
import type { PackedFile } from './zip-write';
import { loadForas } from './wasm-flate';

/** Files above this are left to the streamed compressor (see the header). */
export const PACK_MAX_BYTES = 4 << 20;

/** Raw DEFLATE (no zlib or gzip wrapper) of `data`, level 1, with the CRC-32 of `data`. */
export type Deflater = (data: Uint8Array) => { deflated: Uint8Array; crc: number };

let loading: Promise<Deflater> | undefined;

function fflateLevel1(data: Uint8Array): { deflated: Uint8Array; crc: number } {
  return { deflated: deflateSync(data, { level: 1 }), crc: crc32(data) };
}

/**
 * The wasm deflater, started once per worker; fflate's when the module cannot load. It writes a
 * gzip member and keeps its body: the trailer's CRC-32, computed by flate2 as it reads, spares a
 * second pass over 372 MB in crc32.ts (a tenth of the export's deflating time).
 */
export function loadDeflater(): Promise<Deflater> {
  loading ??= loadForas().then((foras) => {
    if (!foras) return fflateLevel1;
    return (data: Uint8Array) => {
      const input = new foras.Memory(data);
      let g: Uint8Array;
      try {
        g = foras.gzip(input, 1).copyAndDispose();
      } finally {
        input.free();
      }
      // flate2 writes a bare 10-byte header (FLG 0: no name, no extra) and an 8-byte trailer
      // (CRC-32, size). Anything else would be another flate2; then the JavaScript route.
      const trailer = g.length >= 18 ? new DataView(g.buffer, g.byteOffset + g.length - 8, 8) : undefined;
      if (!trailer || g[3] !== 0 || trailer.getUint32(4, true) !== data.length % 2 ** 32) return fflateLevel1(data);
      return { deflated: g.subarray(10, g.length - 8), crc: trailer.getUint32(0, true) };
    };
  });
  return loading;
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
