/**
 * Hyperparameter sweeps: grid search (every combination of listed values) and random search
 * (n seeded samples from uniform, log-uniform or categorical ranges), plus picking the best
 * child run by a metric. Each child is a full params record that validateTrainSpec accepts.
 */
import { MT19937 } from '../ml/mt19937';
import type { HyperValue, ModelKind } from './contract';
import { coerceParam, paramSchema } from './params';
import type { FieldError } from './validate';

export type SweepRange =
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'loguniform'; min: number; max: number }
  | { kind: 'choice'; choices: HyperValue[] };

export type SweepSpec =
  | { strategy: 'grid'; params: Record<string, HyperValue[]> }
  | { strategy: 'random'; params: Record<string, SweepRange>; samples: number; seed: number };

/** More children than this is almost certainly a typo, and would flood the run table. */
export const MAX_SWEEP_RUNS = 1000;

export type SweepResult = { ok: true; children: Record<string, HyperValue>[] } | { ok: false; errors: FieldError[] };

/** Uniform double in [0, 1) from two 32-bit draws (53 bits, numpy's `random_sample`). */
function uniform01(rng: MT19937): number {
  const a = rng.nextUint32() >>> 5;
  const b = rng.nextUint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

export function gridSize(params: Record<string, readonly unknown[]>): number {
  return Object.values(params).reduce((n, values) => n * values.length, 1);
}

/**
 * Expands a sweep into child param sets, each merged over `base` and checked against the
 * model's schema (so an int param sampled from a range comes out whole).
 */
export function expandSweep(model: ModelKind, sweep: SweepSpec, base: Record<string, HyperValue> = {}): SweepResult {
  const schema = paramSchema(model);
  const errors: FieldError[] = [];
  const names = Object.keys(sweep.params);
  if (names.length === 0) errors.push({ field: 'sweep.params', message: 'choose at least one parameter to sweep' });
  for (const name of names) {
    const s = schema.find((p) => p.name === name);
    if (!s) errors.push({ field: `sweep.params.${name}`, message: `${model} has no parameter "${name}"` });
  }

  let raw: Record<string, HyperValue>[] = [];
  if (sweep.strategy === 'grid') {
    for (const name of names) {
      if (!Array.isArray(sweep.params[name]) || sweep.params[name].length === 0) {
        errors.push({ field: `sweep.params.${name}`, message: 'list at least one value' });
      }
    }
    const size = errors.length ? 0 : gridSize(sweep.params);
    if (size > MAX_SWEEP_RUNS) errors.push({ field: 'sweep', message: `the grid has ${size} combinations; at most ${MAX_SWEEP_RUNS}` });
    if (errors.length) return { ok: false, errors };
    // Cartesian product; the last parameter varies fastest (as itertools.product).
    raw = [{}];
    for (const name of names) {
      raw = raw.flatMap((partial) => sweep.params[name].map((v) => ({ ...partial, [name]: v })));
    }
  } else {
    if (!Number.isInteger(sweep.samples) || sweep.samples < 1 || sweep.samples > MAX_SWEEP_RUNS) {
      errors.push({ field: 'sweep.samples', message: `must be a whole number from 1 to ${MAX_SWEEP_RUNS}` });
    }
    if (!Number.isInteger(sweep.seed) || sweep.seed < 0 || sweep.seed > 0xffffffff) {
      errors.push({ field: 'sweep.seed', message: 'must be a whole number between 0 and 4294967295' });
    }
    for (const name of names) {
      const r = sweep.params[name];
      const field = `sweep.params.${name}`;
      if (r.kind === 'choice') {
        if (!Array.isArray(r.choices) || r.choices.length === 0) errors.push({ field, message: 'list at least one choice' });
      } else if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max)) {
        errors.push({ field, message: 'needs finite min ≤ max' });
      } else if (r.kind === 'loguniform' && !(r.min > 0)) {
        errors.push({ field, message: 'a log-uniform range needs min > 0' });
      }
    }
    if (errors.length) return { ok: false, errors };
    const rng = new MT19937(sweep.seed);
    for (let i = 0; i < sweep.samples; i++) {
      const child: Record<string, HyperValue> = {};
      for (const name of names) {
        const r = sweep.params[name];
        const isInt = schema.find((p) => p.name === name)!.kind === 'int';
        if (r.kind === 'choice') child[name] = r.choices[rng.interval(r.choices.length - 1)];
        else if (isInt) {
          const lo = Math.ceil(r.min), hi = Math.floor(r.max);
          if (r.kind === 'uniform') child[name] = lo + rng.interval(Math.max(0, hi - lo));
          else child[name] = Math.min(hi, Math.max(lo, Math.round(Math.exp(Math.log(r.min) + uniform01(rng) * (Math.log(r.max) - Math.log(r.min))))));
        } else if (r.kind === 'uniform') child[name] = r.min + uniform01(rng) * (r.max - r.min);
        else child[name] = Math.exp(Math.log(r.min) + uniform01(rng) * (Math.log(r.max) - Math.log(r.min)));
      }
      raw.push(child);
    }
  }

  const children: Record<string, HyperValue>[] = [];
  raw.forEach((child, i) => {
    const full: Record<string, HyperValue> = { ...base, ...child };
    for (const name of names) {
      const res = coerceParam(schema.find((p) => p.name === name)!, full[name]);
      if ('error' in res) errors.push({ field: `sweep.params.${name}`, message: `value ${String(full[name])} (child ${i + 1}): ${name} ${res.error}` });
      else full[name] = res.value;
    }
    children.push(full);
  });
  if (errors.length) return { ok: false, errors: dedupe(errors) };
  return { ok: true, children };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(`${e.field}\u0000${e.message}`) && !!seen.add(`${e.field}\u0000${e.message}`));
}

export type Direction = 'min' | 'max';

/** Scores where bigger is better; everything else (losses, errors) is minimised. */
export function defaultDirection(metric: string): Direction {
  return /^(val_|test_|train_)?(r2|accuracy|precision|recall|f1)(_|$)/.test(metric) ? 'max' : 'min';
}

/**
 * Index of the best child by `metric` (children without a finite value are skipped; ties keep
 * the earliest), or -1 when none has it.
 */
export function bestChild(children: readonly { metrics: Record<string, number> }[], metric: string, direction: Direction = defaultDirection(metric)): number {
  let best = -1;
  let bestValue = 0;
  children.forEach((c, i) => {
    const v = Object.prototype.hasOwnProperty.call(c.metrics, metric) ? c.metrics[metric] : NaN;
    if (!Number.isFinite(v)) return;
    if (best < 0 || (direction === 'min' ? v < bestValue : v > bestValue)) {
      best = i;
      bestValue = v;
    }
  });
  return best;
}
