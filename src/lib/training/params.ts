/**
 * Hyperparameter schemas per model: one table drives validation, defaults, the UI form and
 * the sweep ranges. Names are the Python libraries' names (sklearn / Keras), so logged params
 * read like the ones MLflow users know.
 */
import type { HyperValue, ModelKind, ResolvedTrainSpec } from './contract';
import type { PreparedData } from './dataset';

export type ParamKind = 'float' | 'int' | 'bool' | 'choice' | 'layers';

export interface ParamSchema {
  name: string;
  kind: ParamKind;
  default: HyperValue;
  /** Inclusive bounds unless the matching `exclusive*` flag is set. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  choices?: readonly string[];
  /** Suggests a log scale for sliders and random search. */
  logScale?: boolean;
  description: string;
}

const ELASTICNET: ParamSchema[] = [
  { name: 'alpha', kind: 'float', default: 0.5, min: 0, logScale: true,
    description: 'Strength of the penalty; 0 is ordinary least squares.' },
  { name: 'l1_ratio', kind: 'float', default: 0.5, min: 0, max: 1,
    description: 'Mix of the penalty: 1 is the lasso (L1), 0 is ridge (L2).' },
  { name: 'fit_intercept', kind: 'bool', default: true,
    description: 'Fit an intercept (centres the data), as sklearn does by default.' },
  { name: 'max_iter', kind: 'int', default: 1000, min: 1, max: 1_000_000,
    description: 'Most coordinate-descent sweeps over the features.' },
  { name: 'tol', kind: 'float', default: 1e-4, min: 0, exclusiveMin: true, logScale: true,
    description: 'Stop when the duality gap falls below tol × ‖y‖² (sklearn\'s rule).' },
];

const TF_COMMON: ParamSchema[] = [
  { name: 'epochs', kind: 'int', default: 50, min: 1, max: 100_000,
    description: 'Passes over the training rows.' },
  { name: 'batch_size', kind: 'int', default: 32, min: 1, max: 1_000_000,
    description: 'Rows per gradient step.' },
  { name: 'optimizer', kind: 'choice', default: 'adam', choices: ['sgd', 'adam', 'rmsprop', 'adagrad'],
    description: 'Gradient-descent variant.' },
  { name: 'learning_rate', kind: 'float', default: 0.01, min: 0, exclusiveMin: true, max: 10, logScale: true,
    description: 'Step size of the optimizer.' },
  { name: 'l1', kind: 'float', default: 0, min: 0, description: 'L1 penalty on the weights.' },
  { name: 'l2', kind: 'float', default: 0, min: 0, description: 'L2 penalty on the weights.' },
  { name: 'validation_split', kind: 'float', default: 0.1, min: 0, max: 1, exclusiveMax: true,
    description: 'Fraction of the training rows (the last ones, as Keras) used for val_loss.' },
  { name: 'early_stopping_patience', kind: 'int', default: 0, min: 0, max: 100_000,
    description: 'Stop after this many epochs without a better val_loss; 0 turns it off.' },
];

const MLP_EXTRA: ParamSchema[] = [
  { name: 'hidden_layers', kind: 'layers', default: '64,32',
    description: 'Units per hidden layer, comma separated, e.g. "64,32".' },
  { name: 'activation', kind: 'choice', default: 'relu', choices: ['relu', 'tanh', 'sigmoid', 'elu'],
    description: 'Activation of the hidden layers.' },
];

const SCHEMAS: Record<ModelKind, readonly ParamSchema[]> = {
  elasticnet: ELASTICNET,
  linear: TF_COMMON,
  logistic: TF_COMMON,
  mlp: [...TF_COMMON, ...MLP_EXTRA],
};

export function paramSchema(model: ModelKind): readonly ParamSchema[] {
  return SCHEMAS[model];
}

export function defaultParams(model: ModelKind): Record<string, HyperValue> {
  const out: Record<string, HyperValue> = {};
  for (const p of SCHEMAS[model]) out[p.name] = p.default;
  return out;
}

/** Parses "64,32" into [64, 32]; null when malformed. An empty string means no hidden layer. */
export function parseLayers(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const out: number[] = [];
  for (const part of trimmed.split(',')) {
    const s = part.trim();
    if (!/^\d+$/.test(s)) return null;
    const n = Number(s);
    if (n < 1 || n > 4096) return null;
    out.push(n);
  }
  return out.length > 16 ? null : out;
}

/**
 * Checks one value against its schema and returns it in its canonical type (numbers typed
 * into a form arrive as text). Returns an error message instead when it does not fit.
 */
export function coerceParam(schema: ParamSchema, raw: HyperValue): { value: HyperValue } | { error: string } {
  switch (schema.kind) {
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      const s = String(raw).trim().toLowerCase();
      if (s === 'true') return { value: true };
      if (s === 'false') return { value: false };
      return { error: 'must be true or false' };
    }
    case 'choice': {
      const s = String(raw);
      if (schema.choices?.includes(s)) return { value: s };
      return { error: `must be one of ${schema.choices?.join(', ')}` };
    }
    case 'layers': {
      const layers = parseLayers(String(raw));
      if (!layers) return { error: 'must be comma-separated unit counts between 1 and 4096, e.g. "64,32"' };
      return { value: layers.join(',') };
    }
    case 'int':
    case 'float': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return { error: 'must be a finite number' };
      if (schema.kind === 'int' && !Number.isInteger(n)) return { error: 'must be a whole number' };
      if (schema.min !== undefined && (schema.exclusiveMin ? n <= schema.min : n < schema.min)) {
        return { error: `must be ${schema.exclusiveMin ? 'greater than' : 'at least'} ${schema.min}` };
      }
      if (schema.max !== undefined && (schema.exclusiveMax ? n >= schema.max : n > schema.max)) {
        return { error: `must be ${schema.exclusiveMax ? 'less than' : 'at most'} ${schema.max}` };
      }
      return { value: n };
    }
  }
}

/**
 * Python's `str()` of a value, so params read as MLflow's Python clients log them:
 * floats as `0.5`, `1.0`, `1e-05`; ints as `100`; booleans as `True`/`False`.
 */
export function pyStr(value: HyperValue, kind?: ParamKind): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (kind === 'int') return String(value);
  return pyFloatRepr(value);
}

/** Python's float repr: shortest round-trip digits, exponent when exp < -4 or ≥ 16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // In this range JS prints plain decimals with the same shortest digits.
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * Every hyperparameter of `spec.model` plus how the data was split and prepared, as params in
 * Python's `str()` spelling: what every trainer logs first (autolog style).
 */
export function runParams(spec: ResolvedTrainSpec, data: PreparedData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paramSchema(spec.model)) out[p.name] = pyStr(spec.params[p.name], p.kind);
  out.test_size = pyStr(spec.split.testSize);
  out.seed = String(spec.split.seed);
  out.shuffle = spec.split.shuffle;
  out.standardize = pyStr(spec.standardize);
  out.target = spec.target;
  out.n_features = String(data.featureNames.length);
  return out;
}
