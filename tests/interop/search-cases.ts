/**
 * The runs and filters of search-vs-mlflow.test.ts: runs with the values search gets wrong most
 * easily (NaN, ±Infinity, -0, numeric-looking strings, missing keys, every status, deleted runs,
 * dataset inputs with and without contexts, keys with spaces, dots, dashes and slashes), and
 * filters written for MLflow's grammar plus a fast-check arbitrary over the same keys.
 */
import fc from 'fast-check';

export interface FixtureRun {
  name: string; user: string; start: number; status: string; deleted?: boolean;
  params: [string, string][]; metrics: [string, number[]][]; tags: [string, string][];
  inputs: { name: string; digest: string; context?: string }[];
}

const run = (name: string, o: Partial<FixtureRun>): FixtureRun => ({
  name, user: 'alice', start: 0, status: 'FINISHED', params: [], metrics: [], tags: [], inputs: [], ...o,
});

export const FIXTURE_RUNS: FixtureRun[] = [
  run('enet-1', { start: 10, params: [['alpha', '0.5'], ['l1_ratio', '0.1'], ['model', 'elasticnet']], metrics: [['rmse', [0.9, 0.72]], ['r2', [0.31]], ['test rmse', [0.7]]], tags: [['team', 'red']], inputs: [{ name: 'wine', digest: 'd1', context: 'training' }] }),
  run('enet-2', { start: 20, params: [['alpha', '0.50'], ['l1_ratio', '0.5'], ['model', 'ElasticNet']], metrics: [['rmse', [0.65]], ['r2', [0.4]]], tags: [['team', 'blue']], inputs: [{ name: 'wine', digest: 'd1', context: 'training' }, { name: 'wine-test', digest: 'd2', context: 'evaluation' }] }),
  run('enet-3', { start: 30, user: 'bob', params: [['alpha', '1'], ['model', 'elasticnet']], metrics: [['rmse', [0.8]], ['nan_m', [NaN]]], tags: [['team', 'Red']] }),
  run('mlp-1', { start: 40, user: 'bob', params: [['alpha', '1.0'], ['model', 'mlp'], ['num-layers', '2']], metrics: [['rmse', [1.2, 0.5]], ['loss/val', [0.3, 0.2]], ['inf_m', [Infinity]]], inputs: [{ name: 'iris', digest: 'd3' }] }),
  run('mlp-2', { start: 50, status: 'FAILED', params: [['alpha', '1e-3'], ['model', 'MLP']], metrics: [['rmse', [NaN]], ['inf_m', [-Infinity]], ['zero', [-0]]], tags: [['priority', '1']] }),
  run('mlp-3', { start: 60, status: 'KILLED', params: [['alpha', '-2'], ['model', 'mlp'], ['x y', 'a b']], metrics: [['rmse', [0.5]], ['zero', [0]], ['a.b', [3]]], tags: [['priority', '10']] }),
  run('log-1', { start: 70, status: 'RUNNING', user: 'carol', params: [['model', 'log_reg'], ['empty', '']], metrics: [['accuracy', [0.91]], ['nan_m', [1]]], tags: [['team', 'red'], ['mlflow.note.content', 'first try']] }),
  run('log-2', { start: 80, status: 'SCHEDULED', user: 'carol', params: [['model', 'a%b']], metrics: [['accuracy', [0.88]], ['inf_m', [5]]], inputs: [{ name: 'wine', digest: 'd9', context: 'training' }] }),
  run('sweep parent', { start: 90, params: [['grid', 'alpha']], tags: [['kind', 'sweep']] }),
  run('sweep child_1', { start: 100, params: [['alpha', '0.1'], ['model', "it's"]], metrics: [['rmse', [0.75]], ['test rmse', [0.71]]], tags: [['kind', 'child']] }),
  run('sweep child_2', { start: 110, params: [['alpha', '0.2'], ['model', 'elasticnet']], metrics: [['rmse', [0.74]], ['test rmse', [0.76]]], tags: [['kind', 'child']] }),
  run('deleted-1', { start: 120, deleted: true, params: [['alpha', '0.5'], ['model', 'elasticnet']], metrics: [['rmse', [0.6]]], tags: [['team', 'red']] }),
  run('Émile', { start: 130, user: 'dave', params: [['model', 'ключ'], ['alpha', '0.5']], metrics: [['rmse', [2]], ['r2', [-1.5]]], tags: [['team', 'grün']] }),
  run('ENET-4', { start: 140, params: [['alpha', ' 0.5'], ['model', 'elasticnet ']], metrics: [['rmse', [1e308]], ['r2', [0]]], inputs: [{ name: 'Wine', digest: 'D1', context: 'Training' }] }),
  run('empty', { start: 150, user: 'eve' }),
  run('big', { start: 160, params: [['alpha', '100']], metrics: [['rmse', [1e-300]], ['r2', [1]], ['zero', [5e-324]]], tags: [['team', '']] }),
];

/** `{t0}` and `{t1}` are start times in the fixture (t0 + 75 falls between log-1 and log-2). */
export const T0 = 1_700_000_000_000;
const t = (ms: number) => String(T0 + ms);

export const HAND_FILTERS: string[] = [
  '', '  ',
  // metrics: every comparator, special values, quoting
  'metrics.rmse < 0.8', 'metrics.rmse <= 0.5', 'metrics.rmse > 0.5', 'metrics.rmse >= 0.5', 'metrics.rmse = 0.5', 'metrics.rmse != 0.5',
  'metrics.rmse < 0.72', 'metrics.rmse <= 0.72', 'metrics.rmse = 0.72', 'metrics.rmse = 0.9', 'metrics.rmse > 1', 'metrics.rmse < 1e309',
  'metrics.rmse > -1e309', 'metrics.rmse >= 1e308', 'metrics.rmse < 1e-299', 'metrics.rmse > 0', 'metrics.rmse != 0', 'metrics.rmse = -0.0',
  'metrics.nan_m = 1', 'metrics.nan_m != 1', 'metrics.nan_m > 0', 'metrics.nan_m < 2', 'metrics.nan_m >= 0',
  'metrics.inf_m > 1e300', 'metrics.inf_m < -1e300', 'metrics.inf_m = 5', 'metrics.inf_m != 5', 'metrics.inf_m >= 5', 'metrics.inf_m <= 5',
  'metrics.zero = 0', 'metrics.zero = -0', 'metrics.zero > 0', 'metrics.zero >= 0', 'metrics.zero != 0', 'metrics.zero < 1e-323',
  'metrics.`test rmse` < 0.72', 'metrics."test rmse" < 0.72', 'metrics.`loss/val` = 0.2', 'metrics.`a.b` = 3', 'metrics.a.b = 3',
  'metrics.r2 < 0', 'metrics.r2 = 0', 'metrics.r2 >= 1', 'metrics.accuracy > 0.9', 'metrics.missing < 1', 'metrics.missing != 1',
  'metric.rmse < 0.8', 'METRICS.rmse < 0.8', 'metrics.rmse < 8e-1', 'metrics.rmse < 1E0', 'metrics.rmse < +1', 'metrics.rmse > -1',
  'metrics.rmse < .8', 'metrics.rmse < 0.8.1', 'metrics.rmse < 1_0', 'metrics.rmse = \'0.5\'', 'metrics.rmse LIKE \'0%\'',
  'metrics.rmse IN (0.5)', 'metrics.rmse < abc', 'metrics.rmse <', 'metrics.rmse', 'metrics. rmse < 1', 'metrics.rmse<1', 'metrics.rmse  <   1',
  // params
  "params.alpha = '0.5'", 'params.alpha = "0.5"', "params.alpha != '0.5'", "params.alpha = '0.50'", "params.alpha = ' 0.5'",
  'params.alpha = 0.5', "params.alpha > '0.1'", "params.alpha < '1'", "params.alpha LIKE '0.%'", "params.alpha LIKE '%.5'",
  "params.alpha ILIKE '1E%'", "params.alpha LIKE '1E%'", "params.alpha IN ('0.5', '1')", "params.alpha NOT IN ('0.5', '1')",
  "params.alpha IN ('0.5')", "params.alpha IN ()", "params.alpha IN '0.5'", "params.model = 'elasticnet'", "params.model ILIKE 'elasticnet'",
  "params.model LIKE '%net'", "params.model ILIKE '%NET%'", "params.model LIKE 'm_p'", "params.model LIKE 'a%b'", "params.model LIKE 'a\\%b'",
  "params.model = 'it''s'", 'params.model = "it\'s"', "params.model = 'ключ'", "params.model LIKE '%'", "params.model LIKE ''",
  "params.empty = ''", "params.empty != ''", "params.`num-layers` = '2'", "params.num-layers = '2'", "params.`x y` = 'a b'", "params.\"x y\" = 'a b'",
  "param.model = 'mlp'", "params.model != 'mlp'", "params.missing = 'x'", "params.missing != 'x'", "params.grid = 'alpha'",
  "params.model LIKE 'MLP'", "params.model ILIKE 'mlp'", "params.model IN ('mlp', 'MLP')", "params.model NOT IN ('mlp')",
  // tags
  "tags.team = 'red'", "tags.team != 'red'", "tags.team ILIKE 'red'", "tags.team LIKE 'r%'", "tags.team IN ('red', 'blue')",
  "tags.team NOT IN ('red')", "tags.team = ''", "tags.team = 'grün'", "tags.`mlflow.note.content` = 'first try'",
  "tags.mlflow.note.content LIKE 'first%'", "tags.\"mlflow.user\" = 'bob'", "tags.mlflow.user = 'bob'", "tags.`mlflow.runName` = 'enet-1'",
  "tags.priority = '1'", "tags.priority > '1'", "tags.priority LIKE '1%'", "tag.kind = 'child'", "tags.kind != 'child'", "tags.`mlflow.parentRunId` = 'x'",
  // attributes
  "attributes.status = 'FINISHED'", "attributes.status != 'FINISHED'", "attributes.status = 'RUNNING'", "attributes.status = 'SCHEDULED'",
  "attributes.status IN ('FAILED', 'KILLED')", "attributes.status NOT IN ('FINISHED')", "attributes.status LIKE 'F%'", "attributes.status ILIKE 'failed'",
  "attribute.status = 'KILLED'", "attr.status = 'KILLED'", "run.status = 'KILLED'", "status = 'KILLED'", "attributes.status = 'finished'",
  "attributes.run_name = 'enet-1'", "attributes.run_name LIKE 'enet%'", "attributes.run_name ILIKE 'enet%'", "attributes.run_name != 'enet-1'",
  "attributes.run_name LIKE 'sweep%'", "attributes.run_name LIKE 'sweep child\\_%'", "attributes.run_name IN ('enet-1', 'mlp-1')",
  "attributes.run_name NOT IN ('enet-1')", "attributes.`run_name` = 'Émile'", "run_name = 'enet-1'", "attributes.run_name = 'sweep parent'",
  "attributes.user_id = 'bob'", "attributes.user_id != 'bob'", "attributes.user_id LIKE 'c%'", "attributes.user_id IN ('bob', 'carol')",
  `attributes.start_time > ${t(75)}`, `attributes.start_time >= ${t(80)}`, `attributes.start_time < ${t(30)}`, `attributes.start_time = ${t(10)}`,
  `attributes.start_time != ${t(10)}`, `attributes.end_time > ${t(100)}`, `attributes.end_time < ${t(100)}`, `attributes.end_time = ${t(510)}`,
  `attributes.created > ${t(75)}`, `attributes.Created > ${t(75)}`, "attributes.start_time > '1'", 'attributes.start_time LIKE 1',
  "attributes.artifact_uri LIKE '%artifacts'", "attributes.lifecycle_stage = 'deleted'", "attributes.run_id LIKE 'a%'", "attributes.unknown = 'x'",
  "attributes.end_time IS NULL", "attributes.status IS NULL",
  // datasets
  "datasets.name = 'wine'", "datasets.name != 'wine'", "datasets.name IN ('wine', 'iris')", "datasets.name LIKE 'w%'", "datasets.name ILIKE 'WINE'",
  "datasets.digest = 'd1'", "datasets.digest IN ('d1', 'd3')", "datasets.context = 'training'", "datasets.context = 'evaluation'",
  "datasets.context != 'training'", "datasets.context LIKE 't%'", "datasets.context ILIKE 'training'", "dataset.name = 'wine'",
  "datasets.name = 'wine' and datasets.context = 'evaluation'", "datasets.name = 'wine-test' and datasets.context = 'training'",
  "datasets.name = 'wine' and datasets.digest = 'd9'", "datasets.unknown = 'x'", "datasets.name > 'a'",
  // IS NULL
  'params.alpha IS NULL', 'params.alpha IS NOT NULL', 'metrics.rmse IS NULL', 'metrics.rmse IS NOT NULL', 'tags.team IS NULL',
  'tags.team IS NOT NULL', 'metrics.nan_m IS NOT NULL', 'params.alpha is null',
  // conjunctions
  "metrics.rmse < 0.8 and params.alpha = '0.5'", "metrics.rmse < 0.8 AND params.model = 'elasticnet'", "metrics.rmse < 0.8 And tags.team = 'red'",
  "params.model = 'mlp' and metrics.rmse <= 0.5 and attributes.status = 'KILLED'", "metrics.rmse > 0.1 and metrics.rmse < 0.9",
  "tags.kind = 'child' and metrics.`test rmse` < 0.75", "attributes.user_id = 'bob' and metrics.inf_m > 0",
  "metrics.rmse < 1 and", "and metrics.rmse < 1", "metrics.rmse < 1 and and params.alpha = '1'", "metrics.rmse < 1 && params.alpha = '1'",
  // the lab's extensions (MLflow refuses them; the test allows that difference only)
  "metrics.rmse < 0.6 or params.model = 'mlp'", "(metrics.rmse < 0.6)", "params.model = 'mlp' or (tags.team = 'red' and metrics.rmse < 1)",
  // malformed
  "params.alpha = 'unterminated", 'params.alpha == \'1\'', "params.alpha =", "= '1'", "alpha = '1'", "foo.alpha = '1'", 'metrics.', 'metrics.rmse << 1',
  "params.alpha = '1' extra", "params.`alpha = '1'", '`metrics`.rmse < 1',
];

// ---- fast-check: random conjunctions over the fixture's keys and values ----

const ident = (key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? fc.constant(key) : fc.constantFrom(`\`${key}\``, `"${key}"`));
const str = (v: string) => fc.constantFrom(`'${v.replace(/'/g, "''")}'`, ...(v.includes('"') || v.includes("'") ? [] : [`"${v}"`]));
const list = (vals: string[]) => fc.uniqueArray(fc.constantFrom(...vals), { minLength: 1, maxLength: 3 }).map((vs) => `(${vs.map((v) => `'${v}'`).join(', ')})`);

const metricClause = fc.tuple(
  fc.constantFrom('metrics', 'metric'),
  fc.constantFrom('rmse', 'r2', 'test rmse', 'nan_m', 'inf_m', 'zero', 'accuracy', 'loss/val', 'nope').chain(ident),
  fc.constantFrom('=', '!=', '<', '<=', '>', '>='),
  fc.constantFrom('0', '0.5', '0.72', '0.75', '1', '-1', '2', '1e308', '-0.0', '1e-300', '0.91', '5', "'0.5'"),
).map(([e, k, op, v]) => `${e}.${k} ${op} ${v}`);

const PARAM_VALUES = ['0.5', '0.50', '1', '1.0', 'mlp', 'MLP', 'elasticnet', '%net', 'm_p', '%', '', 'a b', '0.%', '%5'];
const stringClause = (entities: string[], keys: string[], values: string[]) => fc.tuple(
  fc.constantFrom(...entities), fc.constantFrom(...keys).chain(ident),
  fc.oneof(
    fc.tuple(fc.constantFrom('=', '!=', 'LIKE', 'ILIKE', 'like'), fc.constantFrom(...values).chain(str)).map(([op, v]) => `${op} ${v}`),
    fc.tuple(fc.constantFrom('IN', 'NOT IN'), list(values.filter((v) => !v.includes("'")))).map(([op, v]) => `${op} ${v}`),
    fc.constantFrom('IS NULL', 'IS NOT NULL', "> '1'"),
  ),
).map(([e, k, rest]) => `${e}.${k} ${rest}`);

const paramClause = stringClause(['params', 'param'], ['alpha', 'model', 'l1_ratio', 'num-layers', 'x y', 'empty', 'nope'], PARAM_VALUES);
const tagClause = stringClause(['tags', 'tag'], ['team', 'kind', 'priority', 'mlflow.runName', 'mlflow.user', 'nope'], ['red', 'Red', 'r%', 'child', '1', '10', 'enet-1', 'alice', 'bob', '']);
const datasetClause = fc.tuple(
  fc.constantFrom('datasets', 'dataset'), fc.constantFrom('name', 'digest', 'context'),
  fc.oneof(
    fc.tuple(fc.constantFrom('=', '!=', 'LIKE', 'ILIKE'), fc.constantFrom('wine', 'Wine', 'iris', 'd1', 'D1', 'training', 'evaluation', 'w%', '%').chain(str)).map(([op, v]) => `${op} ${v}`),
    fc.tuple(fc.constantFrom('IN', 'NOT IN'), list(['wine', 'iris', 'd1', 'd9', 'training'])).map(([op, v]) => `${op} ${v}`),
  ),
).map(([e, k, rest]) => `${e}.${k} ${rest}`);
const attributeClause = fc.oneof(
  fc.tuple(fc.constantFrom('status', 'run_name', 'user_id'), fc.constantFrom('=', '!=', 'LIKE', 'ILIKE'),
    fc.constantFrom('FINISHED', 'RUNNING', 'failed', 'F%', 'enet-1', 'enet%', '%-1', 'bob', 'carol', 'sweep%').chain(str))
    .map(([k, op, v]) => `attributes.${k} ${op} ${v}`),
  fc.tuple(fc.constantFrom('status', 'run_name', 'user_id'), fc.constantFrom('IN', 'NOT IN'), list(['FINISHED', 'KILLED', 'enet-1', 'bob', 'alice']))
    .map(([k, op, v]) => `attributes.${k} ${op} ${v}`),
  fc.tuple(fc.constantFrom('start_time', 'end_time', 'created'), fc.constantFrom('=', '!=', '<', '<=', '>', '>='),
    fc.constantFrom(10, 50, 75, 110, 510, 580, 640).map(t))
    .map(([k, op, v]) => `attributes.${k} ${op} ${v}`),
);

const clause = fc.oneof(metricClause, paramClause, tagClause, datasetClause, attributeClause);
export const filterArbitrary = fc.array(clause, { minLength: 1, maxLength: 3 })
  .chain((cs) => fc.constantFrom(' and ', ' AND ').map((j) => cs.join(j)));
