import { describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import { ArchiveError, unzipSafe, unzipSafeBlob } from '../../src/lib/archive/safe-zip';
import { DEFAULT_LIMITS } from '../../src/lib/archive/zip-format';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { rawZip, type RawEntry } from './archive-zip-craft';

const enc = new TextEncoder();
const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 2 ** 32;

function refusal(run: () => unknown): ArchiveError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ArchiveError);
    return e as ArchiveError;
  }
  throw new Error('expected a refusal');
}

/** Offset of the last `sig` in `b`. */
function lastSig(b: Uint8Array, sig: number): number {
  for (let i = b.length - 4; i >= 0; i--) if (u32(b, i) === sig) return i;
  return -1;
}

describe('zip64 writing and reading', () => {
  const files = new Map<string, Uint8Array>([['d/', new Uint8Array(0)], ['d/a.txt', enc.encode('alpha '.repeat(500))], ['b.bin', Uint8Array.from([1, 2, 3])]]);

  it("'always' writes every zip64 field, and they read back", () => {
    const z = zipFiles(files, { zip64: 'always' });
    // First local header (b.bin, stored): version 45, saturated sizes, zip64 extra with both sizes.
    expect(u16(z, 4)).toBe(45);
    expect(u32(z, 18)).toBe(0xffffffff);
    expect(u32(z, 22)).toBe(0xffffffff);
    const nameLen = u16(z, 26);
    expect(u16(z, 28)).toBe(20);
    expect(u16(z, 30 + nameLen)).toBe(0x0001);
    expect(u64(z, 30 + nameLen + 4)).toBe(3); // size
    expect(u64(z, 30 + nameLen + 12)).toBe(3); // compressed size
    // End: zip64 record, locator pointing at it, classic record saturated.
    const eocd = lastSig(z, 0x06054b50);
    expect(u16(z, eocd + 10)).toBe(0xffff);
    expect(u32(z, eocd + 12)).toBe(0xffffffff);
    expect(u32(z, eocd + 16)).toBe(0xffffffff);
    const loc = eocd - 20;
    expect(u32(z, loc)).toBe(0x07064b50);
    const rec = u64(z, loc + 8);
    expect(u32(z, rec)).toBe(0x06064b50);
    expect(u64(z, rec + 32)).toBe(3); // entries
    const cdOffset = u64(z, rec + 48);
    expect(u32(z, cdOffset)).toBe(0x02014b50);
    expect(cdOffset + u64(z, rec + 40)).toBe(rec);
    // The first central header carries size, compressed size and offset (0) in its zip64 field.
    const cName = u16(z, cdOffset + 28);
    expect(u32(z, cdOffset + 42)).toBe(0xffffffff);
    expect(u16(z, cdOffset + 46 + cName)).toBe(0x0001);
    expect(u16(z, cdOffset + 46 + cName + 2)).toBe(24);
    expect(u64(z, cdOffset + 46 + cName + 4 + 16)).toBe(0);
    expect(unzipSafe(z)).toEqual(files);
  });

  it('writes classic end records under 65,535 entries and zip64 ones from there, read back in full', async () => {
    const small = zipFiles(files);
    expect(lastSig(small, 0x06064b50)).toBe(-1);
    const many = new Map<string, Uint8Array>();
    for (let i = 0; i < 70_000; i++) many.set(`mlruns/0/${i.toString(16).padStart(32, '0')}/params/p`, enc.encode(String(i)));
    const z = zipFiles(many, { method: 'store' });
    const eocd = lastSig(z, 0x06054b50);
    expect(u16(z, eocd + 10)).toBe(0xffff);
    expect(u32(z, eocd + 16)).toBeLessThan(0xffffffff); // only the count overflowed
    const rec = u64(z, eocd - 20 + 8);
    expect(u64(z, rec + 24)).toBe(70_000);
    const back = await unzipSafeBlob(new Blob([z]), { wholeReadLimit: 0 });
    expect(back.size).toBe(70_000);
    expect(new TextDecoder().decode(back.get(`mlruns/0/${(69_999).toString(16).padStart(32, '0')}/params/p`))).toBe('69999');
  });

  it('takes DEFLATE bodies made elsewhere when they save space', () => {
    const text = enc.encode('1 0.5 0\n'.repeat(1000));
    const body = deflateSync(text, { level: 9 });
    const z = zipFiles(new Map([['t', text]]), { method: 'store', bodies: new WeakMap([[text, body]]) });
    expect(u16(z, 8)).toBe(8);
    expect(u32(z, 18)).toBe(body.length);
    expect(unzipSafe(z).get('t')).toEqual(text);
  });
});

describe('limits sized for real bundles', () => {
  it('defaults: millions of entries, 512-character names, 100:1 for big entries', () => {
    expect(DEFAULT_LIMITS.maxEntries).toBeGreaterThanOrEqual(2_500_000);
    expect(DEFAULT_LIMITS.maxNameLength).toBe(512);
    expect(DEFAULT_LIMITS.maxRatio).toBe(100);
  });

  it('refuses a 600-character entry name, naming it shortened and the limit', () => {
    const name = `mlruns/0/${'x'.repeat(591)}`;
    const e = refusal(() => unzipSafe(rawZip([{ name: 'ok', data: enc.encode('1') }, { name, data: enc.encode('2') }])));
    expect(e.rule).toBe('name-too-long');
    expect(e.entry).toBe(`${name.slice(0, 60)}…`);
    expect(e.message).toContain('entry name is 600 characters long; the limit is 512');
    // A 512-character name is fine.
    expect(unzipSafe(rawZip([{ name: 'y'.repeat(512), data: enc.encode('1') }])).size).toBe(1);
  });

  it('refuses an archive with more entries than the cap from its end record, before reading any', () => {
    const many: RawEntry[] = Array.from({ length: 3_001 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array() }));
    let progress = 0;
    const e = refusal(() => unzipSafe(rawZip(many), { limits: { maxEntries: 3_000 }, onProgress: () => progress++ }));
    expect(e.rule).toBe('too-many-entries');
    expect(e.message).toBe('archive has 3,001 entries; the limit is 3,000');
    expect(progress).toBe(0);
  });
});

describe('bombs are refused before their output grows', () => {
  const zeros = new Uint8Array(1 << 20);
  const zerosBody = deflateSync(zeros, { level: 1 });

  it('many small entries at DEFLATE’s maximum ratio: refused from the directory, nothing inflated', () => {
    // 150 entries of 1 MiB of zeros: ~150 KB of zip declaring 150 MiB (each entry under ratioFloor).
    const z = rawZip(Array.from({ length: 150 }, (_, i) => ({ name: `z${i}`, data: zeros, method: 8, body: zerosBody, crc: 0xa738ea1c })));
    expect(z.length).toBeLessThan(300_000);
    let progress = 0;
    const e = refusal(() => unzipSafe(z, { onProgress: () => progress++ }));
    expect(e.rule).toBe('ratio');
    expect(e.message).toMatch(/^z\d+: archive of [\d,]+ bytes declares more than [\d,]+ bytes of content \(more than 100:1, as a zip bomb does\)$/);
    expect(progress).toBe(0);
  });

  it('one big entry over 100:1: refused from the directory', () => {
    const z = rawZip([{ name: 'big.bin', data: new Uint8Array(0), body: new Uint8Array(4000), usize: 1 << 21, localUsize: 1 << 21, method: 8 }]);
    const e = refusal(() => unzipSafe(z));
    expect(e.rule).toBe('ratio');
    expect(e.entry).toBe('big.bin');
    expect(e.message).toContain('more than 100:1');
  });

  it('an entry lying about its size: refused as soon as its output passes the declared size', () => {
    const body = deflateSync(new Uint8Array(16 << 20), { level: 1 }); // 16 MiB of zeros in ~16 KB
    const z = rawZip([{ name: 'liar', data: new Uint8Array(0), body, method: 8, usize: 1 << 20, localUsize: 1 << 20 }]);
    expect(body.length).toBeLessThan(100_000);
    const e = refusal(() => unzipSafe(z));
    expect(e.rule).toBe('size-mismatch');
    expect(e.message).toBe(`liar: inflates to more than the declared ${1 << 20} bytes`);
  });

  it('real bundle content (metric text, a CSV, model weights) passes the defaults', () => {
    const metric = enc.encode(Array.from({ length: 20_000 }, (_, s) => `${1_700_000_000_000 + s * 13} ${Math.sin(s) / (s + 1)} ${s}`).join('\n'));
    const csv = enc.encode(Array.from({ length: 5_000 }, (_, i) => `${(i % 13) / 10};${(i * 7) % 31};0.99${i % 7};${i % 5}`).join('\n'));
    const weights = new Uint8Array(new Float32Array(Array.from({ length: 50_000 }, (_, i) => Math.cos(i))).buffer);
    const files = new Map([['m', metric], ['d.csv', csv], ['w.bin', weights]]);
    const back = unzipSafe(zipFiles(files, { level: 1 }));
    for (const [name, bytes] of files) expect(Buffer.from(back.get(name)!).equals(bytes), name).toBe(true);
  });
});
