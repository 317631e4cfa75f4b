/**
 * Dataset identity as MLflow records it: a short content digest, the dataset ID derived from
 * name and digest, and the `Dataset`/`DatasetInput` records a run's inputs hold
 * (docs/mlflow-formats.md §1.7).
 *
 * Our digest is the first 8 hex characters of MD5 over a canonical serialisation of the
 * *parsed* table, so the same data written with `;` instead of `,`, CRLF instead of LF, or
 * quoted differently gets the same digest. (MLflow's pandas datasets also use 8 hex chars of an
 * MD5, over pandas' own row hashes; the values differ from ours, the shape is the same.)
 *
 * Canonical serialisation, version 1 (all integers little-endian):
 *   "mfflow-table-v1\n", u32 column count, u32 row count, then per column:
 *   u32 byte length + UTF-8 name, one type byte ('n' number | 's' string), then the values:
 *   numbers as float64 (every NaN as 0x7FF8000000000000), strings as u32 byte length + UTF-8.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { DatasetInput } from '../tracking/types';
import type { DataTable, StoredDataset } from './types';
import { TAG } from '../tracking/tags';

const BLOCK = 1 << 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function tableDigest(table: DataTable): string {
  const h = md5.create();
  const out = new Writer((bytes) => h.update(bytes));
  out.bytes(utf8ToBytes('mfflow-table-v1\n'));
  out.u32(table.columns.length);
  out.u32(table.rowCount);
  table.columns.forEach((name, j) => {
    out.text(name);
    const col = table.data[j];
    if (col instanceof Float64Array) {
      out.bytes(utf8ToBytes('n'));
      out.f64s(col);
    } else {
      out.bytes(utf8ToBytes('s'));
      for (const v of col) out.text(v);
    }
  });
  out.flush();
  return bytesToHex(h.digest()).slice(0, 8);
}

/** MLflow's dataset ID: lowercase hex MD5 of the UTF-8 name followed by the UTF-8 digest. */
export function datasetId(name: string, digest: string): string {
  const a = utf8ToBytes(name);
  const b = utf8ToBytes(digest);
  const both = new Uint8Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  return bytesToHex(md5(both));
}

/** MLflow's source fields for where a dataset came from: a URL (`http`) or a local file. */
export function datasetSource(from: { url: string } | { fileName: string }): { sourceType: string; source: string } {
  if ('url' in from) {
    const type = /^https?:/i.test(from.url) ? 'http' : 'local';
    return { sourceType: type, source: pyJson(type === 'http' ? { url: from.url } : { uri: from.url }) };
  }
  return { sourceType: 'local', source: pyJson({ uri: from.fileName }) };
}

/**
 * The run input MLflow would log for this dataset. `required` follows MLflow's pandas schema
 * inference: a column is required when it has no missing values.
 */
export function toMlflowDataset(stored: StoredDataset, context?: string): DatasetInput {
  const t = stored.table;
  const missing = new Map(stored.profile.map((p) => [p.name, p.missing]));
  const colspec = t.columns.map((name, j) => ({
    type: t.types[j] === 'number' ? 'double' : 'string',
    name,
    required: (missing.get(name) ?? countMissing(t.data[j])) === 0,
  }));
  const tags: Record<string, string> = {};
  if (context !== undefined) tags[TAG.datasetContext] = context;
  return {
    dataset: {
      name: stored.name,
      digest: stored.digest,
      sourceType: stored.sourceType,
      source: stored.source,
      schema: pyJson({ mlflow_colspec: colspec }),
      profile: pyJson({ num_rows: t.rowCount, num_elements: t.rowCount * t.columns.length }),
    },
    tags,
  };
}

function countMissing(col: Float64Array | string[]): number {
  let n = 0;
  if (col instanceof Float64Array) for (const v of col) n += Number.isNaN(v) ? 1 : 0;
  return n;
}

/**
 * JSON as Python's `json.dumps` writes it by default (", " and ": " separators, non-ASCII as
 * \uXXXX), so the text we store is byte-for-byte what MLflow itself would store.
 */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  return `{${Object.entries(value as object)
    .map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`)
    .join(', ')}}`;
}

/** Buffers small writes into 64 KB blocks for the hash. */
class Writer {
  private buf = new Uint8Array(BLOCK);
  private view = new DataView(this.buf.buffer);
  private at = 0;
  private encoder = new TextEncoder();

  constructor(private sink: (bytes: Uint8Array) => void) {}

  private room(n: number): void {
    if (this.at + n > this.buf.length) this.flush();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }

  flush(): void {
    if (this.at > 0) this.sink(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  u32(n: number): void {
    this.room(4);
    this.view.setUint32(this.at, n, true);
    this.at += 4;
  }

  f64(v: number): void {
    this.room(8);
    if (Number.isNaN(v)) {
      // DataView may write any NaN bit pattern; fix one so the digest is the same everywhere.
      this.view.setUint32(this.at, 0, true);
      this.view.setUint32(this.at + 4, 0x7ff80000, true);
    } else this.view.setFloat64(this.at, v, true);
    this.at += 8;
  }

  /** Many float64s at once: a block copy, then NaNs rewritten in place (little-endian hosts). */
  f64s(values: Float64Array): void {
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < values.length; i++) this.f64(values[i]);
      return;
    }
    this.flush();
    const per = this.buf.length >> 3;
    const floats = new Float64Array(this.buf.buffer, 0, per);
    const words = new Uint32Array(this.buf.buffer, 0, per * 2);
    for (let start = 0; start < values.length; start += per) {
      const n = Math.min(per, values.length - start);
      floats.set(values.subarray(start, start + n));
      for (let i = 0; i < n; i++) {
        if (floats[i] !== floats[i]) {
          words[2 * i] = 0;
          words[2 * i + 1] = 0x7ff80000;
        }
      }
      this.sink(this.buf.subarray(0, n * 8));
    }
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  text(s: string): void {
    this.room(4 + s.length * 3);
    const { written } = this.encoder.encodeInto(s, this.buf.subarray(this.at + 4));
    this.view.setUint32(this.at, written, true);
    this.at += 4 + written;
  }
}
