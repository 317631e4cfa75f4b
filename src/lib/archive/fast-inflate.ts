/**
 * Raw INFLATE of the many small entries of an import (a 1,000-run lab: 10,000 run metric files
 * of ~11 KB compressed, 372 MB of text) with flate2 in WebAssembly: measured on those files
 * (Node 20, this 2-core machine), 367 ms against fflate's 736 ms for 2,000 of them, which made
 * inflating most of the import's worker time.
 *
 * One call inflates a whole entry into the module's memory, which only grows; so it is used only
 * for entries compressed to at most SMALL_ENTRY bytes (64 KiB), which DEFLATE cannot expand past
 * ~66 MB, and the output is checked against the declared size right after (zip-read-core.ts).
 */
import { loadForas } from './wasm-flate';

export interface RawInflater {
  /**
   * Inflates `data` (raw DEFLATE) and copies the output into `into(n)` (n: its length), freeing
   * the module's memory before returning that view. Throws on damaged data.
   */
  inflate(data: Uint8Array, into: (n: number) => Uint8Array): Uint8Array;
  /**
   * The same, with the size and CRC-32 checked inside the module: `data` goes in as the body of
   * a gzip member whose trailer holds `size` and `crc`, which flate2 checks as it reads (a tenth
   * less time than inflating and then running crc32.ts over 372 MB). Throws on any mismatch
   * without saying which: the caller reads the entry again with `inflate` to name it.
   */
  inflateChecked(data: Uint8Array, size: number, crc: number, into: (n: number) => Uint8Array): Uint8Array;
}

/** gzip's fixed header: deflate, no flags, no time, unknown OS. */
const GZIP_HEADER = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/** The wasm inflater, or undefined where the module cannot start (fflate then does the work). */
export async function loadInflater(): Promise<RawInflater | undefined> {
  const foras = await loadForas();
  if (!foras) return undefined;
  let frame = new Uint8Array(1 << 16);
  const run = (input: InstanceType<typeof foras.Memory>, gz: boolean, into: (n: number) => Uint8Array) => {
    let output: InstanceType<typeof foras.Memory> | undefined;
    try {
      output = gz ? foras.gunzip(input) : foras.inflate(input);
      const out = into(output.len());
      out.set(output.bytes);
      return out;
    } finally {
      input.free();
      output?.free();
    }
  };
  return {
    inflate: (data, into) => run(new foras.Memory(data), false, into),
    inflateChecked(data, size, crc, into) {
      const n = data.length + 18;
      if (frame.length < n) frame = new Uint8Array(Math.max(n, frame.length * 2));
      frame.set(GZIP_HEADER);
      frame.set(data, 10);
      const trailer = new DataView(frame.buffer, data.length + 10, 8);
      trailer.setUint32(0, crc, true);
      trailer.setUint32(4, size, true); // ISIZE is the size mod 2^32; entries here stay far below
      return run(new foras.Memory(frame.subarray(0, n)), true, into);
    },
  };
}
