/**
 * A minimal protocol-buffers *encoder* (proto2/proto3 wire format), enough to write ONNX models.
 *
 * Messages are built bottom-up: encode a child message to bytes, then embed it as a
 * length-delimited field of its parent. That costs a copy per nesting level, which is fine for
 * models of a few MB and keeps the writer trivially correct.
 */

/** Wire types of the protobuf encoding. */
export const WireType = { VARINT: 0, FIXED64: 1, LEN: 2, FIXED32: 5 } as const;

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);

export class ProtoWriter {
  private buf: Uint8Array;
  private len = 0;
  private readonly view8 = new DataView(new ArrayBuffer(8));

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Raw unsigned varint. Accepts a non-negative safe integer or a bigint in [0, 2^64). */
  rawVarint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint needs a non-negative safe integer, got ${value}`);
      this.ensure(10);
      // Numbers up to 2^53 are split with arithmetic, not bit operators, which work on 32 bits only.
      let v = value;
      while (v >= 0x80) {
        this.buf[this.len++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.len++] = v;
      return this;
    }
    if (value < 0n || value > UINT64_MAX) throw new RangeError(`varint out of uint64 range: ${value}`);
    this.ensure(10);
    let v = value;
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  tag(field: number, wireType: number): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad field number ${field}`);
    return this.rawVarint(field * 8 + wireType);
  }

  /** int64/int32 field: negative values are sign-extended to 64 bits (10 bytes on the wire). */
  int64(field: number, value: number | bigint): this {
    return this.tag(field, WireType.VARINT).rawVarint(toUint64(value));
  }

  /** An enum or int32 field (same encoding as int64 for in-range values). */
  int32(field: number, value: number): this {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new RangeError(`int32 out of range: ${value}`);
    return this.int64(field, value);
  }

  float(field: number, value: number): this {
    this.tag(field, WireType.FIXED32);
    this.view8.setFloat32(0, value, true);
    return this.bytesRaw(new Uint8Array(this.view8.buffer, 0, 4));
  }

  double(field: number, value: number): this {
    this.tag(field, WireType.FIXED64);
    this.view8.setFloat64(0, value, true);
    return this.bytesRaw(new Uint8Array(this.view8.buffer, 0, 8));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LEN).rawVarint(value.length);
    return this.bytesRaw(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Embedded message, given as its already-encoded bytes. */
  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  /** Packed repeated int64 (one length-delimited field of concatenated varints). */
  packedInt64(field: number, values: ArrayLike<number | bigint>): this {
    const inner = new ProtoWriter(values.length * 2 + 8);
    for (let i = 0; i < values.length; i++) inner.rawVarint(toUint64(values[i]));
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float (fixed32 little-endian values). */
  packedFloat(field: number, values: ArrayLike<number>): this {
    return this.bytes(field, floatsToBytes(values, 4));
  }

  /** Packed repeated double (fixed64 little-endian values). */
  packedDouble(field: number, values: ArrayLike<number>): this {
    return this.bytes(field, floatsToBytes(values, 8));
  }

  private bytesRaw(value: Uint8Array): this {
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  /** The encoded bytes (a copy, so the writer may be reused or dropped). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Two's-complement view of a signed 64-bit integer, as protobuf's int64 varint encoding wants. */
export function toUint64(value: number | bigint): number | bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value must be a safe integer, got ${value}`);
    return value >= 0 ? value : BigInt.asUintN(64, BigInt(value));
  }
  if (value < INT64_MIN || value > UINT64_MAX) throw new RangeError(`int64 out of range: ${value}`);
  return value < 0n ? BigInt.asUintN(64, value) : value;
}

/** Little-endian IEEE-754 bytes of a float array (4 = float32, 8 = float64), independent of host endianness. */
export function floatsToBytes(values: ArrayLike<number>, width: 4 | 8): Uint8Array {
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (width === 4) view.setFloat32(i * 4, values[i], true);
    else view.setFloat64(i * 8, values[i], true);
  }
  return out;
}

/** Little-endian int64 bytes (for TensorProto raw_data of INT64 tensors). */
export function int64sToBytes(values: ArrayLike<number | bigint>): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    view.setBigInt64(i * 8, typeof v === 'bigint' ? v : BigInt(assertSafe(v)), true);
  }
  return out;
}

function assertSafe(v: number): number {
  if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value must be a safe integer, got ${v}`);
  return v;
}
