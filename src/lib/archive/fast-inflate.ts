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

/**
 * Inflates `data` (raw DEFLATE) and copies the output into `into(n)` (n: its length), freeing
 * the module's memory before returning that view. Throws on damaged data.
 */
export type RawInflater = (data: Uint8Array, into: (n: number) => Uint8Array) => Uint8Array;

/** The wasm inflater, or undefined where the module cannot start (fflate then does the work). */
export async function loadInflater(): Promise<RawInflater | undefined> {
  const foras = await loadForas();
  if (!foras) return undefined;
  return (data, into) => {
    const input = new foras.Memory(data);
    let output: InstanceType<typeof foras.Memory> | undefined;
    try {
      output = foras.inflate(input);
      const out = into(output.len());
      out.set(output.bytes);
      return out;
    } finally {
      input.free();
      output?.free();
    }
  };
}
