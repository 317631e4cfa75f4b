/**
 * The sweep form's state and its translation into a SweepSpec: per parameter a list of values
 * (grid) or a range / list of choices (random). Lists are comma separated, except hidden-layer
 * lists, whose values contain commas themselves and are separated by semicolons.
 */
import type { HyperValue } from '../../../lib/training/contract';
import type { ParamSchema } from '../../../lib/training/params';
import type { SweepSpec } from '../../../lib/training/sweep';
import type { FieldError } from '../../../lib/training/validate';

export interface SweepParamForm {
  on: boolean;
  /** Grid: the values, as typed. */
  values: string;
  /** Random: how to draw. */
  kind: 'uniform' | 'loguniform' | 'choice';
  min: string;
  max: string;
  choices: string;
}

export interface SweepForm {
  strategy: 'grid' | 'random';
  params: Record<string, SweepParamForm>;
  samples: string;
  seed: string;
}

export function separatorOf(schema: ParamSchema): string {
  return schema.kind === 'layers' ? ';' : ',';
}

export function emptyParamForm(schema: ParamSchema): SweepParamForm {
  const numeric = schema.kind === 'float' || schema.kind === 'int';
  return {
    on: false,
    values: String(schema.default),
    kind: numeric ? (schema.logScale ? 'loguniform' : 'uniform') : 'choice',
    min: numeric ? String(schema.min !== undefined && !schema.exclusiveMin ? schema.min : schema.default) : '',
    max: numeric ? String(schema.max ?? schema.default) : '',
    choices: schema.kind === 'choice' ? (schema.choices ?? []).join(', ') : schema.kind === 'bool' ? 'true, false' : String(schema.default),
  };
}

function list(text: string, sep: string): string[] {
  return text.split(sep).map((s) => s.trim()).filter((s) => s !== '');
}

/** Builds the SweepSpec, or the field errors that stop it (number syntax; the rest is expandSweep's). */
export function sweepSpecOf(form: SweepForm, schemas: readonly ParamSchema[]): { spec: SweepSpec } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const swept = schemas.filter((s) => form.params[s.name]?.on);
  if (form.strategy === 'grid') {
    const params: Record<string, HyperValue[]> = {};
    for (const s of swept) params[s.name] = list(form.params[s.name].values, separatorOf(s));
    return errors.length ? { errors } : { spec: { strategy: 'grid', params } };
  }
  const params: Extract<SweepSpec, { strategy: 'random' }>['params'] = {};
  for (const s of swept) {
    const f = form.params[s.name];
    if (f.kind === 'choice') params[s.name] = { kind: 'choice', choices: list(f.choices, separatorOf(s)) };
    else {
      const min = Number(f.min), max = Number(f.max);
      if (f.min.trim() === '' || !Number.isFinite(min)) errors.push({ field: `sweep.params.${s.name}`, message: 'min must be a number' });
      if (f.max.trim() === '' || !Number.isFinite(max)) errors.push({ field: `sweep.params.${s.name}`, message: 'max must be a number' });
      params[s.name] = { kind: f.kind, min, max };
    }
  }
  const samples = Number(form.samples);
  const seed = Number(form.seed);
  if (errors.length) return { errors };
  return { spec: { strategy: 'random', params, samples, seed } };
}
