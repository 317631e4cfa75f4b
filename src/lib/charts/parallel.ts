/**
 * Parallel coordinates over runs: one vertical axis per param (those that differ first) and a
 * metric as the last axis; one polyline per run. Brushes are ranges on axes in the axis' 0..1
 * units; a run is "in" when it has a value inside every brush.
 */
import type { Run } from '../tracking/types';
import { runAxis, type RunAxis } from './axis-scale';
import { fieldName, fieldValue, type FieldRef } from './fields';

export interface ParallelAxis extends RunAxis {
  field: FieldRef;
  label: string;
}

/** A brush: keep runs whose position on the axis lies in [lo, hi] (0..1, lo ≤ hi). */
export interface Brush {
  lo: number;
  hi: number;
}

export function parallelAxes(runs: readonly Run[], fields: readonly FieldRef[]): ParallelAxis[] {
  return fields.map((field) => ({
    ...runAxis(runs.map((r) => fieldValue(r, field))),
    field,
    label: field.key,
  }));
}

/** Which runs pass every brush (keyed by fieldName); brushes on unknown axes are ignored. */
export function brushedMask(axes: readonly ParallelAxis[], brushes: ReadonlyMap<string, Brush>, runCount: number): Uint8Array {
  const mask = new Uint8Array(runCount).fill(1);
  for (const axis of axes) {
    const b = brushes.get(fieldName(axis.field));
    if (!b) continue;
    for (let i = 0; i < runCount; i++) {
      const p = axis.positions[i];
      if (!(p >= b.lo && p <= b.hi)) mask[i] = 0;
    }
  }
  return mask;
}

/** Normalises a drag between two axis positions into a brush, clamped to 0..1. */
export function brushFrom(a: number, b: number): Brush {
  const c = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  return { lo: c(Math.min(a, b)), hi: c(Math.max(a, b)) };
}

/** Brushes as URL text: `field:lo:hi` joined by `|` (fields may hold ':' so the numbers go last). */
export function brushesToText(brushes: ReadonlyMap<string, Brush>): string {
  return [...brushes].map(([f, b]) => `${f}:${+b.lo.toFixed(4)}:${+b.hi.toFixed(4)}`).join('|');
}

export function brushesFromText(text: string | null): Map<string, Brush> {
  const out = new Map<string, Brush>();
  if (!text) return out;
  for (const part of text.split('|')) {
    const m = /^(.*):([^:]+):([^:]+)$/.exec(part);
    if (!m) continue;
    const lo = Number(m[2]);
    const hi = Number(m[3]);
    if (Number.isFinite(lo) && Number.isFinite(hi)) out.set(m[1], brushFrom(lo, hi));
  }
  return out;
}

/**
 * Params worth an axis: only those that differ between runs (a constant param is a flat,
 * uninformative axis), capped to keep the plot readable.
 */
export function defaultParallelParams(runs: readonly Run[], keys: readonly string[], max = 8): FieldRef[] {
  const differs = (k: string) => {
    const first = fieldValue(runs[0], { kind: 'param', key: k });
    return runs.some((r) => fieldValue(r, { kind: 'param', key: k }) !== first);
  };
  return keys.filter(differs).slice(0, max).map((key) => ({ kind: 'param', key }));
}
