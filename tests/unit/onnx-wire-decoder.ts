/**
 * An independent protobuf wire-format decoder for the ONNX tests: it reads the bytes our encoder
 * writes back into field lists, so tests check the wire format rather than the encoder's own view.
 */
export type WireField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 1; bytes: Uint8Array }
  | { field: number; wire: 2; bytes: Uint8Array }
  | { field: number; wire: 5; bytes: Uint8Array };

export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('varint longer than 10 bytes');
  }
}

export function decodeFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, p2] = readVarint(buf, pos);
      pos = p2;
      out.push({ field, wire, value });
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new Error('truncated fixed field');
      out.push({ field, wire, bytes: buf.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      const end = p2 + Number(len);
      if (end > buf.length) throw new Error('truncated length-delimited field');
      out.push({ field, wire, bytes: buf.subarray(p2, end) });
      pos = end;
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return out;
}

/** All occurrences of `field`. */
export function all(fields: WireField[], field: number): WireField[] {
  return fields.filter((f) => f.field === field);
}

export function one(fields: WireField[], field: number): WireField {
  const found = all(fields, field);
  if (found.length !== 1) throw new Error(`field ${field} occurs ${found.length} times`);
  return found[0];
}

export function bytesOf(f: WireField): Uint8Array {
  if (f.wire === 0) throw new Error(`field ${f.field} is a varint`);
  return f.bytes;
}

export function int64Of(f: WireField): bigint {
  if (f.wire !== 0) throw new Error(`field ${f.field} is not a varint`);
  return BigInt.asIntN(64, f.value);
}

export function stringOf(f: WireField): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytesOf(f));
}

export function messageOf(f: WireField): WireField[] {
  return decodeFields(bytesOf(f));
}

export function packedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const [v, next] = readVarint(bytes, pos);
    out.push(BigInt.asIntN(64, v));
    pos = next;
  }
  return out;
}

export function littleEndianFloats(bytes: Uint8Array, width: 4 | 8): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < bytes.byteLength; i += width) out.push(width === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
  return out;
}
