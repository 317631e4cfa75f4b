import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ProtoWriter } from '../../src/lib/onnx/protobuf';
import { decodeFields, int64Of, littleEndianFloats, one, packedVarints, stringOf, bytesOf } from './onnx-wire-decoder';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('varints', () => {
  // Reference encodings from the protobuf encoding guide's worked examples and the definition.
  test.each([
    [0, '08 00'],
    [1, '08 01'],
    [127, '08 7f'],
    [128, '08 80 01'],
    [150, '08 96 01'],
    [300, '08 ac 02'],
    [2 ** 31, '08 80 80 80 80 08'],
    [2 ** 53 - 1, '08 ff ff ff ff ff ff ff 0f'],
  ])('int64 %d', (value, expected) => {
    expect(hex(new ProtoWriter().int64(1, value).finish())).toBe(expected);
  });

  test('negative int64 is sign-extended to ten bytes', () => {
    expect(hex(new ProtoWriter().int64(1, -1).finish())).toBe('08 ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtoWriter().int64(1, -2n).finish())).toBe('08 fe ff ff ff ff ff ff ff ff 01');
    const min = new ProtoWriter().int64(1, -(2n ** 63n)).finish();
    expect(hex(min)).toBe('08 80 80 80 80 80 80 80 80 80 01');
  });

  test('large field numbers and wire types land in the key', () => {
    const fields = decodeFields(new ProtoWriter().int64(20, 7).string(536870911, 'x').finish());
    expect(fields.map((f) => [f.field, f.wire])).toEqual([[20, 0], [536870911, 2]]);
  });

  test('rejects values protobuf cannot carry', () => {
    expect(() => new ProtoWriter().rawVarint(-1)).toThrow(RangeError);
    expect(() => new ProtoWriter().rawVarint(2 ** 64)).toThrow(RangeError);
    expect(() => new ProtoWriter().rawVarint(2n ** 64n)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(1, 0.5)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(1, -(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(() => new ProtoWriter().int32(1, 2 ** 31)).toThrow(RangeError);
    expect(() => new ProtoWriter().tag(0, 0)).toThrow(RangeError);
  });

  test('every int64 round-trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: 1, max: 2 ** 29 - 1 }), (v, field) => {
        const f = one(decodeFields(new ProtoWriter().int64(field, v).finish()), field);
        expect(int64Of(f)).toBe(v);
      }),
    );
  });

  test('every safe-integer number round-trips, and matches its bigint encoding', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => {
        const bytes = new ProtoWriter().int64(3, v).finish();
        expect(bytes).toEqual(new ProtoWriter().int64(3, BigInt(v)).finish());
        expect(int64Of(one(decodeFields(bytes), 3))).toBe(BigInt(v));
      }),
    );
  });
});

describe('fixed and length-delimited fields', () => {
  test('float and double scalars are little-endian fixed32/fixed64', () => {
    const bytes = new ProtoWriter().float(2, 1.5).double(3, -2.25).finish();
    expect(hex(bytes)).toBe('15 00 00 c0 3f 19 00 00 00 00 00 00 02 c0');
  });

  test('packed floats round-trip bit for bit', () => {
    fc.assert(
      fc.property(fc.array(fc.float()), (xs) => {
        const f = one(decodeFields(new ProtoWriter().packedFloat(7, xs).finish()), 7);
        expect(f.wire).toBe(2);
        const back = littleEndianFloats(bytesOf(f), 4);
        expect(back.length).toBe(xs.length);
        back.forEach((b, i) => expect(Object.is(b, xs[i])).toBe(true));
      }),
    );
  });

  test('packed doubles round-trip bit for bit, including -0, NaN and infinities', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), (xs) => {
        const back = littleEndianFloats(bytesOf(one(decodeFields(new ProtoWriter().packedDouble(4, xs).finish()), 4)), 8);
        expect(back.length).toBe(xs.length);
        back.forEach((b, i) => expect(Object.is(b, xs[i])).toBe(true));
      }),
    );
  });

  test('packed int64 round-trips, negatives included', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), (xs) => {
        expect(packedVarints(bytesOf(one(decodeFields(new ProtoWriter().packedInt64(1, xs).finish()), 1)))).toEqual(xs);
      }),
    );
  });

  test('strings are UTF-8 and survive any code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(stringOf(one(decodeFields(new ProtoWriter().string(9, s).finish()), 9))).toBe(s);
      }),
    );
  });

  test('nested messages and a writer that grows past its first buffer', () => {
    const inner = new ProtoWriter(1).string(1, 'x'.repeat(1000)).int64(2, -5).finish();
    const outer = new ProtoWriter(1).message(3, inner).int64(4, 1).finish();
    const [msg, tail] = decodeFields(outer);
    expect(msg.field).toBe(3);
    const innerFields = decodeFields(bytesOf(msg));
    expect(stringOf(one(innerFields, 1))).toBe('x'.repeat(1000));
    expect(int64Of(one(innerFields, 2))).toBe(-5n);
    expect(int64Of(tail)).toBe(1n);
  });
});
