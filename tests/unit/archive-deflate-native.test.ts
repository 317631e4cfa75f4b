/**
 * Big exports are compressed, not stored: raw DEFLATE bodies from the platform's
 * CompressionStream('deflate-raw') (Node has it, as browsers do) or fflate's streaming Deflate
 * where it is missing; zipParts takes them through `bodies`, and the archive reads back through
 * the lab's safe unzip, byte for byte. The Chromium journey (tests/e2e/bundles-compression.spec.ts)
 * proves it in the built lab.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inflateSync } from 'fflate';
import { deflateBodies, deflateRawJs, deflateRawNative, hasNativeDeflateRaw, NATIVE_MIN_BYTES } from '../../src/lib/archive/deflate-native';
import { zipParts } from '../../src/lib/archive/zip-write';
import { unzipSafe } from '../../src/lib/archive/safe-zip';

const join = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Text-like bytes (a metric file's shape): compressible, not trivially. */
function metricText(lines: number, seed = 1): Uint8Array {
  let x = seed;
  let s = '';
  for (let i = 0; i < lines; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    s += `${1_700_000_000_000 + i} ${(x / 2 ** 31).toString()} ${i}\n`;
  }
  return new TextEncoder().encode(s);
}

describe('native DEFLATE for big exports', () => {
  it('the native stream and the fflate fallback both inflate back to the input, for any bytes', async () => {
    expect(hasNativeDeflateRaw()).toBe(true);
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 3 << 20 }), async (data) => {
      expect(Buffer.from(inflateSync(await deflateRawNative(data))).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(inflateSync(deflateRawJs(data))).equals(Buffer.from(data))).toBe(true);
    }), { numRuns: 25 });
  });

  it('a zip over the store threshold is deflated with the bodies and reads back byte for byte', async () => {
    // The worker's threshold is 32 MiB (AUTO_STORE_ABOVE); 1 MiB here keeps the test quick.
    const over = 1 << 20;
    const files = new Map<string, Uint8Array>();
    let total = 0;
    for (let i = 0; total <= 3 * over; i++) {
      const b = metricText(40_000, i + 1);
      files.set(`mlruns/1/run${i}/metrics/loss`, b);
      total += b.length;
    }
    files.set('mlruns/1/tiny', new Uint8Array(NATIVE_MIN_BYTES - 1).fill(7));
    files.set('mlruns/1/dir/', new Uint8Array(0));
    const stored = join(zipParts(files, { method: 'auto', level: 1, autoStoreAbove: over }));
    for (const forceJs of [false, true]) {
      const { bodies, engine } = await deflateBodies(files, { forceJs });
      expect(engine).toBe(forceJs ? 'fflate' : 'native');
      const zip = join(zipParts(files, { method: 'auto', level: 1, autoStoreAbove: over, bodies }));
      // Metric text compresses to well under half; the uncompressed archive is the old behaviour.
      expect(zip.length).toBeLessThan(stored.length / 2);
      const back = unzipSafe(zip);
      for (const [name, bytes] of files) expect(Buffer.from(back.get(name)!).equals(Buffer.from(bytes)), name).toBe(true);
    }
  }, 120_000);

  it('stops between files when cancelled', async () => {
    const ctl = new AbortController();
    ctl.abort(new DOMException('The export was cancelled.', 'AbortError'));
    await expect(deflateBodies(new Map([['a', new Uint8Array(4096)]]), { signal: ctl.signal })).rejects.toThrow('cancelled');
  });

  it('a cancel reaches the inside of one big file (a whole mlflow.db): it stops within a chunk, most of the file never read', async () => {
    const big = new Uint8Array(32 << 20).map((_, i) => (i * 2654435761) >>> 24);
    for (const forceJs of [false, true]) {
      const ctl = new AbortController();
      const seen: number[] = [];
      const run = deflateBodies(new Map([['mlflow.db', big]]), {
        forceJs, signal: ctl.signal,
        onProgress: (done, total) => {
          seen.push(done);
          expect(total).toBe(big.length);
          if (seen.length === 2) ctl.abort(new DOMException('The export was cancelled.', 'AbortError'));
        },
      });
      await expect(run).rejects.toThrow('cancelled');
      // Two 1 MiB chunks were read of 32: the file was not compressed to its end first.
      expect(seen).toEqual([1 << 20, 2 << 20]);
    }
  }, 60_000);
});
