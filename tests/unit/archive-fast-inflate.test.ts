import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { ArchiveError, unzipSafe } from '../../src/lib/archive/safe-zip';
import { openZipBlob } from '../../src/lib/archive/blob-zip';
import { Scratch } from '../../src/lib/archive/zip-read-core';
import { loadInflater, type RawInflater } from '../../src/lib/archive/fast-inflate';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { crc32 } from '../../src/lib/archive/crc32';
import { rawZip } from './archive-zip-craft';

// The wasm inflater (flate2) reads small deflated entries of an import: it must give what fflate
// gives and refuse what fflate refuses, with the same rules (docs/reliability.md §3, Z5 and Z8).

const enc = new TextEncoder();
let inflater: RawInflater;
beforeAll(async () => {
  const got = await loadInflater();
  expect(got, 'the wasm module starts in Node').toBeDefined();
  inflater = got!;
});

function outcome(zip: Uint8Array, withWasm: boolean): Map<string, Uint8Array> | ArchiveError {
  try {
    return unzipSafe(zip, withWasm ? { inflater } : {});
  } catch (e) {
    if (e instanceof ArchiveError) return e;
    throw e;
  }
}

describe('the wasm inflater', () => {
  it('gives the bytes fflate gives, at every level, for text and noise (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40_000 }), fc.string({ maxLength: 3_000 }), fc.integer({ min: 0, max: 9 }), (noise, s, level) => {
      const text = enc.encode(s.repeat(1 + (s.length % 7)));
      const zip = rawZip([{ name: 'noise', data: noise, method: 8, body: deflateSync(noise, { level: level as 0 }) }, { name: 'text', data: text, method: 8, body: deflateSync(text, { level: level as 0 }) }]);
      const a = outcome(zip, true), b = outcome(zip, false);
      expect(a).toBeInstanceOf(Map);
      expect(b).toBeInstanceOf(Map);
      for (const name of ['noise', 'text']) expect(Buffer.compare((a as Map<string, Uint8Array>).get(name)!, (b as Map<string, Uint8Array>).get(name)!)).toBe(0);
    }), { numRuns: 150 });
  });

  it('Z5: refuses sizes that lie either way and a bad CRC, naming the entry', () => {
    const text = enc.encode('hello hello hello hello hello');
    for (const [over, rule] of [[{ usize: 10 }, 'size-mismatch'], [{ usize: 40 }, 'size-mismatch'], [{ localUsize: 99 }, 'size-mismatch'], [{ crc: crc32(text) ^ 1 }, 'bad-crc']] as const) {
      const e = outcome(rawZip([{ name: 'a', data: text, method: 8, ...over }]), true);
      expect(e, JSON.stringify(over)).toBeInstanceOf(ArchiveError);
      expect([(e as ArchiveError).entry, (e as ArchiveError).rule]).toEqual(['a', rule]);
    }
  });

  it('refuses damaged and truncated streams as corrupt', () => {
    const data = enc.encode('alpha beta gamma '.repeat(500));
    const body = deflateSync(data, { level: 6 });
    const cut = outcome(rawZip([{ name: 'a', data, method: 8, body: body.subarray(0, body.length >> 1) }]), true);
    expect([(cut as ArchiveError).entry, (cut as ArchiveError).rule]).toEqual(['a', 'corrupt']);
    const junk = body.slice();
    junk[0] = 0xff; // block type 3 (reserved)
    const bad = outcome(rawZip([{ name: 'a', data, method: 8, body: junk }]), true);
    expect([(bad as ArchiveError).entry, (bad as ArchiveError).rule]).toEqual(['a', 'corrupt']);
  });

  it('Z8: bit-flipped or truncated archives fail as ArchiveError, and what both readers accept is the same', () => {
    const good = zipFiles(new Map([['x/a.txt', enc.encode('alpha '.repeat(200))], ['b.bin', Uint8Array.from({ length: 300 }, (_, i) => i & 255)]]));
    fc.assert(fc.property(fc.nat(good.length - 1), fc.nat(7), fc.boolean(), (pos, bit, truncate) => {
      const bad = truncate ? good.slice(0, pos) : good.slice();
      if (!truncate) bad[pos] ^= 1 << bit;
      const a = outcome(bad, true), b = outcome(bad, false);
      if (a instanceof Map && b instanceof Map) for (const [name, bytes] of b) expect(Buffer.compare(a.get(name)!, bytes)).toBe(0);
    }), { numRuns: 1500 });
  });

  it('reads into a reused scratch buffer from a Blob, entry after entry', async () => {
    const files = new Map(Array.from({ length: 20 }, (_, i) => [`m/${i}`, enc.encode(`${i} `.repeat(100 + 50 * i))]));
    const zip = await openZipBlob(new Blob([zipFiles(files) as Uint8Array<ArrayBuffer>]), { inflater });
    const scratch = new Scratch();
    for (const en of zip.entries) expect(new TextDecoder().decode(await zip.read(en, scratch))).toBe(new TextDecoder().decode(files.get(en.name)!));
  });
});
