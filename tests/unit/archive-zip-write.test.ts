import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32 } from '../../src/lib/archive/crc32';
import { unzipSafe } from '../../src/lib/archive/safe-zip';
import { zipFiles, zipParts } from '../../src/lib/archive/zip-write';

const enc = new TextEncoder();

/** The textbook bit-at-a-time CRC-32 (IEEE, reflected), as the reference. */
function bitwiseCrc(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Compression method of each local header, by name. */
function methods(zip: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let o = 0; v.getUint32(o, true) === 0x04034b50;) {
    const nameLen = v.getUint16(o + 26, true);
    out.set(new TextDecoder().decode(zip.subarray(o + 30, o + 30 + nameLen)), v.getUint16(o + 8, true));
    o += 30 + nameLen + v.getUint32(o + 18, true);
  }
  return out;
}

describe('crc32', () => {
  it('matches the check value and the bitwise definition, in one piece or two', () => {
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (data, cut) => {
      const k = data.length ? cut % (data.length + 1) : 0;
      expect(crc32(data)).toBe(bitwiseCrc(data));
      expect(crc32(data.subarray(k), crc32(data.subarray(0, k)))).toBe(bitwiseCrc(data));
    }), { numRuns: 300 });
  });
});

describe('crc32 past 2 GiB', () => {
  // A big lab's mlflow.db is over 2 GiB: lengths there must not go through int32 shifts.
  it('gives the CRC of a 2 GiB + 13 byte buffer that its pieces give', () => {
    const data = new Uint8Array(2 ** 31 + 13);
    for (let i = 0; i < data.length; i += 4093) data[i] = i & 0xff;
    const half = 2 ** 30 + 5;
    expect(crc32(data)).toBe(crc32(data.subarray(half), crc32(data.subarray(0, half))));
    expect(crc32(data.subarray(1))).toBe(crc32(data.subarray(half), crc32(data.subarray(1, half))));
  }, 60_000);
});

describe('zip writing', () => {
  const files = new Map<string, Uint8Array>([
    ['a/', new Uint8Array(0)],
    ['a/text', enc.encode('1 0.5 0\n'.repeat(2000))],
    ['b', Uint8Array.from([1, 2, 3])],
  ]);

  it("'auto' deflates small archives and stores big ones; both read back the same", () => {
    const small = zipFiles(files, { method: 'auto', level: 1 });
    const big = zipFiles(files, { method: 'auto', level: 1, autoStoreAbove: 1000 });
    expect(methods(small).get('a/text')).toBe(8);
    expect(methods(small).get('b')).toBe(0); // deflating 3 bytes would not save space
    expect([...methods(big).values()].every((m) => m === 0)).toBe(true);
    expect(big.length).toBeGreaterThan(16_000);
    for (const z of [small, big]) expect(unzipSafe(z)).toEqual(files);
  });

  it('writes the same bytes for the same files, whatever the insertion order', () => {
    const reversed = new Map([...files].reverse());
    for (const method of ['deflate', 'store', 'auto'] as const) {
      expect(zipFiles(reversed, { method })).toEqual(zipFiles(files, { method }));
    }
  });
});

describe('zip writing with known CRCs', () => {
  it('uses a given CRC as it is (so it must be right) and computes the others', () => {
    const a = enc.encode('alpha');
    const b = enc.encode('beta');
    const files = new Map([['a', a], ['b', b]]);
    const crcs = new WeakMap([[a, crc32(a)]]);
    expect(zipFiles(files, { crcs })).toEqual(zipFiles(files));
    const wrong = new WeakMap([[a, crc32(a) ^ 1]]);
    expect(() => unzipSafe(zipFiles(files, { crcs: wrong }))).toThrow(/CRC-32/);
  });
});

describe('zip parts', () => {
  it('are the zipFiles bytes in pieces, file bytes passed through as given', () => {
    const big = enc.encode('x'.repeat(5000));
    const files = new Map([['d/', new Uint8Array(0)], ['d/big', big], ['e', new Uint8Array(0)], ['ü', enc.encode('u')]]);
    for (const method of ['store', 'deflate', 'auto'] as const) {
      const parts = zipParts(files, { method });
      const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) (joined.set(p, o), (o += p.length));
      expect(joined).toEqual(zipFiles(files, { method }));
    }
    expect(zipParts(files, { method: 'store' })).toContain(big);
  });
});
