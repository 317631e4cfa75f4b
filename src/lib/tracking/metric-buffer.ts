/**
 * Buffers metric points per run and key as growing columns, so logging a point costs an
 * array push and storage sees one batched write per flush (never one transaction per point).
 */
import type { MetricColumns } from './types';

class GrowingColumn {
  values = new Float64Array(64);
  steps = new Float64Array(64);
  timestamps = new Float64Array(64);
  length = 0;

  push(value: number, step: number, timestamp: number): void {
    if (this.length === this.values.length) this.grow();
    this.values[this.length] = value;
    this.steps[this.length] = step;
    this.timestamps[this.length] = timestamp;
    this.length++;
  }

  private grow(): void {
    const n = this.values.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.values = grow(this.values);
    this.steps = grow(this.steps);
    this.timestamps = grow(this.timestamps);
  }
}

export class MetricBuffer {
  private columns = new Map<string, GrowingColumn>();
  private points = 0;
  // Training loops log the same few keys in turn; remembering the last one skips most lookups.
  private lastKey: string | null = null;
  private lastColumn: GrowingColumn | null = null;

  get size(): number {
    return this.points;
  }

  push(key: string, value: number, step: number, timestamp: number): void {
    let col = key === this.lastKey ? this.lastColumn : this.columns.get(key);
    if (!col) {
      col = new GrowingColumn();
      this.columns.set(key, col);
    }
    this.lastKey = key;
    this.lastColumn = col;
    col.push(value, step, timestamp);
    this.points++;
  }

  /** Appends whole columns (e.g. a batch forwarded from a worker). */
  pushColumns(c: MetricColumns): void {
    for (let i = 0; i < c.values.length; i++) this.push(c.key, c.values[i], c.steps[i], c.timestamps[i]);
  }

  /** Takes everything buffered, as exact-length columns, and empties the buffer. */
  drain(): MetricColumns[] {
    const out: MetricColumns[] = [];
    for (const [key, col] of this.columns) {
      out.push({
        key,
        values: col.values.slice(0, col.length),
        steps: col.steps.slice(0, col.length),
        timestamps: col.timestamps.slice(0, col.length),
      });
    }
    this.columns.clear();
    this.points = 0;
    this.lastKey = null;
    this.lastColumn = null;
    return out;
  }

  /** Puts drained columns back in front, after a failed write, so nothing is lost. */
  restore(drained: MetricColumns[]): void {
    const later = this.drain();
    for (const c of drained) this.pushColumns(c);
    for (const c of later) this.pushColumns(c);
  }
}
