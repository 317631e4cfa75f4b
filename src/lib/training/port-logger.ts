/**
 * The worker side of run logging: a RunLogger that buffers metric points per key in growable
 * Float64Arrays and ships them to the page's RunLoggerPort as column batches, at most every
 * `flushMs` (250 ms) or every `maxPoints` points, and on `flush()`. Per-point messages would
 * cost ~10 µs each on the page (docs/performance.md §6); a batch of columns costs about the same
 * as one point.
 */
import { MetricBuffer } from '../tracking/metric-buffer';
import type { LogBatchRequest } from '../tracking/types';
import type { LoggedFile, ParamValue, RunLogger } from '../tracking/run-logger';
import type { RunLoggerPort, TrainProgress } from './contract';

/** `Comlink.transfer` in a worker; the identity elsewhere. */
export type TransferFn = <T>(value: T, transferables: Transferable[]) => T;

export interface PortLoggerOptions {
  flushMs?: number;
  maxPoints?: number;
  transfer?: TransferFn;
  now?: () => number;
}

export function paramText(value: ParamValue): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

export class PortRunLogger implements RunLogger {
  private readonly buffer = new MetricBuffer();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  /** The last batch in the chain not yet sent: later batches join it (one message, one transaction). */
  private waiting: { batch: Required<LogBatchRequest>; done: Promise<void> } | null = null;
  /** Likewise the last files in the chain not yet sent, for a port that takes files together. */
  private waitingFiles: { files: (LoggedFile & { bytes: Uint8Array })[]; done: Promise<void> } | null = null;
  private readonly flushMs: number;
  private readonly maxPoints: number;
  private readonly transfer: TransferFn;
  private readonly now: () => number;

  constructor(private readonly port: RunLoggerPort, options: PortLoggerOptions = {}) {
    this.flushMs = options.flushMs ?? 250;
    this.maxPoints = options.maxPoints ?? 1000;
    this.transfer = options.transfer ?? ((v) => v);
    this.now = options.now ?? Date.now;
  }

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    const list = Object.keys(params).map((key) => ({ key, value: paramText(params[key]) }));
    // MLflow takes at most 100 params (and 100 tags) per batch.
    for (let i = 0; i < list.length; i += 100) await this.send({ params: list.slice(i, i + 100) });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    const list = Object.keys(tags).map((key) => ({ key, value: String(tags[key]) }));
    for (let i = 0; i < list.length; i += 100) await this.send({ tags: list.slice(i, i + 100) });
  }

  logMetric(key: string, value: number, step = 0, timestamp?: number): void {
    this.buffer.push(key, value, step, timestamp ?? this.now());
    if (this.buffer.size >= this.maxPoints) void this.flush().catch(() => undefined);
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush().catch(() => undefined);
      }, this.flushMs);
    }
  }

  logMetrics(metrics: Record<string, number>, step = 0, timestamp?: number): void {
    const ts = timestamp ?? this.now();
    for (const key of Object.keys(metrics)) this.logMetric(key, metrics[key], step, ts);
  }

  logText(text: string, artifactPath: string): Promise<void> {
    return this.logArtifact(artifactPath, new TextEncoder().encode(text), 'text/plain');
  }

  logDict(value: unknown, artifactPath: string): Promise<void> {
    // JSON is also valid YAML, so `.yaml` paths get readable, loadable content too.
    return this.logArtifact(artifactPath, new TextEncoder().encode(JSON.stringify(value, null, 2)), 'application/json');
  }

  async logArtifact(artifactPath: string, bytes: Uint8Array | ArrayBuffer, contentType?: string): Promise<void> {
    const own = owned(bytes);
    this.sendBuffered();
    await this.enqueue(() => this.port.logArtifact(artifactPath, this.transfer(own, [own.buffer as ArrayBuffer]), contentType));
  }

  /**
   * The files as one step of the ordered chain, done when the page has written them all. A port
   * with logArtifacts takes them in one message and one transaction (all or none); otherwise
   * they are sent at once, a file per call, the last one after the others. A model folder's ~10
   * files then cost one round trip instead of ten in series.
   */
  async logArtifacts(files: readonly LoggedFile[]): Promise<void> {
    const sent = files.map((f) => ({ ...f, bytes: owned(f.bytes) }));
    const port = this.port;
    this.sendBuffered();
    if (port.logArtifacts) {
      // Files logged while earlier ones still wait their turn go with them: a fit's model folder
      // and its plots become one message and one transaction (all or none) on the page.
      const w = this.waitingFiles;
      if (w) {
        w.files.push(...sent);
        return w.done;
      }
      const entry = { files: sent, done: Promise.resolve() };
      entry.done = this.enqueue(async () => {
        if (this.waitingFiles === entry) this.waitingFiles = null;
        await port.logArtifacts!(this.transfer(entry.files, [...new Set(entry.files.map((f) => f.bytes.buffer as ArrayBuffer))]));
      });
      this.waitingFiles = entry;
      return entry.done;
    }
    await this.enqueue(async () => {
      const one = (f: LoggedFile & { bytes: Uint8Array }) => port.logArtifact(f.path, this.transfer(f.bytes, [f.bytes.buffer as ArrayBuffer]), f.contentType);
      // The last file after the others (a model folder's MLmodel: the folder is a model once it exists).
      await Promise.all(sent.slice(0, -1).map(one));
      if (sent.length) await one(sent[sent.length - 1]);
    });
  }

  /** Sends throttled progress straight through (no ordering with logs is needed). */
  progress(update: TrainProgress): void {
    void Promise.resolve(this.port.progress(update)).catch(() => undefined);
  }

  /** Sends every buffered metric point; resolves once the page has taken all earlier calls. */
  async flush(): Promise<void> {
    this.sendBuffered();
    await this.chain;
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Puts the buffered points in the chain now: on flush, and before files (points logged before
   * a file reach the page before it, joining a batch still waiting, e.g. a fit's params and tags,
   * instead of a write of their own after the files).
   */
  private sendBuffered(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.size > 0) {
      // drain() gives exact-length copies the worker owns, so their buffers can be transferred.
      void this.send({ metrics: this.buffer.drain() }).catch(() => undefined);
    }
  }

  /**
   * Sends a batch after every earlier call. While the page is still writing an earlier one, the
   * batches that arrive meanwhile are merged (params, tags, metric columns: a fit's params, tags
   * and metrics become one write) unless a key would repeat or MLflow's 100 params or tags per
   * batch would be passed. drain() gives exact-length copies the worker owns, so the metric
   * buffers are transferred.
   */
  private send(batch: LogBatchRequest): Promise<void> {
    const w = this.waiting;
    if (w && joinable(w.batch, batch)) {
      w.batch.params.push(...(batch.params ?? []));
      w.batch.tags.push(...(batch.tags ?? []));
      w.batch.metrics.push(...(batch.metrics ?? []));
      return w.done;
    }
    const entry = { batch: { params: [...(batch.params ?? [])], tags: [...(batch.tags ?? [])], metrics: [...(batch.metrics ?? [])] }, done: Promise.resolve() };
    entry.done = this.enqueue(() => {
      if (this.waiting === entry) this.waiting = null;
      const { params, tags, metrics } = entry.batch;
      const out: LogBatchRequest = {};
      if (params.length) out.params = params;
      if (tags.length) out.tags = tags;
      if (metrics.length) out.metrics = metrics;
      const buffers = metrics.flatMap((m) => [m.values.buffer, m.steps.buffer, m.timestamps.buffer] as ArrayBuffer[]);
      return this.port.logBatch(this.transfer(out, buffers));
    }, true);
    this.waiting = entry;
    return entry.done;
  }

  /** Keeps calls to the port in order, so a metric flush never overtakes earlier params. */
  private enqueue(call: () => Promise<void>, batch = false): Promise<void> {
    // Nothing joins a batch queued before another kind of call (it would overtake that call),
    // and no files join files queued before any other call.
    if (!batch) this.waiting = null;
    this.waitingFiles = null;
    const next = this.chain.then(call);
    this.chain = next.catch((e) => {
      if (this.failure === null) this.failure = e;
    });
    return next;
  }
}

/** Whether `extra` can join `batch` without repeating a param or tag key or passing 100 of either. */
function joinable(batch: Required<LogBatchRequest>, extra: LogBatchRequest): boolean {
  const fits = (have: { key: string }[], add: { key: string }[] | undefined) => {
    if (!add?.length) return true;
    if (have.length + add.length > 100) return false;
    const keys = new Set(have.map((p) => p.key));
    return add.every((p) => !keys.has(p.key));
  };
  return fits(batch.params, extra.params) && fits(batch.tags, extra.tags);
}

/** Transfer a buffer we own outright; copy a view so the caller's larger buffer survives. */
function owned(bytes: Uint8Array | ArrayBuffer): Uint8Array {
  return bytes instanceof ArrayBuffer ? new Uint8Array(bytes)
    : bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
      ? bytes : bytes.slice();
}
