/**
 * A RunLogger and RunLoggerPort that keeps everything in memory: for tests, dry runs and any
 * caller that wants the logged values without storage. It records what it is given, as is.
 */
import type { LogBatchRequest } from '../tracking/types';
import type { ParamValue, RunLogger } from '../tracking/run-logger';
import type { RunLoggerPort, TrainProgress } from './contract';
import { paramText } from './port-logger';

export interface MetricPoint {
  value: number;
  step: number;
  timestamp: number;
}

export class MemoryRunLogger implements RunLogger, RunLoggerPort {
  readonly params = new Map<string, string>();
  readonly tags = new Map<string, string>();
  readonly metrics = new Map<string, MetricPoint[]>();
  readonly artifacts = new Map<string, { bytes: Uint8Array; contentType?: string }>();
  readonly progressUpdates: TrainProgress[] = [];
  /** How many logBatch calls carried metrics (to check batching). */
  metricBatches = 0;

  async logParams(params: Record<string, ParamValue>): Promise<void> {
    for (const key of Object.keys(params)) this.params.set(key, paramText(params[key]));
  }

  logMetric(key: string, value: number, step = 0, timestamp = Date.now()): void {
    let list = this.metrics.get(key);
    if (!list) this.metrics.set(key, (list = []));
    list.push({ value, step, timestamp });
  }

  logMetrics(metrics: Record<string, number>, step = 0, timestamp = Date.now()): void {
    for (const key of Object.keys(metrics)) this.logMetric(key, metrics[key], step, timestamp);
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    for (const key of Object.keys(tags)) this.tags.set(key, tags[key]);
  }

  async logText(text: string, artifactPath: string): Promise<void> {
    this.artifacts.set(artifactPath, { bytes: new TextEncoder().encode(text), contentType: 'text/plain' });
  }

  async logDict(value: unknown, artifactPath: string): Promise<void> {
    await this.logText(JSON.stringify(value, null, 2), artifactPath);
  }

  async logArtifact(artifactPath: string, bytes: Uint8Array | ArrayBuffer, contentType?: string): Promise<void> {
    const copy = bytes instanceof ArrayBuffer ? new Uint8Array(bytes.slice(0)) : bytes.slice();
    this.artifacts.set(artifactPath, { bytes: copy, contentType });
  }

  // RunLoggerPort
  async logBatch(batch: LogBatchRequest): Promise<void> {
    for (const p of batch.params ?? []) this.params.set(p.key, p.value);
    for (const t of batch.tags ?? []) this.tags.set(t.key, t.value);
    if (batch.metrics?.length) this.metricBatches++;
    for (const m of batch.metrics ?? []) {
      for (let i = 0; i < m.values.length; i++) this.logMetric(m.key, m.values[i], m.steps[i], m.timestamps[i]);
    }
  }

  progress(update: TrainProgress): void {
    this.progressUpdates.push(update);
  }

  /** The history of one metric, in logging order. */
  history(key: string): MetricPoint[] {
    return this.metrics.get(key) ?? [];
  }

  /** The last value logged for a key (NaN when never logged). */
  last(key: string): number {
    const h = this.history(key);
    return h.length ? h[h.length - 1].value : NaN;
  }

  text(path: string): string {
    const a = this.artifacts.get(path);
    if (!a) throw new Error(`no artifact ${path}`);
    return new TextDecoder().decode(a.bytes);
  }
}
