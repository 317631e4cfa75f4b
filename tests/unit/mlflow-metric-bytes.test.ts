import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRunMetricBytes, encodeRunMetricBytes } from '../../src/lib/mlflow/metric-bytes';
import { decodeRunMetricFile, encodeRunMetricFile, parsePyFloat, toColumns } from '../../src/lib/mlflow/metric-file';
import type { MetricColumns } from '../../src/lib/tracking/types';

const enc = new TextEncoder();
const dec = new TextDecoder();

const columns = (pts: [number, number, number][]): MetricColumns => ({
  key: 'm',
  timestamps: Float64Array.from(pts.map((p) => p[0])),
  values: Float64Array.from(pts.map((p) => p[1])),
  steps: Float64Array.from(pts.map((p) => p[2])),
});

/** What the general (string) decoder makes of a file, or its error message. */
function reference(text: string): MetricColumns | string {
  try {
    return toColumns('m', decodeRunMetricFile('f', text));
  } catch (e) {
    return (e as Error).message;
  }
}

function fast(bytes: Uint8Array): MetricColumns | string {
  try {
    return decodeRunMetricBytes('f', 'm', bytes);
  } catch (e) {
    return (e as Error).message;
  }
}

const anyDouble = fc.oneof(
  fc.double(),
  fc.double({ min: -1e6, max: 1e6 }),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53, -(2 ** 53), 0.1, 1 / 3, 1e22, 1.5e-6),
  fc.integer().map((i) => i / 1000),
);
const safeInt = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 31 - 1, 1e9, 1e15, 999_999_999_999_999, 1_000_000_000_000_001, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER));

describe('metric files as bytes', () => {
  it('writes exactly what the string encoder writes', () => {
    fc.assert(fc.property(fc.array(fc.tuple(safeInt, anyDouble, safeInt), { maxLength: 60 }), (pts) => {
      const m = columns(pts);
      expect(dec.decode(encodeRunMetricBytes(m))).toBe(encodeRunMetricFile(m));
    }), { numRuns: 400 });
  });

  it('round-trips every double bit-exactly (NaN as NaN, -0 as -0)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(safeInt, anyDouble, safeInt), { minLength: 1, maxLength: 60 }), (pts) => {
      const m = columns(pts);
      const back = decodeRunMetricBytes('f', 'm', encodeRunMetricBytes(m));
      expect(back).toEqual(m); // toEqual tells -0 from 0 and NaN equals NaN
    }), { numRuns: 400 });
  });

  it('refuses non-integer timestamps and steps as the string encoder does', () => {
    expect(() => encodeRunMetricBytes(columns([[1.5, 1, 0]]))).toThrow(/timestamp must be an integer/);
    expect(() => encodeRunMetricBytes(columns([[1, 1, NaN]]))).toThrow(/step must be an integer/);
    expect(() => encodeRunMetricBytes(columns([[2 ** 53, 1, 0]]))).toThrow(/timestamp must be an integer/);
  });

  it('reads the plain form with correct rounding', () => {
    const text = '1 0.1 0\n-2 -0.0 -0\n3 1e-7 1\n4 123456789012345678 2\n5 .5 3\n6 7. 4\n7 1E+2 5\n8 -inf 6\n9 nan 7\n10 0.30000000000000004 8';
    const got = decodeRunMetricBytes('f', 'm', enc.encode(text));
    expect([...got.values]).toEqual([0.1, -0, 1e-7, 123456789012345678, 0.5, 7, 100, -Infinity, NaN, 0.30000000000000004]);
    expect(Object.is(got.values[1], -0)).toBe(true);
    expect(Object.is(got.steps[1], 0)).toBe(true); // int('-0') is 0
    expect([...got.timestamps]).toEqual([1, -2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reads decimal strings as Python float() does (Clinger fast path and the rest)', () => {
    const digits = fc.stringMatching(/^-?\d{1,20}(\.\d{0,20})?([eE][+-]?\d{1,3})?$/);
    fc.assert(fc.property(fc.array(digits, { minLength: 1, maxLength: 20 }), (vals) => {
      const text = vals.map((v, i) => `${i} ${v} ${i}\n`).join('');
      const got = decodeRunMetricBytes('f', 'm', enc.encode(text));
      vals.forEach((v, i) => expect(Object.is(got.values[i], parsePyFloat(v))).toBe(true));
    }), { numRuns: 500 });
  });

  it('reads 16- and 17-digit decimals (the exact-division path) as Number() does', () => {
    const check = (strs: string[]) => {
      const got = decodeRunMetricBytes('f', 'm', enc.encode(strs.map((v, i) => `${i} ${v} ${i}\n`).join('')));
      strs.forEach((v, i) => expect(Object.is(got.values[i], Number(v)), v).toBe(true));
    };
    // Shortest forms of doubles, and random digit strings (not shortest: they round).
    fc.assert(fc.property(fc.array(fc.double({ min: 1e-7, max: 1e17, noNaN: true }), { minLength: 1, maxLength: 200 }), (vs) => check(vs.map(String))), { numRuns: 200 });
    const digits = fc.tuple(fc.stringMatching(/^[1-9]\d{15,16}$/), fc.integer({ min: 0, max: 25 }), fc.boolean())
      .map(([d, point, neg]) => `${neg ? '-' : ''}${point >= d.length ? `0.${'0'.repeat(point - d.length)}${d}` : `${d.slice(0, d.length - point)}.${d.slice(d.length - point)}`}`);
    fc.assert(fc.property(fc.array(digits, { minLength: 1, maxLength: 200 }), check), { numRuns: 200 });
    // Ties and near-ties between two doubles, and powers of two (asymmetric rounding intervals).
    check(['9007199254740993', '9007199254740992.5', '0.30000000000000004', '0.1000000000000000055511151231257827', '1.0000000000000002',
      '0.9999999999999999', '0.12500000000000001', '0.4999999999999999722444243843710864', '1152921504606846.9', '0.0009990009990009990']);
  });

  it('accepts, reads and refuses exactly what the general decoder does', () => {
    const token = fc.oneof(
      fc.constantFrom('1', '-1', '0', '007', '1_000', '+5', '1.5', 'nan', 'NaN', '-nan', 'inf', 'Infinity', '-inf', 'x', '', '1e5', '1e', '.', '-', '1.2.3', '9999999999999999', '12345678901234567890', '٣'),
      fc.integer().map(String),
      fc.double().map(String),
    );
    const sep = fc.constantFrom(' ', ' ', ' ', '  ', '\t');
    const line = fc.tuple(fc.array(fc.tuple(token, sep), { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\n', '\r\n', ' \n', ''))
      .map(([parts, end]) => parts.map(([t, s], i) => (i === parts.length - 1 ? t : t + s)).join('') + end);
    fc.assert(fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
      const text = lines.join('');
      expect(fast(enc.encode(text))).toEqual(reference(text));
    }), { numRuns: 2000 });
    expect(fast(Uint8Array.from([0x31, 0x20, 0xff, 0x20, 0x31]))).toBe('f: not valid UTF-8');
    expect(fast(new Uint8Array(0))).toBe('f: metric file is empty');
  });

  it('keeps columns of one file independent of the next: one buffer per file, holding just its three columns', () => {
    const a = decodeRunMetricBytes('f', 'a', enc.encode('1 2 3\n'));
    const b = decodeRunMetricBytes('f', 'b', enc.encode('4 5 6\n7 8 9\n'));
    expect([...a.values, ...b.values]).toEqual([2, 5, 8]);
    expect(a.values.buffer).not.toBe(b.values.buffer);
    expect(a.values.buffer.byteLength).toBe(3 * a.values.byteLength);
    expect(b.timestamps.buffer).toBe(b.values.buffer);
  });
});
