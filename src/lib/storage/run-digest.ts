/**
 * A canonical digest of a run's content, to tell "the same run again" (import adds nothing)
 * from "the same id with other content" (a conflict, reported and never overwritten).
 *
 * What counts as content: the run's info except its artifact URI (where the files live changes
 * with every store), params, tags (with `mlflow.runName` filled in as every export writes it),
 * each non-empty metric history in logging order, dataset inputs, and artifact paths and bytes.
 * Metric summaries are derived from the histories, and logged-model links are derived from the
 * artifacts, so neither is hashed.
 *
 * The hash is a non-cryptographic 2×32-bit multiply-xor hash (fast on typed arrays; no async
 * crypto.subtle needed). It guards against accidents, not against an adversary who wants a
 * conflicting run to look identical: such a run would only be skipped, never written.
 */
import type { BundleArtifact } from '../mlflow/bundle';
import type { DatasetInput, MetricColumns, Run } from '../tracking/types';
import { LAB_TAG, TAG } from '../tracking/tags';
import { dictGet, dictHas, type Dict } from '../util/dict';
import type { LazyReader, PreparedArtifact } from './prepared-import';

const enc = new TextEncoder();
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

export class ContentHasher {
  private a = 0x811c9dc5;
  private b = 0x2545f491;

  word(w: number): void {
    this.a = Math.imul(this.a ^ w, 0x01000193) >>> 0;
    this.b = Math.imul((this.b ^ w) + 0x9e3779b9, 0x85ebca6b) >>> 0;
    this.b ^= this.b >>> 13;
  }

  num(n: number): void {
    scratch[0] = n;
    this.word(scratchWords[0]);
    this.word(scratchWords[1]);
  }

  /** Length-prefixed, so ("ab","c") and ("a","bc") differ. */
  str(s: string | null | undefined): void {
    if (s === null || s === undefined) return this.word(0xffffffff);
    this.bytes(enc.encode(s));
  }

  bytes(u: Uint8Array): void {
    this.word(u.length);
    this.body(u);
  }

  /**
   * Bytes without their length word: `bytes(x)` is `word(x.length)` then `body` of consecutive
   * pieces of x, as long as every piece but the last is a multiple of 4 bytes long.
   */
  body(u: Uint8Array): void {
    const whole = u.length >>> 2;
    if ((u.byteOffset & 3) === 0) {
      const w = new Uint32Array(u.buffer, u.byteOffset, whole);
      for (let i = 0; i < whole; i++) this.word(w[i]);
    } else {
      for (let i = 0; i < whole; i++) this.word(u[4 * i] | (u[4 * i + 1] << 8) | (u[4 * i + 2] << 16) | (u[4 * i + 3] << 24));
    }
    for (let i = whole * 4; i < u.length; i++) this.word(u[i] | 0x100);
  }

  /** NaN payloads vary by producer; a text round trip makes them one NaN, so hash them as one. */
  floats(a: Float64Array): void {
    let x = a;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== a[i]) {
        x = Float64Array.from(a, (v) => (v !== v ? NaN : v));
        break;
      }
    }
    this.bytes(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

const byCodePoint = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

function dict(h: ContentHasher, d: Dict<string>): void {
  const keys = Object.keys(d).sort(byCodePoint);
  h.word(keys.length);
  for (const k of keys) (h.str(k), h.str(dictGet(d, k)));
}

function input(i: DatasetInput): string {
  const d = i.dataset;
  const tags = Object.keys(i.tags).sort(byCodePoint).map((k) => [k, dictGet(i.tags, k)]);
  return JSON.stringify([d.name, d.digest, d.sourceType, d.source, d.schema, d.profile, tags]);
}

/** The content a digest covers; `metrics` and `artifacts` may come in any order. */
export interface RunContentParts {
  run: Run;
  metrics: readonly MetricColumns[];
  artifacts: readonly BundleArtifact[];
}

export function runContentDigest(parts: RunContentParts): string {
  const h = contentHead(parts);
  const arts = [...parts.artifacts].sort((x, y) => byCodePoint(x.path, y.path));
  h.word(arts.length);
  for (const a of arts) (h.str(a.path), h.bytes(a.bytes));
  return h.hex();
}

/**
 * runContentDigest of a prepared run some of whose artifacts are `lazy` (a streamed import):
 * their bytes are read in pieces through `read` and hashed as they come, never whole.
 */
export async function runContentDigestStreamed(parts: RunContentParts & { artifacts: readonly PreparedArtifact[] }, read: LazyReader | undefined): Promise<string> {
  const h = contentHead(parts);
  const arts = [...parts.artifacts].sort((x, y) => byCodePoint(x.path, y.path));
  h.word(arts.length);
  for (const a of arts) {
    h.str(a.path);
    if (!a.lazy) {
      h.bytes(a.bytes);
      continue;
    }
    if (!read) throw new Error(`${a.path}: the import left this file in the archive but gave no way to read it`);
    h.word(a.lazy.size);
    for await (const piece of read(a.lazy.ref, PIECE)) h.body(piece);
  }
  return h.hex();
}

/** Pieces hashed at a time (a multiple of 4, see ContentHasher.body). */
const PIECE = 4 << 20;

function contentHead({ run, metrics }: RunContentParts): ContentHasher {
  const h = new ContentHasher();
  const i = run.info;
  for (const s of [i.runId, i.experimentId, i.runName, i.userId, i.status, i.lifecycleStage]) h.str(s);
  for (const n of [i.startTime, i.endTime ?? NaN, i.deletedTime ?? NaN]) h.num(n);
  dict(h, run.params);
  const tags = { ...run.tags };
  // Where a run was imported from is bookkeeping, not content: the same run imported twice is the same.
  delete tags[LAB_TAG.importSource];
  delete tags[LAB_TAG.importTime];
  if (!dictHas(tags, TAG.runName) && i.runName) Object.defineProperty(tags, TAG.runName, { value: i.runName, enumerable: true });
  dict(h, tags);
  const hist = metrics.filter((m) => m.values.length > 0).sort((x, y) => byCodePoint(x.key, y.key));
  h.word(hist.length);
  for (const m of hist) {
    h.str(m.key);
    h.floats(m.values);
    h.floats(m.steps);
    h.floats(m.timestamps);
  }
  const ins = run.inputs.map(input).sort(byCodePoint);
  h.word(ins.length);
  for (const s of ins) h.str(s);
  return h;
}
