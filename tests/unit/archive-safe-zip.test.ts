import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { ArchiveError, NATIVE_INFLATE_MIN, unzipSafe, unzipSafeAsync, unzipSafeBlob } from '../../src/lib/archive/safe-zip';
import { deflateSync } from 'fflate';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { pathProblem } from '../../src/lib/archive/paths';
import { crc32 } from '../../src/lib/archive/crc32';
import { rawZip, localRecord, type RawEntry } from './archive-zip-craft';

const enc = new TextEncoder();
const dec = new TextDecoder();
const f = (s: string) => enc.encode(s);

function refused(zip: Uint8Array, rule: string, entry?: string | null, limits = {}): ArchiveError {
  let err: unknown;
  try {
    unzipSafe(zip, { limits });
  } catch (e) {
    err = e;
  }
  expect(err, `expected rule ${rule}`).toBeInstanceOf(ArchiveError);
  const a = err as ArchiveError;
  expect(a.rule).toBe(rule);
  if (entry !== undefined) expect(a.entry).toBe(entry);
  return a;
}

describe('zipFiles + unzipSafe', () => {
  const files = new Map<string, Uint8Array>([
    ['b/', new Uint8Array()], ['b/x.txt', f('x'.repeat(1000))], ['a.bin', Uint8Array.from([1, 2, 3])], ['é/ü.txt', f('ünï')], ['empty', new Uint8Array()],
  ]);

  it('round-trips and is deterministic (sorted names, fixed dates)', () => {
    const z = zipFiles(files);
    expect(zipFiles(new Map([...files].reverse()))).toEqual(z);
    const back = unzipSafe(z);
    expect([...back.keys()]).toEqual(['a.bin', 'b/', 'b/x.txt', 'empty', 'é/ü.txt']);
    for (const [k, v] of files) expect(back.get(k)).toEqual(v);
    expect(unzipSafe(zipFiles(files, { method: 'store' })).get('b/x.txt')).toEqual(files.get('b/x.txt'));
  });

  it('reads archives written by fflate (data descriptors, other layouts)', () => {
    const z = zipSync({ 'dir/a.txt': f('hello'), 'b.txt': [f('b'.repeat(5000)), { level: 9 }] });
    const back = unzipSafe(z);
    expect(dec.decode(back.get('dir/a.txt'))).toBe('hello');
    expect(back.get('b.txt')!.length).toBe(5000);
  });

  it('streams from a Blob with progress and stops on abort', async () => {
    const z = zipFiles(files);
    const seen: number[] = [];
    const back = await unzipSafeBlob(new Blob([z]), { onProgress: (p) => seen.push(p.entriesDone) });
    expect(back.get('é/ü.txt')).toEqual(files.get('é/ü.txt'));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const ctl = new AbortController();
    await expect(unzipSafeBlob(new Blob([z]), { signal: ctl.signal, onProgress: () => ctl.abort() })).rejects.toThrow(/abort/i);
  });

  it('refuses to write unsafe names', () => {
    expect(() => zipFiles(new Map([['../x', f('')]]))).toThrow(/\.\. segment/);
  });
});

describe('Z1: unsafe names', () => {
  const cases: [string, string][] = [
    ['../x', 'dot-dot'], ['a/../../x', 'dot-dot'], ['/x', 'absolute-path'], ['\\x', 'backslash'], ['..\\x', 'backslash'],
    ['C:/x', 'drive-letter'], ['a/./b', 'dot-segment'], ['a//b', 'empty-segment'], ['a\u0000b', 'control-char'],
    ['%2e%2e/x', 'encoded-separator'],
  ];
  for (const [name, rule] of cases) {
    it(`Z1: refuses ${JSON.stringify(name.slice(0, 20))} (${rule})`, () => {
      refused(rawZip([{ name: 'ok.txt', data: f('1') }, { name, data: f('2') }]), rule, name);
    });
  }

  it('Z1: accepted names never escape (property)', () => {
    const seg = fc.oneof(fc.constantFrom('.', '..', '', 'a', 'C:', '%2e', '\\', 'b\\..'), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), (segs) => {
      const name = segs.join('/');
      if (pathProblem(name)) return;
      const parts = name.replace(/\/$/, '').split(/[/\\]/);
      expect(parts.includes('..') || parts.includes('.')).toBe(false);
      expect(name.startsWith('/') || /^[a-zA-Z]:/.test(name)).toBe(false);
    }), { numRuns: 2000 });
  });
});

describe('Z2/Z3: duplicates and prototype names', () => {
  it('Z2: refuses exact and case-only duplicates', () => {
    refused(rawZip([{ name: 'meta.yaml', data: f('1') }, { name: 'meta.yaml', data: f('2') }]), 'duplicate-name', 'meta.yaml');
    refused(rawZip([{ name: 'Meta.yaml', data: f('1') }, { name: 'meta.YAML', data: f('2') }]), 'duplicate-name', 'meta.YAML');
    refused(rawZip([{ name: 'a', data: f('1') }, { name: 'a/', data: new Uint8Array() }]), 'duplicate-name', 'a/');
    refused(rawZip([{ name: 'a', data: f('1') }, { name: 'a/b', data: f('2') }]), 'file-dir-conflict', 'a/b');
  });

  it('Z3: keeps __proto__, constructor and toString as ordinary entries', () => {
    const out = unzipSafe(rawZip(['__proto__', 'constructor', 'toString', 'x/__proto__'].map((name) => ({ name, data: f(name) }))));
    expect(dec.decode(out.get('__proto__'))).toBe('__proto__');
    expect(dec.decode(out.get('x/__proto__'))).toBe('x/__proto__');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});

describe('Z4: bombs are refused before inflating', () => {
  it('Z4: refuses too many entries', () => {
    const many: RawEntry[] = Array.from({ length: 20_000 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array() }));
    const z = rawZip(many);
    const t1 = performance.now();
    expect(refused(z, 'too-many-entries', null, { maxEntries: 10_000 }).message).toBe('archive has 20,000 entries; the limit is 10,000');
    expect(performance.now() - t1).toBeLessThan(5000); // reading 20,000 entries would take far longer
  });

  it('Z4: refuses a large total even under the ratio cap, fast', () => {
    const zeros = new Uint8Array(50 << 20);
    const z = rawZip([{ name: 'zeros', data: zeros, method: 8 }]);
    const t0 = performance.now();
    refused(z, 'too-large', 'zeros', { maxTotalBytes: 10 << 20, maxRatio: 1032 });
    expect(performance.now() - t0).toBeLessThan(1000); // refused from the directory; bench/ has the figure
  });

  it('Z4: refuses a declared 4 GiB entry by ratio before allocating', () => {
    const t0 = performance.now();
    refused(rawZip([{ name: 'big', data: f('abc'), method: 8, usize: 0xfffffff0, localUsize: 0xfffffff0 }]), 'ratio', 'big');
    expect(performance.now() - t0).toBeLessThan(1000); // allocating 4 GiB first would fail or take longer
  });
});

describe('Z5–Z7: lies, overlaps, links, encryption, methods', () => {
  const text = f('hello hello hello hello hello');

  it('Z5: refuses sizes that lie (smaller and larger than the real data)', () => {
    refused(rawZip([{ name: 'a', data: text, method: 8, usize: 10 }]), 'size-mismatch', 'a');
    refused(rawZip([{ name: 'a', data: text, method: 8, usize: 40 }]), 'size-mismatch', 'a');
    refused(rawZip([{ name: 'a', data: text, method: 8, localUsize: 99 }]), 'size-mismatch', 'a');
    refused(rawZip([{ name: 'a', data: text, usize: 5 }]), 'size-mismatch', 'a');
  });

  it('Z5: refuses a bad CRC', () => {
    refused(rawZip([{ name: 'a', data: text, method: 8, crc: crc32(text) ^ 1 }]), 'bad-crc', 'a');
  });

  it('Z6: refuses overlapping entries (one entry hidden inside another)', () => {
    const inner: RawEntry = { name: 'b', data: text };
    refused(rawZip([{ name: 'a', data: localRecord(inner) }, { ...inner, skipLocal: true, localOffset: 31 }]), 'overlap', 'b');
  });

  it('Z7: refuses symlinks, devices, encrypted entries and unknown methods', () => {
    refused(rawZip([{ name: 'l', data: f('/etc/passwd'), external: (0o120777 << 16) >>> 0 }]), 'symlink', 'l');
    refused(rawZip([{ name: 'd', data: f(''), external: (0o020644 << 16) >>> 0 }]), 'special-file', 'd');
    refused(rawZip([{ name: 'e', data: text, flags: 1 }]), 'encrypted', 'e');
    refused(rawZip([{ name: 'm', data: text, method: 14 }]), 'unsupported-method', 'm');
  });

  it('Z6: refuses a local header that names another file', () => {
    const z = rawZip([{ name: 'a', data: text }, { name: 'b', data: text, skipLocal: true, localOffset: 0 }]);
    refused(z, 'header-mismatch', 'b');
  });
});

describe('big deflated entries inflate natively (DecompressionStream) with the same checks', () => {
  // Half noise (so the compressed body passes NATIVE_INFLATE_MIN), half repeats.
  let seed = 7;
  const big = Uint8Array.from({ length: 3 * NATIVE_INFLATE_MIN }, (_, i) => (i % 2 ? (seed = (seed * 16807) % 2147483647) & 255 : i & 7));
  const small = f('small file');
  const body = deflateSync(big, { level: 1 });
  const zip = (over: Partial<RawEntry> = {}) => rawZip([{ name: 'mlflow.db', data: big, method: 8, body, ...over }, { name: 'README.txt', data: small, method: 8 }]);
  const refusedAsync = async (bytes: Uint8Array, rule: string) => {
    const e = await unzipSafeAsync(bytes).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ArchiveError);
    expect([(e as ArchiveError).entry, (e as ArchiveError).rule]).toEqual(['mlflow.db', rule]);
  };

  it('gives what unzipSafe gives', async () => {
    expect(body.length).toBeGreaterThanOrEqual(NATIVE_INFLATE_MIN);
    const got = await unzipSafeAsync(zip());
    const want = unzipSafe(zip());
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [name, bytes] of want) expect(Buffer.compare(got.get(name)!, bytes), name).toBe(0);
    expect(got.get('mlflow.db')!.length).toBe(big.length);
  });

  it('refuses a size that lies either way, a bad CRC, and damaged or truncated data', async () => {
    await refusedAsync(zip({ usize: big.length - 1, localUsize: big.length - 1 }), 'size-mismatch');
    await refusedAsync(zip({ usize: big.length + 1, localUsize: big.length + 1 }), 'size-mismatch');
    await refusedAsync(zip({ crc: crc32(big) ^ 1 }), 'bad-crc');
    await refusedAsync(zip({ body: body.subarray(0, body.length - 1000) }), 'corrupt');
    const junk = body.slice();
    junk[1] ^= 0xff; // the first block's header
    const e = await unzipSafeAsync(zip({ body: junk })).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ArchiveError);
  });
});

describe('Z8: truncated or bit-flipped archives', () => {
  const good = zipFiles(new Map([['x/a.txt', f('alpha '.repeat(200))], ['b.bin', Uint8Array.from({ length: 300 }, (_, i) => i & 255)], ['x/', new Uint8Array()]]));

  it('Z8: never throws anything but ArchiveError, never hangs', () => {
    fc.assert(fc.property(fc.nat(good.length - 1), fc.nat(7), fc.boolean(), (pos, bit, truncate) => {
      const bad = truncate ? good.slice(0, pos) : good.slice();
      if (!truncate) bad[pos] ^= 1 << bit;
      try {
        const out = unzipSafe(bad);
        expect(out.size).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(ArchiveError);
      }
    }), { numRuns: 1500 });
  });
});

describe('Blob reading in windows (archives over the whole-read limit)', () => {
  const good = zipFiles(new Map([['x/a.txt', f('alpha '.repeat(200))], ['b.bin', Uint8Array.from({ length: 300 }, (_, i) => i & 255)], ['x/', new Uint8Array()]]));
  const outcome = async (run: () => Promise<Map<string, Uint8Array>> | Map<string, Uint8Array>) => {
    try {
      return await run();
    } catch (e) {
      expect(e).toBeInstanceOf(ArchiveError);
      return `${(e as ArchiveError).rule}: ${(e as Error).message}`;
    }
  };

  it('gives what the in-memory reader gives, for any window size, on good and damaged archives', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(good.length), fc.nat(7), fc.boolean(), fc.integer({ min: 1, max: 2000 }), async (pos, bit, truncate, window) => {
      const bad = truncate ? good.slice(0, pos) : good.slice();
      if (!truncate && pos < bad.length) bad[pos] ^= 1 << bit;
      const mem = await outcome(() => unzipSafe(bad));
      const win = await outcome(() => unzipSafeBlob(new Blob([bad]), { wholeReadLimit: 0, readWindow: window }));
      expect(win).toEqual(mem);
    }), { numRuns: 400 });
  });

  it('Z6: refuses overlaps and lying headers in windowed reads too', async () => {
    const text = f('hello hello hello hello hello');
    const inner: RawEntry = { name: 'b', data: text };
    const overlap = rawZip([{ name: 'a', data: localRecord(inner) }, { ...inner, skipLocal: true, localOffset: 31 }]);
    await expect(unzipSafeBlob(new Blob([overlap as Uint8Array<ArrayBuffer>]), { wholeReadLimit: 0, readWindow: 16 })).rejects.toMatchObject({ rule: 'overlap', entry: 'b' });
    const crc = rawZip([{ name: 'a', data: text, method: 8, crc: crc32(text) ^ 1 }]);
    await expect(unzipSafeBlob(new Blob([crc as Uint8Array<ArrayBuffer>]), { wholeReadLimit: 0, readWindow: 7 })).rejects.toMatchObject({ rule: 'bad-crc', entry: 'a' });
  });
});
