// Shared helpers for the storage tests (not a test file itself).
import { TrackingStore, type TrackingStoreOptions } from '../../src/lib/storage/tracking-store';
import type { MetricColumns } from '../../src/lib/tracking/types';

let counter = 0;
export function uniqueDbName(prefix = 'mfflow-test'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
}

export async function openStore(options: TrackingStoreOptions = {}): Promise<TrackingStore> {
  return TrackingStore.open({ dbName: uniqueDbName(), ...options });
}

export function cols(key: string, points: [step: number, value: number, timestamp: number][]): MetricColumns {
  return {
    key,
    steps: Float64Array.from(points.map((p) => p[0])),
    values: Float64Array.from(points.map((p) => p[1])),
    timestamps: Float64Array.from(points.map((p) => p[2])),
  };
}

/** A clock the tests control: every call returns the next millisecond. */
export function tickingClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => t++;
}
