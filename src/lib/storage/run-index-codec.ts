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
import { F64, StringColumn, StringTable, U32, U8 } from './column-builders';
import type { RunIndexBody, StoredRun } from './schema';

export type { RunIndexBody };

/** Bumped whenever the layout changes; a body of another format is ignored and rebuilt. */
export const RUN_INDEX_FORMAT = 4;

/** String index meaning "absent" (ownerLock, inputs) or "the default" (artifactUri). */
const NONE = 0xffffffff;
/** Param or tag value index meaning "the run's name" (the mlflow.runName tag repeats it). */
const RUN_NAME = 0xfffffffe;
/** Shared-string indices per run: experimentId, userId, artifactUri, ownerLock, inputs JSON. */
const REFS = 5;
/** Times per run: startTime, endTime, deletedTime, heartbeatAt (NaN: null or absent). */
const TIMES = 4;
/**
 * A metric summary is stored as latest and timestamp, then only the fields that differ from
 * their usual value, as flagged: step (usually 0), min and max (often equal to latest), count
 * (often 1), sum (the latest value for one point), NaN count (usually 0); NO_SUM marks a summary
 * written before sums were kept. A one-point metric costs 16 bytes instead of 64.
 */
const HAS_STEP = 1, HAS_MIN = 2, HAS_MAX = 4, HAS_COUNT = 8, HAS_SUM = 16, NO_SUM = 32, HAS_NANS = 64;
/** How many summary numbers each flag adds (flags 0..127). */
const EXTRA_NUMBERS = Uint8Array.from({ length: 128 }, (_, f) =>
  (f & HAS_STEP ? 1 : 0) + (f & HAS_MIN ? 1 : 0) + (f & HAS_MAX ? 1 : 0) + (f & HAS_COUNT ? 1 : 0) + (f & HAS_SUM ? 1 : 0) + (f & HAS_NANS ? 1 : 0));
const LIFECYCLES = ['active', 'deleted'] as const;
const INFO_KEYS = 10;
const ARTIFACTS_PREFIX = 'mlflow-artifacts:/';
const ARTIFACTS_SUFFIX = '/artifacts';


export class RunIndexCorruptError extends Error {
  constructor(what: string) {
    super(`run index is corrupt: ${what}`);
  }
}

/** The artifact URI newRunRecord gives every run; stored as NONE to save space. */
export const defaultArtifactUri = (experimentId: string, runId: string) =>
  `${ARTIFACTS_PREFIX}${experimentId}/${runId}${ARTIFACTS_SUFFIX}`;

/** Same as `uri === defaultArtifactUri(e, id)`, without building a string per run. */
function isDefaultArtifactUri(uri: string, e: string, id: string): boolean {
  const p = ARTIFACTS_PREFIX.length;
  return uri.length === p + e.length + 1 + id.length + ARTIFACTS_SUFFIX.length && uri.startsWith(ARTIFACTS_PREFIX) &&
    uri.startsWith(e, p) && uri.charCodeAt(p + e.length) === 47 && uri.startsWith(id, p + e.length + 1) &&
    uri.endsWith(ARTIFACTS_SUFFIX);
}

const isTime = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
const isNullableTime = (x: unknown) => x === null || isTime(x);

function countKeys(o: object): number {
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n;
}

/** Which optional fields a summary must store (see HAS_STEP). */
function summaryFlags(s: MetricSummary): number {
  const sum = s.sum === undefined ? NO_SUM : Object.is(s.sum, s.latest) ? 0 : HAS_SUM;
  return (Object.is(s.step, 0) ? 0 : HAS_STEP) | (Object.is(s.min, s.latest) ? 0 : HAS_MIN) |
    (Object.is(s.max, s.latest) ? 0 : HAS_MAX) | (Object.is(s.count, 1) ? 0 : HAS_COUNT) | sum |
    (s.nans === undefined || Object.is(s.nans, 0) ? 0 : HAS_NANS);
}

/** Total params, tags, metrics and summary numbers, assuming every run fits the columns. */
function measureColumns(runs: readonly StoredRun[]) {
  let params = 0, tags = 0, metrics = 0, numbers = 0;
  for (const r of runs) {
    if (typeof r.params === 'object') for (const _ in r.params) params++;
    if (typeof r.tags === 'object') for (const _ in r.tags) tags++;
    if (typeof r.metrics === 'object') {
      for (const k in r.metrics) {
        const s = r.metrics[k];
        metrics++;
        if (typeof s !== 'object' || s === null) continue;
        const f = summaryFlags(s);
        numbers += 2 + EXTRA_NUMBERS[f];
      }
    }
  }
  return { params, tags, metrics, numbers };
}

export function encodeRunIndex(runs: readonly StoredRun[]): RunIndexBody {
  const n = runs.length;
  const table = new StringTable();
  const ids = new StringColumn(n), names = new StringColumn(n);
  // Exact sizes up front: every column is allocated once and never copied (allocating and
  // copying tens of MB of ArrayBuffers forced full GCs that doubled the encoding time).
  const size = measureColumns(runs);
  const refs = new U32(n * REFS), times = new F64(n * TIMES), codes = new Uint8Array(n * 2);
  const paramEnds = new U32(n), params = new U32(size.params * 2), tagEnds = new U32(n), tags = new U32(size.tags * 2);
  const metricEnds = new U32(n), metricKeys = new U32(size.metrics), metricFlags = new U8(size.metrics);
  const summaries = new F64(size.numbers);
  const whole: StoredRun[] = [];

  // Places for StringTable.refAt: 0 experimentId, 1 userId, then 64 per kind of dict entry.
  const PARAMS = 2, TAGS = 66, METRICS = 130, PLACES = 64;
  /** Pushes a dict's pairs; false (leaving junk past the caller's mark) if a value is not a string. */
  const pairs = (d: Dict<string>, into: U32, runName: string, places: number): boolean => {
    if (typeof d !== 'object' || d === null) return false;
    let j = 0;
    // for-in rather than Object.keys: same order, no array per run (records have no inherited keys).
    for (const k in d) {
      const v = d[k];
      if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(d, k)) return false;
      const place = places + 2 * (j++ % (PLACES / 2));
      into.push(table.refAt(place, k));
      into.push(v === runName ? RUN_NAME : table.refAt(place + 1, v));
    }
    return true;
  };
  const metrics = (d: Dict<MetricSummary>): boolean => {
    if (typeof d !== 'object' || d === null) return false;
    let j = 0;
    for (const k in d) {
      const s = d[k];
      if (typeof s !== 'object' || s === null || !Object.prototype.hasOwnProperty.call(d, k)) return false;
      const { latest, step, timestamp, min, max, count, sum, nans } = s;
      if (typeof latest !== 'number' || typeof step !== 'number' || typeof timestamp !== 'number' ||
        typeof min !== 'number' || typeof max !== 'number' || typeof count !== 'number' ||
        (sum !== undefined && typeof sum !== 'number') || (nans !== undefined && typeof nans !== 'number') ||
        ('sum' in s && sum === undefined) || ('nans' in s && nans === undefined)) return false;
      metricKeys.push(table.refAt(METRICS + (j++ % PLACES), k));
      summaries.push(latest);
      summaries.push(timestamp);
      const flags = summaryFlags(s);
      if (flags & HAS_STEP) summaries.push(step);
      if (flags & HAS_MIN) summaries.push(min);
      if (flags & HAS_MAX) summaries.push(max);
      if (flags & HAS_COUNT) summaries.push(count);
      if (flags & HAS_SUM) summaries.push(sum!);
      if (flags & HAS_NANS) summaries.push(nans!);
      metricFlags.push(flags);
    }
    return true;
  };

  let count = 0;
  for (const r of runs) {
    const i = r.info;
    const status = RUN_STATUSES.indexOf(i?.status);
    const lifecycle = LIFECYCLES.indexOf(i?.lifecycleStage);
    const extra = (r.ownerLock !== undefined ? 1 : 0) + (r.heartbeatAt !== undefined ? 1 : 0);
    const simple = status >= 0 && lifecycle >= 0 && typeof i.runId === 'string' && typeof i.experimentId === 'string' &&
      typeof i.runName === 'string' && typeof i.userId === 'string' && typeof i.artifactUri === 'string' &&
      isTime(i.startTime) && isNullableTime(i.endTime) && isNullableTime(i.deletedTime) &&
      (r.ownerLock === undefined || typeof r.ownerLock === 'string') && (r.heartbeatAt === undefined || isTime(r.heartbeatAt)) &&
      Array.isArray(r.inputs) && countKeys(r) === 5 + extra && countKeys(i) === INFO_KEYS;
    const p0 = params.length, t0 = tags.length, m0 = metricKeys.length, s0 = summaries.length;
    const f0 = metricFlags.length;
    if (!simple || !pairs(r.params, params, i.runName, PARAMS) || !pairs(r.tags, tags, i.runName, TAGS) || !metrics(r.metrics)) {
      params.length = p0; tags.length = t0; metricKeys.length = m0; metricFlags.length = f0; summaries.length = s0; // drop partial pairs
      whole.push(r);
      continue;
    }
    paramEnds.push(params.length / 2);
    tagEnds.push(tags.length / 2);
    metricEnds.push(metricKeys.length);
    ids.push(i.runId);
    names.push(i.runName);
    refs.push(table.refAt(0, i.experimentId));
    refs.push(table.refAt(1, i.userId));
    refs.push(isDefaultArtifactUri(i.artifactUri, i.experimentId, i.runId) ? NONE : table.ref(i.artifactUri));
    refs.push(r.ownerLock === undefined ? NONE : table.ref(r.ownerLock));
    refs.push(r.inputs.length === 0 ? NONE : table.ref(JSON.stringify(r.inputs)));
    codes[2 * count] = status;
    codes[2 * count + 1] = lifecycle;
    times.push(i.startTime);
    times.push(i.endTime ?? NaN);
    times.push(i.deletedTime ?? NaN);
    times.push(r.heartbeatAt ?? NaN);
    count++;
  }
  const [strings, stringEnds] = table.done();
  const [runIds, runIdEnds] = ids.done();
  const [runNames, runNameEnds] = names.done();
  return {
    format: RUN_INDEX_FORMAT, count, strings, stringEnds, runIds, runIdEnds, runNames, runNameEnds,
    refs: refs.done(), codes: codes.slice(0, 2 * count), times: times.done(), paramEnds: paramEnds.done(),
    params: params.done(), tagEnds: tagEnds.done(), tags: tags.done(), metricEnds: metricEnds.done(),
    metricKeys: metricKeys.done(), metricFlags: metricFlags.done(), summaries: summaries.done(), whole,
  };
}

/** Sets d[k] = v; only `__proto__` needs the slow own-property definition. */
function put<T>(d: Dict<T>, k: string, v: T): void {
  if (k === '__proto__') dictSet(d, k, v);
  else d[k] = v;
}

/** Throws RunIndexCorruptError unless every length, offset and index is in range. */
function checkShape(b: RunIndexBody): void {
  const fail = (what: string): never => { throw new RunIndexCorruptError(what); };
  if (typeof b !== 'object' || b === null || b.format !== RUN_INDEX_FORMAT) fail('unknown format');
  const n = b.count;
  const u32 = [b.stringEnds, b.runIdEnds, b.runNameEnds, b.refs, b.params, b.tags, b.paramEnds, b.tagEnds, b.metricEnds, b.metricKeys];
  if (!Number.isSafeInteger(n) || n < 0 || typeof b.strings !== 'string' || typeof b.runIds !== 'string' ||
    typeof b.runNames !== 'string' || !Array.isArray(b.whole) || u32.some((a) => !(a instanceof Uint32Array)) ||
    !(b.codes instanceof Uint8Array) || !(b.metricFlags instanceof Uint8Array) || !(b.times instanceof Float64Array) ||
    !(b.summaries instanceof Float64Array)) {
    fail('bad field types');
  }
  if (b.refs.length !== n * REFS || b.codes.length !== n * 2 || b.times.length !== n * TIMES ||
    b.runIdEnds.length !== n || b.runNameEnds.length !== n ||
    b.paramEnds.length !== n || b.tagEnds.length !== n || b.metricEnds.length !== n ||
    b.params.length % 2 !== 0 || b.tags.length % 2 !== 0 ||
    b.metricFlags.length !== b.metricKeys.length) fail('column lengths disagree');
  let numbers = 0;
  for (let i = 0; i < b.metricFlags.length; i++) {
    const f = b.metricFlags[i];
    if (f > 127 || (f & HAS_SUM && f & NO_SUM)) fail('unknown summary flags');
    numbers += 2 + EXTRA_NUMBERS[f];
  }
  if (numbers !== b.summaries.length) fail('summary numbers disagree with their flags');
  const ascending = (a: Uint32Array, total: number, what: string) => {
    let p = 0;
    const len = a.length;
    for (let i = 0; i < len; i++) { const x = a[i]; if (x < p) fail(`${what} go backwards`); p = x; }
    if (p !== total) fail(`${what} do not reach the end`);
  };
  ascending(b.stringEnds, b.strings.length, 'string offsets');
  ascending(b.runIdEnds, b.runIds.length, 'run id offsets');
  ascending(b.runNameEnds, b.runNames.length, 'run name offsets');
  ascending(b.paramEnds, b.params.length / 2, 'param offsets');
  ascending(b.tagEnds, b.tags.length / 2, 'tag offsets');
  ascending(b.metricEnds, b.metricKeys.length, 'metric offsets');
  const nStrings = b.stringEnds.length;
  const { refs, codes, metricKeys } = b;
  for (let i = 0; i < refs.length; i++) if (refs[i] >= nStrings && refs[i] !== NONE) fail('string index out of range');
  for (let i = 0; i < refs.length; i += REFS) if (refs[i] === NONE || refs[i + 1] === NONE) fail('missing string');
  for (const pairs of [b.params, b.tags]) {
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] >= nStrings || (pairs[i + 1] >= nStrings && pairs[i + 1] !== RUN_NAME)) fail('string index out of range');
    }
  }
  for (let i = 0; i < metricKeys.length; i++) if (metricKeys[i] >= nStrings) fail('string index out of range');
  for (let i = 0; i < n; i++) {
    if (codes[2 * i] >= RUN_STATUSES.length || codes[2 * i + 1] >= LIFECYCLES.length) fail('unknown status code');
  }
}

function split(big: string, ends: Uint32Array): string[] {
  const out = new Array<string>(ends.length);
  for (let i = 0, start = 0; i < ends.length; i++) {
    out[i] = big.slice(start, ends[i]);
    start = ends[i];
  }
  return out;
}

/** The runs of a body, as fresh objects the caller owns. Throws RunIndexCorruptError on a damaged body. */
export function decodeRunIndex(b: RunIndexBody): StoredRun[] {
  checkShape(b);
  const strs = split(b.strings, b.stringEnds);
  const runIds = split(b.runIds, b.runIdEnds);
  const runNames = split(b.runNames, b.runNameEnds);
  const { refs, codes, times, params, tags, paramEnds, tagEnds, metricEnds, metricKeys, metricFlags, summaries } = b;
  const out = new Array<StoredRun>(b.count);
  let p = 0, t = 0, m = 0, o = 0;
  for (let r = 0; r < b.count; r++) {
    const ro = r * REFS, to = r * TIMES;
    const runId = runIds[r];
    const runName = runNames[r];
    const experimentId = strs[refs[ro]];
    const endTime = times[to + 1], deletedTime = times[to + 2];
    const run: StoredRun = {
      info: {
        runId, experimentId, runName, userId: strs[refs[ro + 1]],
        status: RUN_STATUSES[codes[2 * r]], startTime: times[to], endTime: Number.isNaN(endTime) ? null : endTime,
        lifecycleStage: LIFECYCLES[codes[2 * r + 1]], deletedTime: Number.isNaN(deletedTime) ? null : deletedTime,
        artifactUri: refs[ro + 2] === NONE ? defaultArtifactUri(experimentId, runId) : strs[refs[ro + 2]],
      },
      params: {}, tags: {}, metrics: {},
      inputs: refs[ro + 4] === NONE ? [] : (JSON.parse(strs[refs[ro + 4]]) as DatasetInput[]),
    };
    for (const e = paramEnds[r]; p < e; p++) {
      const v = params[2 * p + 1];
      put(run.params, strs[params[2 * p]], v === RUN_NAME ? runName : strs[v]);
    }
    for (const e = tagEnds[r]; t < e; t++) {
      const v = tags[2 * t + 1];
      put(run.tags, strs[tags[2 * t]], v === RUN_NAME ? runName : strs[v]);
    }
    for (const e = metricEnds[r]; m < e; m++) {
      const f = metricFlags[m];
      const latest = summaries[o++], timestamp = summaries[o++];
      const step = f & HAS_STEP ? summaries[o++] : 0;
      const min = f & HAS_MIN ? summaries[o++] : latest;
      const max = f & HAS_MAX ? summaries[o++] : latest;
      const count = f & HAS_COUNT ? summaries[o++] : 1;
      const s: MetricSummary = { latest, step, timestamp, min, max, count };
      if (!(f & NO_SUM)) s.sum = f & HAS_SUM ? summaries[o++] : latest;
      if (f & HAS_NANS) s.nans = summaries[o++];
      put(run.metrics, strs[metricKeys[m]], s);
    }
    if (refs[ro + 3] !== NONE) run.ownerLock = strs[refs[ro + 3]];
    const heartbeat = times[to + 3];
    if (!Number.isNaN(heartbeat)) run.heartbeatAt = heartbeat;
    out[r] = run;
  }
  for (const w of b.whole) out.push(w);
  return out;
}
