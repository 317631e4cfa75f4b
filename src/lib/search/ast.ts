/**
 * The typed syntax tree of a run filter, plus the vocabulary tables (prefixes, attribute
 * names and aliases, comparator sets) that MLflow's search grammar defines
 * (docs/mlflow-formats.md §5). Positions are 0-based UTF-16 offsets into the filter text.
 */

export type Entity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

export type Comparator =
  | '=' | '!=' | '<' | '<=' | '>' | '>='
  | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

/** Where a node came from in the source text. */
export interface Located {
  pos: number;
  len: number;
}

export interface Identifier extends Located {
  entity: Entity;
  /** For attributes and datasets, the canonical name (aliases already translated). */
  key: string;
  /**
   * A lab extension for metrics: `min(metrics.k)`, `max(…)`, `mean(…)` compare that statistic
   * of the history instead of the latest value (MLflow refuses these filters).
   */
  agg?: MetricStat;
}

export type MetricStat = 'min' | 'max' | 'mean';
export const METRIC_STATS: readonly MetricStat[] = ['min', 'max', 'mean'];

export type Value =
  | ({ kind: 'number'; value: number } & Located)
  | ({ kind: 'string'; value: string } & Located)
  | ({ kind: 'list'; values: string[] } & Located);

export interface Comparison extends Located {
  kind: 'compare';
  ident: Identifier;
  op: Comparator;
  /** null exactly for IS NULL / IS NOT NULL. */
  value: Value | null;
}

/** n-ary (n >= 2) AND / OR. Parenthesised groups stay nested, so printing round-trips. */
export interface Junction {
  kind: 'and' | 'or';
  items: FilterNode[];
}

export type FilterNode = Comparison | Junction;

export interface OrderKey {
  ident: Identifier;
  ascending: boolean;
}

/** Prefix spellings (before the first dot), case-sensitive as in MLflow. */
export const PREFIXES: ReadonlyMap<string, Entity> = new Map<string, Entity>([
  ['metrics', 'metric'], ['metric', 'metric'],
  ['params', 'param'], ['param', 'param'], ['parameters', 'param'], ['parameter', 'param'],
  ['tags', 'tag'], ['tag', 'tag'],
  ['attributes', 'attribute'], ['attribute', 'attribute'], ['attr', 'attribute'], ['run', 'attribute'],
  ['datasets', 'dataset'], ['dataset', 'dataset'],
]);

/** The prefix the printer writes for each entity. */
export const CANONICAL_PREFIX: Record<Entity, string> = {
  metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes', dataset: 'datasets',
};

export const STRING_ATTRIBUTES = [
  'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage',
] as const;
export const NUMERIC_ATTRIBUTES = ['start_time', 'end_time'] as const;
export const DATASET_FIELDS = ['name', 'digest', 'context'] as const;

/** Attribute spellings that MLflow translates to a canonical name. */
const ATTRIBUTE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['created', 'start_time'], ['Created', 'start_time'],
  ['run name', 'run_name'], ['Run name', 'run_name'], ['Run Name', 'run_name'],
]);

/** Canonical attribute name for a spelling, or undefined when it names no attribute. */
export function canonicalAttribute(name: string): string | undefined {
  const alias = ATTRIBUTE_ALIASES.get(name);
  if (alias !== undefined) return alias;
  return (STRING_ATTRIBUTES as readonly string[]).includes(name) ||
    (NUMERIC_ATTRIBUTES as readonly string[]).includes(name) ? name : undefined;
}

export function isNumericIdentifier(id: Pick<Identifier, 'entity' | 'key'>): boolean {
  return id.entity === 'metric' ||
    (id.entity === 'attribute' && (NUMERIC_ATTRIBUTES as readonly string[]).includes(id.key));
}

export const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '<', '<=', '>', '>='];
const PARAM_TAG_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL'];
const STRING_SET_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

/** Which comparators an identifier accepts (MLflow's per-type sets). */
export function comparatorsFor(id: Pick<Identifier, 'entity' | 'key'>): readonly Comparator[] {
  if (isNumericIdentifier(id)) return NUMERIC_COMPARATORS;
  if (id.entity === 'param' || id.entity === 'tag') return PARAM_TAG_COMPARATORS;
  return STRING_SET_COMPARATORS;
}

/** IN / NOT IN take a list, and only run_id and dataset fields accept lists. */
export function acceptsList(id: Pick<Identifier, 'entity' | 'key'>): boolean {
  return id.entity === 'dataset' || (id.entity === 'attribute' && id.key === 'run_id');
}

/** Human name of an identifier's kind, used in error messages. */
export function describeEntity(id: Pick<Identifier, 'entity' | 'key'>): string {
  switch (id.entity) {
    case 'metric': return 'Metrics';
    case 'param': return 'Params';
    case 'tag': return 'Tags';
    case 'dataset': return `Dataset ${id.key}`;
    case 'attribute': return `Attribute ${id.key}`;
  }
}
