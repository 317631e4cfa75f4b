/**
 * The export's DEFLATE writer for metric files (line-deflate.ts): whatever the bytes, its output
 * must inflate back to them with fflate and with the wasm inflater the import uses (flate2), its
 * CRC-32 must be crc32.ts's, and the same input must give the same bytes. On metric text it must
 * also stay about as small as flate2's level 1, which it replaced.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inflateSync } from 'fflate';
import { deflateLines } from '../../src/lib/archive/line-deflate';
import { loadInflater, type RawInflater } from '../../src/lib/archive/fast-inflate';
import { loadForas, type Foras } from '../../src/lib/archive/wasm-flate';
import { crc32 } from '../../src/lib/archive/crc32';
import { encodeRunMetricBytes } from '../../src/lib/mlflow/metric-bytes';

const enc = new TextEncoder();
let inflater: RawInflater;
let foras: Foras;
beforeAll(async () => {
  const [i, f] = await Promise.all([loadInflater(), loadForas()]);
  expect(i && f, 'the wasm module starts in Node').toBeTruthy();
  (inflater = i!), (foras = f!);
});

/** Deflates `data` and checks it comes back from both inflaters, with its CRC-32 and the size check in the module. */
function roundTrip(data: Uint8Array): Uint8Array {
  const { deflated, crc } = deflateLines(data);
  expect(crc).toBe(crc32(data));
  expect(Buffer.compare(inflateSync(deflated), data)).toBe(0);
  expect(Buffer.compare(inflater.inflate(deflated, (n) => new Uint8Array(n)), data)).toBe(0);
  expect(Buffer.compare(inflater.inflateChecked(deflated, data.length, crc, (n) => new Uint8Array(n)), data)).toBe(0);
  return deflated;
}

/** A metric file as the export writes it: points in order, steps not decreasing. */
const metricFile = fc
  .record({
    t0: fc.integer({ min: 0, max: 4e12 }),
    start: fc.integer({ min: 0, max: 1e6 }),
    points: fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 3 }), fc.oneof(
      fc.double({ noNaN: false }),
      fc.double({ min: -1e-3, max: 1e-3 }),
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1, 1e-7, 5e-324, 1.7976931348623157e308),
    )), { maxLength: 3000 }),
  })
  .map(({ t0, start, points }) => {
    const n = points.length, values = new Float64Array(n), steps = new Float64Array(n), timestamps = new Float64Array(n);
    let t = t0, s = start;
    points.forEach(([dt, ds, v], i) => ((timestamps[i] = t += dt), (steps[i] = s += ds), (values[i] = v)));
    return encodeRunMetricBytes({ key: 'm', values, steps, timestamps });
  });

/** Bench-like metric text: `1/(s+k+1)` against steps, or random values with jittering timestamps. */
function benchFile(k: number, random: boolean, lines = 1000): Uint8Array {
  const values = new Float64Array(lines), steps = new Float64Array(lines), timestamps = new Float64Array(lines);
  let seed = k + 1;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let t = 1764860000000 + k * 1000;
  for (let s = 0; s < lines; s++) {
    steps[s] = s;
    values[s] = random ? rand() : 1 / (s + k + 1);
    timestamps[s] = random ? (t += Math.floor(rand() * 51)) : 1764860000000 + k * 1000 + s;
  }
  return encodeRunMetricBytes({ key: 'm', values, steps, timestamps });
}

describe('deflateLines', () => {
  it('round-trips arbitrary bytes, small and large', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), (data) => void roundTrip(data)), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ minLength: 100_000, maxLength: 200_000 }), (data) => void roundTrip(data)), { numRuns: 4 });
  });

  it('round-trips text made of separators, digits and a few other bytes (where matches happen)', () => {
    const alphabet = fc.constantFrom(...enc.encode('0123456789 \n.-e:a'));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 20_000 }), (bytes) => void roundTrip(Uint8Array.from(bytes))), { numRuns: 200 });
    // Lines repeated with small changes, so that matches run long and cover separators.
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('1', '2', ' ', 'x'), maxLength: 400 }), { minLength: 1, maxLength: 30 }), fc.nat(300), (lines, times) => {
      const text = Array.from({ length: times }, (_, i) => lines[i % lines.length] + '\n').join('');
      roundTrip(enc.encode(text));
    }), { numRuns: 100 });
    // Each line the one before with a few bytes changed, spaces included: matches end anywhere,
    // also right where the line before had a separator.
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' '), minLength: 1, maxLength: 60 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom(97, 98, 32)), { maxLength: 600 }), (first, edits) => {
      let line = enc.encode(first);
      const lines = [line];
      for (let i = 0; i < edits.length; i += 2) {
        line = line.slice();
        for (const [at, byte] of edits.slice(i, i + 2)) line[at % line.length] = byte;
        lines.push(line);
      }
      roundTrip(enc.encode(lines.map((l) => new TextDecoder().decode(l)).join('\n')));
    }), { numRuns: 300 });
  });

  it('round-trips metric files of any values, timestamps and steps', () => {
    fc.assert(fc.property(metricFile, (data) => void roundTrip(data)), { numRuns: 150 });
  });

  it('round-trips the edge cases', () => {
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte', Uint8Array.of(0x37)],
      ['one newline', Uint8Array.of(10)],
      ['no newline', enc.encode('1764860000000 0.5 0')],
      ['100 KB of one byte', new Uint8Array(100_000).fill(0x61)],
      ['100 KB of digits 0', new Uint8Array(100_000).fill(0x30)],
      ['only newlines', new Uint8Array(100_000).fill(10)],
      ['only spaces', new Uint8Array(70_000).fill(32)],
      ['lines of 32 KiB, one more and one less', enc.encode(['x'.repeat(32767), 'x'.repeat(32768), 'x'.repeat(32766)].map((l) => (l + '\n').repeat(3)).join(''))],
      ['lines over 32 KiB', enc.encode(('x'.repeat(40_000) + ' 1 2\n').repeat(4) + '0 '.repeat(20_000))],
      ['a 300-byte line repeated', enc.encode(('a b '.repeat(75) + '\n').repeat(500))],
      ['identical metric lines', enc.encode('1764860000000 0.5 7\n'.repeat(20_000))],
      ['many fields', enc.encode(Array.from({ length: 3000 }, (_, i) => Array.from({ length: 40 }, (_, j) => (i * j) % 97).join(' ')).join('\n'))],
      ['several blocks of metric text', benchFile(3, true, 6000)],
      // Bytes the samples of a block miss (codes chosen again from the whole block).
      ['metric text with a rare byte', (() => {
        const data = benchFile(5, false, 1500);
        (data[20_000] = 0x5a), (data[data.length - 2] = 0xff);
        return data;
      })()],
      ['4 MiB of metric text', (() => {
        const parts = Array.from({ length: 100 }, (_, k) => benchFile(k, k % 2 === 1));
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        parts.reduce((o, p) => (all.set(p, o), o + p.length), 0);
        return all.subarray(0, 4 << 20);
      })()],
    ];
    for (const [name, data] of cases) {
      const deflated = roundTrip(data);
      // Stored when coding does not pay: never more than 5 bytes per 64 KiB over the input.
      expect(deflated.length, name).toBeLessThanOrEqual(data.length + 5 * Math.ceil(data.length / 65535) + 8);
    }
  });

  it('gives the same bytes for the same input, whatever came before', () => {
    const a = benchFile(1, false), b = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 255);
    const first = deflateLines(a).deflated.slice();
    deflateLines(b);
    expect(Buffer.compare(deflateLines(a).deflated, first)).toBe(0);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
      expect(Buffer.compare(deflateLines(data).deflated, deflateLines(data.slice()).deflated)).toBe(0);
    }), { numRuns: 100 });
  });

  it('stays within 1.2x the size of flate2 level 1 on metric text', () => {
    for (const random of [false, true]) {
      let ours = 0, level1 = 0;
      for (let k = 0; k < 20; k++) {
        const data = benchFile(k, random);
        ours += deflateLines(data).deflated.length;
        const input = new foras.Memory(data);
        try {
          level1 += foras.deflate(input, 1).copyAndDispose().length;
        } finally {
          input.free();
        }
      }
      expect(ours, random ? 'random values' : '1/(s+k+1)').toBeLessThanOrEqual(1.2 * level1);
    }
  });
});
