/**
 * The run index: every run record of the lab encoded as a handful of columns, so opening a lab
 * of 100,000 runs reads one large record instead of 100,000 small ones (IndexedDB pays tens of
 * µs per record, whatever its size). Pure functions; run-index.ts stores and merges the result.
 *
 * Layout: one string table (all distinct strings joined, with end offsets), per-run fixed
 * fields as typed arrays (string indices, status codes, times with NaN for null), and flat
 * arrays for params, tags and metric summaries with per-run end offsets. Inputs are rare and
 * nested, so they are kept as JSON text in the string table. A run the columns cannot hold
 * exactly (an unexpected field or value) is kept whole, so encoding never loses anything.
 */
import { RUN_STATUSES, type DatasetInput, type MetricSummary } from '../tracking/types';
import { dictSet, type Dict } from '../util/dict';
import type { StoredRun } from './schema';

/** Bumped whenever the layout changes; a body of another format is ignored and rebuilt. */
export const RUN_INDEX_FORMAT = 1;

/** String index meaning "absent" (ownerLock, inputs) or "the default" (artifactUri). */
const NONE = 0xffffffff;
/** String indices per run: runId, experimentId, runName, userId, artifactUri, ownerLock, inputs JSON. */
const REFS = 7;
/** Times per run: startTime, endTime, deletedTime, heartbeatAt (NaN: null or absent). */
const TIMES = 4;
/** Numbers per metric summary: latest, step, timestamp, min, max, count. */
const SUMMARY = 6;
const LIFECYCLES = ['active', 'deleted'] as const;
const INFO_KEYS = 10;

export interface RunIndexBody {
  format: number;
  count: number;
  strings: string;
  /** End offset in `strings` of each distinct string; it starts where the previous one ends. */
  stringEnds: Uint32Array;
  refs: Uint32Array;
  /** Per run: index in RUN_STATUSES, then index in LIFECYCLES. */
  codes: Uint8Array;
  times: Float64Array;
  /** Per run: how many (key, value) pairs precede the end of its params; likewise tags, metrics. */
  paramEnds: Uint32Array;
  params: Uint32Array;
  tagEnds: Uint32Array;
  tags: Uint32Array;
  metricEnds: Uint32Array;
  metricKeys: Uint32Array;
  summaries: Float64Array;
  /** Runs kept as they are because the columns cannot represent them exactly. */
  whole: StoredRun[];
}

export class RunIndexCorruptError extends Error {
  constructor(what: string) {
    super(`run index is corrupt: ${what}`);
  }
}

/** MLflow-style artifact URI that newRunRecord gives every run; stored as NONE to save space. */
export const defaultArtifactUri = (experimentId: string, runId: string) =>
  `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;

class Growing<A extends Uint32Array | Float64Array> {
  length = 0;
  constructor(public data: A) {}
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => A)(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  done(): A {
    return this.data.slice(0, this.length) as A;
  }
}

class StringTable {
  private readonly index = new Map<string, number>();
  private readonly parts: string[] = [];
  private readonly ends = new Growing(new Uint32Array(1024));
  private size = 0;

  ref(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.parts.length;
      this.index.set(s, i);
      this.parts.push(s);
      this.size += s.length;
      this.ends.push(this.size);
    }
    return i;
  }

  done(): { strings: string; stringEnds: Uint32Array } {
    if (this.size > 0xfffffffe) throw new RangeError('run index strings exceed 4 GiB');
    return { strings: this.parts.join(''), stringEnds: this.ends.done() };
  }
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isTime = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
const isNullableTime = (x: unknown) => x === null || isTime(x);

function countKeys(o: object): number {
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n;
}

function allStrings(d: unknown): boolean {
  if (typeof d !== 'object' || d === null) return false;
  for (const k of Object.keys(d)) if (!isString((d as Dict<unknown>)[k])) return false;
  return true;
}

function allSummaries(d: unknown): boolean {
  if (typeof d !== 'object' || d === null) return false;
  for (const k of Object.keys(d)) {
    const s = (d as Dict<MetricSummary | null>)[k];
    if (typeof s !== 'object' || s === null || countKeys(s) !== SUMMARY) return false;
    if (typeof s.latest !== 'number' || typeof s.step !== 'number' || typeof s.timestamp !== 'number' ||
      typeof s.min !== 'number' || typeof s.max !== 'number' || typeof s.count !== 'number') return false;
  }
  return true;
}

/** True when the columns hold `r` exactly; anything else is stored whole. */
function fitsColumns(r: StoredRun): boolean {
  const i = r.info;
  if (typeof i !== 'object' || i === null || countKeys(i) !== INFO_KEYS) return false;
  const extra = (r.ownerLock !== undefined ? 1 : 0) + (r.heartbeatAt !== undefined ? 1 : 0);
  if (countKeys(r) !== 5 + extra) return false;
  return isString(i.runId) && isString(i.experimentId) && isString(i.runName) && isString(i.userId) &&
    isString(i.artifactUri) && RUN_STATUSES.includes(i.status) && LIFECYCLES.includes(i.lifecycleStage) &&
    isTime(i.startTime) && isNullableTime(i.endTime) && isNullableTime(i.deletedTime) &&
    (r.ownerLock === undefined || isString(r.ownerLock)) && (r.heartbeatAt === undefined || isTime(r.heartbeatAt)) &&
    allStrings(r.params) && allStrings(r.tags) && allSummaries(r.metrics) && Array.isArray(r.inputs);
}

export function encodeRunIndex(runs: Iterable<StoredRun>): RunIndexBody {
  const table = new StringTable();
  const refs = new Growing(new Uint32Array(1024));
  const codes: number[] = [];
  const times = new Growing(new Float64Array(1024));
  const paramEnds = new Growing(new Uint32Array(1024));
  const params = new Growing(new Uint32Array(1024));
  const tagEnds = new Growing(new Uint32Array(1024));
  const tags = new Growing(new Uint32Array(1024));
  const metricEnds = new Growing(new Uint32Array(1024));
  const metricKeys = new Growing(new Uint32Array(1024));
  const summaries = new Growing(new Float64Array(1024));
  const whole: StoredRun[] = [];
  const pairs = (d: Dict<string>, into: Growing<Uint32Array>) => {
    for (const k of Object.keys(d)) {
      into.push(table.ref(k));
      into.push(table.ref(d[k]));
    }
  };
  let count = 0;
  for (const r of runs) {
    if (!fitsColumns(r)) {
      whole.push(r);
      continue;
    }
    count++;
    const i = r.info;
    refs.push(table.ref(i.runId));
    refs.push(table.ref(i.experimentId));
    refs.push(table.ref(i.runName));
    refs.push(table.ref(i.userId));
    refs.push(i.artifactUri === defaultArtifactUri(i.experimentId, i.runId) ? NONE : table.ref(i.artifactUri));
    refs.push(r.ownerLock === undefined ? NONE : table.ref(r.ownerLock));
    refs.push(r.inputs.length === 0 ? NONE : table.ref(JSON.stringify(r.inputs)));
    codes.push(RUN_STATUSES.indexOf(i.status), LIFECYCLES.indexOf(i.lifecycleStage));
    times.push(i.startTime);
    times.push(i.endTime ?? NaN);
    times.push(i.deletedTime ?? NaN);
    times.push(r.heartbeatAt ?? NaN);
    pairs(r.params, params);
    paramEnds.push(params.length / 2);
    pairs(r.tags, tags);
    tagEnds.push(tags.length / 2);
    for (const k of Object.keys(r.metrics)) {
      const s = r.metrics[k];
      metricKeys.push(table.ref(k));
      summaries.push(s.latest); summaries.push(s.step); summaries.push(s.timestamp);
      summaries.push(s.min); summaries.push(s.max); summaries.push(s.count);
    }
    metricEnds.push(metricKeys.length);
  }
  return {
    format: RUN_INDEX_FORMAT, count, ...table.done(), refs: refs.done(), codes: Uint8Array.from(codes),
    times: times.done(), paramEnds: paramEnds.done(), params: params.done(), tagEnds: tagEnds.done(),
    tags: tags.done(), metricEnds: metricEnds.done(), metricKeys: metricKeys.done(), summaries: summaries.done(),
    whole,
  };
}

/** Sets d[k] = v; only `__proto__` needs the slow own-property definition. */
function put<T>(d: Dict<T>, k: string, v: T): void {
  if (k === '__proto__') dictSet(d, k, v);
  else d[k] = v;
}

/** Throws RunIndexCorruptError unless every length, offset and index is in range. */
function checkShape(b: RunIndexBody): void {
  const fail = (what: string) => { throw new RunIndexCorruptError(what); };
  if (typeof b !== 'object' || b === null || b.format !== RUN_INDEX_FORMAT) fail('unknown format');
  const n = b.count;
  const typed = [b.stringEnds, b.refs, b.params, b.tags, b.paramEnds, b.tagEnds, b.metricEnds, b.metricKeys];
  if (!Number.isSafeInteger(n) || n < 0 || typeof b.strings !== 'string' || !Array.isArray(b.whole) ||
    typed.some((a) => !(a instanceof Uint32Array)) || !(b.codes instanceof Uint8Array) ||
    !(b.times instanceof Float64Array) || !(b.summaries instanceof Float64Array)) fail('bad field types');
  if (b.refs.length !== n * REFS || b.codes.length !== n * 2 || b.times.length !== n * TIMES ||
    b.paramEnds.length !== n || b.tagEnds.length !== n || b.metricEnds.length !== n ||
    b.params.length % 2 !== 0 || b.tags.length % 2 !== 0 ||
    b.summaries.length !== b.metricKeys.length * SUMMARY) fail('column lengths disagree');
  const nStrings = b.stringEnds.length;
  let prev = 0;
  for (let i = 0; i < nStrings; i++) {
    const e = b.stringEnds[i];
    if (e < prev) fail('string offsets go backwards');
    prev = e;
  }
  if (prev !== b.strings.length) fail('string table length');
  const inRange = (a: Uint32Array, allowNone: boolean) => {
    for (let i = 0; i < a.length; i++) if (a[i] >= nStrings && !(allowNone && a[i] === NONE)) fail('string index out of range');
  };
  inRange(b.refs, true);
  inRange(b.params, false);
  inRange(b.tags, false);
  inRange(b.metricKeys, false);
  const ends = (a: Uint32Array, total: number) => {
    let p = 0;
    for (let i = 0; i < a.length; i++) { if (a[i] < p) fail('run offsets go backwards'); p = a[i]; }
    if (p !== total) fail('run offsets do not reach the end');
  };
  ends(b.paramEnds, b.params.length / 2);
  ends(b.tagEnds, b.tags.length / 2);
  ends(b.metricEnds, b.metricKeys.length);
  for (let i = 0; i < n; i++) {
    if (b.codes[2 * i] >= RUN_STATUSES.length || b.codes[2 * i + 1] >= LIFECYCLES.length) fail('unknown status code');
  }
}

/** The runs of a body, as fresh objects the caller owns. Throws RunIndexCorruptError on a damaged body. */
export function decodeRunIndex(b: RunIndexBody): StoredRun[] {
  checkShape(b);
  const big = b.strings;
  const ends = b.stringEnds;
  const strs = new Array<string>(ends.length);
  for (let i = 0, start = 0; i < ends.length; i++) {
    strs[i] = big.slice(start, ends[i]);
    start = ends[i];
  }
  const { refs, codes, times, params, tags, paramEnds, tagEnds, metricEnds, metricKeys, summaries } = b;
  const out = new Array<StoredRun>(b.count);
  let p = 0, t = 0, m = 0;
  for (let r = 0; r < b.count; r++) {
    const ro = r * REFS, to = r * TIMES;
    const runId = strs[refs[ro]];
    const experimentId = strs[refs[ro + 1]];
    const endTime = times[to + 1], deletedTime = times[to + 2];
    const run: StoredRun = {
      info: {
        runId, experimentId, runName: strs[refs[ro + 2]], userId: strs[refs[ro + 3]],
        status: RUN_STATUSES[codes[2 * r]], startTime: times[to], endTime: Number.isNaN(endTime) ? null : endTime,
        lifecycleStage: LIFECYCLES[codes[2 * r + 1]], deletedTime: Number.isNaN(deletedTime) ? null : deletedTime,
        artifactUri: refs[ro + 4] === NONE ? defaultArtifactUri(experimentId, runId) : strs[refs[ro + 4]],
      },
      params: {}, tags: {}, metrics: {},
      inputs: refs[ro + 6] === NONE ? [] : (JSON.parse(strs[refs[ro + 6]]) as DatasetInput[]),
    };
    for (const e = paramEnds[r]; p < e; p++) put(run.params, strs[params[2 * p]], strs[params[2 * p + 1]]);
    for (const e = tagEnds[r]; t < e; t++) put(run.tags, strs[tags[2 * t]], strs[tags[2 * t + 1]]);
    for (const e = metricEnds[r]; m < e; m++) {
      const s = m * SUMMARY;
      put(run.metrics, strs[metricKeys[m]], {
        latest: summaries[s], step: summaries[s + 1], timestamp: summaries[s + 2],
        min: summaries[s + 3], max: summaries[s + 4], count: summaries[s + 5],
      });
    }
    if (refs[ro + 5] !== NONE) run.ownerLock = strs[refs[ro + 5]];
    const heartbeat = times[to + 3];
    if (!Number.isNaN(heartbeat)) run.heartbeatAt = heartbeat;
    out[r] = run;
  }
  for (const w of b.whole) out.push(w);
  return out;
}
