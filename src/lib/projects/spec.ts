/**
 * Declarative entry points (`mfflow: { train: … }`): a training spec (what `mfflow.train`
 * takes) whose strings may hold `{param}`. A string that is exactly one placeholder becomes the
 * parameter's typed value (a number for float and int), so `alpha: "{alpha}"` trains with
 * 0.42, not "0.42"; other strings are formatted as the command is. Undeclared `-P` values
 * reach the model's hyperparameters (`params`), as MLflow passes them to the program.
 */
import type { YamlValue } from '../mlflow/yaml';
import { ProjectError } from './mlproject';
import { canonicalJson } from './canonical-json';
import { formatTemplate, type ComputedParameters, type TypedValue } from './parameters';

export type SpecValue = null | boolean | number | string | SpecValue[] | { [key: string]: SpecValue };

const WHOLE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export function templateSpec(spec: YamlValue, values: Readonly<Record<string, TypedValue>>, path = 'mfflow.train'): SpecValue {
  if (typeof spec === 'string') {
    const whole = WHOLE.exec(spec);
    if (whole && Object.prototype.hasOwnProperty.call(values, whole[1])) return values[whole[1]];
    const asText: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(values)) asText[k] = String(v);
    return formatTemplate(spec, asText, path);
  }
  if (Array.isArray(spec)) return spec.map((v, i) => templateSpec(v, values, `${path}[${i}]`));
  if (spec !== null && typeof spec === 'object') {
    const out: { [key: string]: SpecValue } = {};
    for (const [k, v] of Object.entries(spec)) {
      Object.defineProperty(out, k, { value: templateSpec(v, values, `${path}.${k}`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return spec;
}

/** The training request of a declarative entry point for computed `-P` values. */
export function resolveTrainSpec(spec: YamlValue, computed: ComputedParameters): { [key: string]: SpecValue } {
  const out = templateSpec(spec, computed.typed);
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new ProjectError('mfflow.train must be a mapping');
  const extras = Object.entries(computed.extra);
  if (extras.length) {
    const params = out.params ?? {};
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new ProjectError('mfflow.train.params must be a mapping');
    for (const [k, v] of extras) params[k] = numberIfNumeric(v);
    out.params = params;
  }
  return out;
}

/** Extras arrive untyped (MLflow passes strings); numbers go to the model as numbers. */
function numberIfNumeric(v: string): string | number {
  const t = v.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : v;
}

export { canonicalJson };
