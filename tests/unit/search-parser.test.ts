import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Comparison, type FilterNode, SearchSyntaxError, parseFilter, parseOrderBy, printFilter,
} from '../../src/lib/search';
import { MlflowError } from '../../src/lib/util/errors';
import { filterArb, strip } from './search-helpers';

const one = (text: string) => {
  const node = parseFilter(text);
  if (node?.kind !== 'compare') throw new Error(`expected a single comparison from ${text}`);
  return node;
};
const ident = (text: string) => strip(one(text).ident);

/** Runs fn and returns the SearchSyntaxError it throws (fails the test otherwise). */
function syntaxError(text: string): SearchSyntaxError {
  try {
    parseFilter(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SearchSyntaxError);
    return e as SearchSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('identifiers', () => {
  it.each([
    ['metrics.m > 1', 'metric'], ['metric.m > 1', 'metric'],
    ["params.m = 'x'", 'param'], ["param.m = 'x'", 'param'], ["parameter.m = 'x'", 'param'], ["parameters.m = 'x'", 'param'],
    ["tags.m = 'x'", 'tag'], ["tag.m = 'x'", 'tag'],
  ])('%s is a %s', (text, entity) => {
    expect(ident(text)).toEqual({ entity, key: 'm' });
  });

  it.each(['attributes', 'attribute', 'attr', 'run'])('%s. prefixes an attribute', (prefix) => {
    expect(ident(`${prefix}.status = 'FINISHED'`)).toEqual({ entity: 'attribute', key: 'status' });
  });

  it.each(['datasets', 'dataset'])('%s. prefixes a dataset field', (prefix) => {
    expect(ident(`${prefix}.digest = 'abc'`)).toEqual({ entity: 'dataset', key: 'digest' });
  });

  it('reads a bare name as an attribute', () => {
    expect(ident("run_id = 'x'")).toEqual({ entity: 'attribute', key: 'run_id' });
    expect(ident('end_time > 5')).toEqual({ entity: 'attribute', key: 'end_time' });
  });

  it('takes everything after the first dot as the key', () => {
    expect(ident("tags.mlflow.runName = 'x'")).toEqual({ entity: 'tag', key: 'mlflow.runName' });
    expect(ident('metrics.a.b.c < 1')).toEqual({ entity: 'metric', key: 'a.b.c' });
  });

  it('accepts backtick and double-quote quoted keys', () => {
    expect(ident('metrics.`test rmse` < 1')).toEqual({ entity: 'metric', key: 'test rmse' });
    expect(ident('params."my param" = \'1\'')).toEqual({ entity: 'param', key: 'my param' });
    expect(ident('tags."mlflow.source.type" = \'LOCAL\'')).toEqual({ entity: 'tag', key: 'mlflow.source.type' });
    expect(ident('metrics.`a``b` < 1')).toEqual({ entity: 'metric', key: 'a`b' });
    expect(ident('metrics.`val-loss` < 1')).toEqual({ entity: 'metric', key: 'val-loss' });
    expect(ident("params.`__proto__` = 'x'")).toEqual({ entity: 'param', key: '__proto__' });
  });

  it('translates attribute aliases, quoted or not', () => {
    for (const a of ['created', 'Created', 'attributes.created']) {
      expect(ident(`${a} > 1`)).toEqual({ entity: 'attribute', key: 'start_time' });
    }
    for (const a of ['"run name"', '`Run name`', '"Run Name"', 'attributes.`run name`']) {
      expect(ident(`${a} = 'x'`)).toEqual({ entity: 'attribute', key: 'run_name' });
    }
    expect(syntaxError("`RUN NAME` = 'x'").message).toMatch(/Unknown attribute/);
  });

  it('rejects unknown prefixes, attributes and dataset fields', () => {
    expect(syntaxError('metricz.a > 1').message).toMatch(/Unknown prefix `metricz.`/);
    expect(syntaxError('rmse > 1').message).toMatch(/Unknown attribute `rmse`.*metrics\.rmse/);
    expect(syntaxError("datasets.source = 'x'").message).toMatch(/Unknown dataset field/);
    expect(syntaxError('Metrics.a > 1').message).toMatch(/Unknown prefix/);
    expect(syntaxError("'status' = 'x'").message).toMatch(/single-quoted string is a value/);
  });
});

describe('comparators and type rules', () => {
  const accepts = (text: string) => expect(() => parseFilter(text), text).not.toThrow();
  const rejects = (text: string, re: RegExp) => expect(syntaxError(text).message, text).toMatch(re);

  it('metrics: numeric comparators with numbers only', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) accepts(`metrics.m ${op} 1`);
    for (const op of ['LIKE', 'ILIKE']) rejects(`metrics.m ${op} 1`, /does not apply to Metrics/);
    rejects('metrics.m IS NULL', /IS NULL does not apply to Metrics/);
    rejects("metrics.m IN ('1')", /IN does not apply/);
    rejects("metrics.m > '0.8'", /Metrics compare with numbers: `'0.8'` is a string/);
    rejects('metrics.m > "0.8"', /Metrics compare with numbers/);
    rejects('metrics.m > abc', /must be quoted/);
  });

  it('params and tags: string comparators with quoted strings only', () => {
    for (const p of ['params', 'tags']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) accepts(`${p}.k ${op} 'v'`);
      accepts(`${p}.k = "v"`);
      accepts(`${p}.k IS NULL`);
      accepts(`${p}.k IS NOT NULL`);
      for (const op of ['<', '<=', '>', '>=']) rejects(`${p}.k ${op} 'v'`, /does not apply/);
      rejects(`${p}.k IN ('v')`, /IN does not apply/);
      rejects(`${p}.k = 0.5`, /compare with quoted strings: `0.5` is a number; write '0.5'/);
      rejects(`${p}.k = v`, /Values must be quoted/);
      rejects(`${p}.k = \`v\``, /Backticks quote names/);
    }
  });

  it('string attributes: = != LIKE ILIKE, IN only for run_id', () => {
    for (const a of ['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'lifecycle_stage']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) accepts(`attributes.${a} ${op} 'v'`);
      rejects(`attributes.${a} < 'v'`, /does not apply/);
      rejects(`attributes.${a} = 3`, /compares with quoted strings/);
      rejects(`attributes.${a} IS NULL`, /does not apply/);
    }
    accepts("run_id IN ('a', 'b')");
    accepts("run_id NOT IN ('a')");
    rejects("status IN ('FINISHED')", /IN works only for attributes\.run_id/);
    rejects("run_id IN 'a'", /IN needs a list/);
    rejects("run_id = ('a')", /needs IN or NOT IN/);
    rejects('run_id IN ()', /at least one value/);
    rejects("run_id IN ('a', 1)", /Lists hold quoted strings/);
    rejects("run_id IN ('a' 'b')", /Expected `,` or `\)`/);
    rejects("run_id IN ('a',", /Lists hold quoted strings.*end of the filter/);
  });

  it('numeric attributes: numeric comparators with numbers', () => {
    for (const a of ['start_time', 'end_time', 'created']) {
      for (const op of ['=', '!=', '<', '<=', '>', '>=']) accepts(`${a} ${op} 1700000000000`);
      rejects(`${a} LIKE '1'`, /does not apply/);
      rejects(`${a} = '1'`, /compares with numbers/);
    }
  });

  it('datasets: string comparators and lists', () => {
    for (const f of ['name', 'digest', 'context']) {
      for (const op of ['=', '!=', 'LIKE', 'ILIKE']) accepts(`datasets.${f} ${op} 'v'`);
      accepts(`datasets.${f} IN ('a', "b")`);
      accepts(`datasets.${f} NOT IN ('a')`);
      rejects(`datasets.${f} > 'v'`, /does not apply/);
      rejects(`datasets.${f} = 1`, /quoted strings/);
    }
  });

  it('keywords are case-insensitive', () => {
    const a = strip(parseFilter("params.a like 'x' and params.b ilike 'y' or tags.c is not null AND run_id not in ('q') and tags.d Is Null"));
    const b = strip(parseFilter("params.a LIKE 'x' AND params.b ILIKE 'y' OR tags.c IS NOT NULL AND run_id NOT IN ('q') AND tags.d IS NULL"));
    expect(a).toEqual(b);
  });
});

describe('values', () => {
  const value = (text: string) => strip(one(text).value);
  it('reads numbers: negative, decimal, exponent', () => {
    expect(value('metrics.m > -1')).toEqual({ kind: 'number', value: -1 });
    expect(value('metrics.m > 0.25')).toEqual({ kind: 'number', value: 0.25 });
    expect(value('metrics.m > .5')).toEqual({ kind: 'number', value: 0.5 });
    expect(value('metrics.m > 5.')).toEqual({ kind: 'number', value: 5 });
    expect(value('metrics.m > 1E3')).toEqual({ kind: 'number', value: 1000 });
    expect(value('metrics.m > -2.5e-3')).toEqual({ kind: 'number', value: -0.0025 });
    expect(value('metrics.m>-1')).toEqual({ kind: 'number', value: -1 });
    expect(value('metrics.m > 1e999')).toEqual({ kind: 'number', value: Infinity });
    expect(value('metrics.m > -1e999')).toEqual({ kind: 'number', value: -Infinity });
    expect(syntaxError('metrics.m > 1.2.3').message).toMatch(/Malformed number/);
    expect(syntaxError('metrics.m > 12abc').message).toMatch(/Malformed number `12abc`/);
  });
  it('reads strings in either quote, with doubled quotes as escapes', () => {
    expect(value("params.p = 'a b'")).toEqual({ kind: 'string', value: 'a b' });
    expect(value('params.p = "a b"')).toEqual({ kind: 'string', value: 'a b' });
    expect(value("params.p = 'it''s'")).toEqual({ kind: 'string', value: "it's" });
    expect(value("params.p = \"it's\"")).toEqual({ kind: 'string', value: "it's" });
    expect(value("params.p = ''")).toEqual({ kind: 'string', value: '' });
    expect(value("params.p = 'back\\'")).toEqual({ kind: 'string', value: 'back\\' });
  });
  it('treats an empty or whitespace filter as match-all', () => {
    expect(parseFilter('')).toBeNull();
    expect(parseFilter(' \n\t ')).toBeNull();
  });
});

describe('AND, OR and parentheses', () => {
  const a = "params.a = '1'", b = "params.b = '2'", c = "params.c = '3'";
  const shape = (n: FilterNode | null): unknown =>
    n === null ? null : n.kind === 'compare' ? n.ident.key : { [n.kind]: n.items.map(shape) };
  it('binds AND tighter than OR', () => {
    expect(shape(parseFilter(`${a} OR ${b} AND ${c}`))).toEqual({ or: ['a', { and: ['b', 'c'] }] });
    expect(shape(parseFilter(`${a} AND ${b} OR ${c}`))).toEqual({ or: [{ and: ['a', 'b'] }, 'c'] });
    expect(shape(parseFilter(`(${a} OR ${b}) AND ${c}`))).toEqual({ and: [{ or: ['a', 'b'] }, 'c'] });
  });
  it('keeps chains flat and parenthesised groups nested', () => {
    expect(shape(parseFilter(`${a} AND ${b} AND ${c}`))).toEqual({ and: ['a', 'b', 'c'] });
    expect(shape(parseFilter(`${a} AND (${b} AND ${c})`))).toEqual({ and: ['a', { and: ['b', 'c'] }] });
    expect(shape(parseFilter(`((${a}))`))).toEqual('a');
  });
  it('prints with parentheses only where the tree needs them', () => {
    expect(printFilter(parseFilter(`(${a} OR ${b}) AND ${c}`))).toBe(`(${a} OR ${b}) AND ${c}`);
    expect(printFilter(parseFilter(`${a} OR (${b} AND ${c})`))).toBe(`${a} OR ${b} AND ${c}`);
  });
});

describe('errors', () => {
  it.each([
    ['metrics.rmse 0.8', 13, 3, /Expected a comparison operator after `metrics.rmse` at position 13/],
    ['metrics.rmse', 12, 0, /Expected a comparison operator.*end of the filter/],
    ["metrics.rmse > '0.8'", 15, 5, /Metrics compare with numbers: `'0.8'` is a string \(position 15\)/],
    ["params.a = 'x' AND", 18, 0, /Expected a name/],
    ["params.a = 'x' params.b = 'y'", 15, 8, /Expected AND, OR or the end of the filter at position 15/],
    ["(params.a = 'x'", 0, 1, /Missing `\)` to close the `\(` at position 0/],
    ["params.a = 'x')", 14, 1, /Unexpected `\)`/],
    ["params.a = 'x", 11, 2, /Unterminated string: the ' at position 11/],
    ['metrics.`x > 1', 8, 6, /Unterminated quoted name/],
    ['metrics.x == 1', 10, 2, /Unknown operator `==`.*use `=`/],
    ['metrics.x <> 1', 10, 2, /use `!=`/],
    ['metrics.val-loss > 1', 11, 1, /quote names that contain `-`/],
    ["params.a = 'x' && params.b = 'y'", 15, 1, /Unexpected character `&`/],
    ["NOT params.a = 'x'", 0, 3, /Unknown attribute `NOT`/],
    ["params.a NOT = 'x'", 13, 1, /Expected IN after NOT/],
    ['tags.a IS NOT 1', 14, 1, /Expected NULL/],
    ['metrics. > 1', 8, 0, /Expected a key after `metrics.`/],
    ['tags.mlflow."x" = 1', 0, 12, /quoted key must follow the prefix/],
    ['metrics.x > 1 AND 😀', 18, 2, /Unexpected character `😀`/],
  ])('%s', (text, position, length, re) => {
    const e = syntaxError(text);
    expect(e.message).toMatch(re);
    expect([e.position, e.length]).toEqual([position, length]);
    expect(e).toBeInstanceOf(MlflowError);
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('refuses very deep nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(100_000)}params.a = 'x'${')'.repeat(100_000)}`;
    expect(syntaxError(deep).message).toMatch(/nested deeper/);
    const ok = `${'('.repeat(50)}params.a = 'x'${')'.repeat(50)}`;
    expect(parseFilter(ok)?.kind).toBe('compare');
  });
});

describe('order_by', () => {
  it('parses identifiers with an optional direction', () => {
    expect(strip(parseOrderBy('metrics.rmse DESC'))).toEqual({ ident: { entity: 'metric', key: 'rmse' }, ascending: false });
    expect(strip(parseOrderBy('metrics.`test rmse` asc'))).toEqual({ ident: { entity: 'metric', key: 'test rmse' }, ascending: true });
    expect(strip(parseOrderBy('created'))).toEqual({ ident: { entity: 'attribute', key: 'start_time' }, ascending: true });
    expect(strip(parseOrderBy('params."my p" Desc'))).toEqual({ ident: { entity: 'param', key: 'my p' }, ascending: false });
    expect(strip(parseOrderBy('tags.mlflow.runName'))).toEqual({ ident: { entity: 'tag', key: 'mlflow.runName' }, ascending: true });
  });
  it('rejects datasets, junk and empty clauses', () => {
    const bad = (t: string, re: RegExp) => {
      expect(() => parseOrderBy(t)).toThrow(SearchSyntaxError);
      expect(() => parseOrderBy(t)).toThrow(re);
    };
    bad('datasets.name', /cannot be ordered by dataset/);
    bad('metrics.a DESC ASC', /Expected ASC, DESC or the end/);
    bad('metrics.a > 1', /Expected ASC, DESC/);
    bad('  ', /empty/);
    bad('rmse', /Unknown attribute/);
  });
});

describe('properties', () => {
  it('(a) printing then parsing a random tree gives the same tree', () => {
    fc.assert(fc.property(filterArb, (tree) => {
      const text = printFilter(tree);
      expect(strip(parseFilter(text))).toEqual(strip(tree));
    }), { numRuns: 2000 });
  });

  /** Either a SearchSyntaxError with a position inside the text, or a tree that round-trips. */
  function parsesOrFailsCleanly(text: string): void {
    let tree: FilterNode | null;
    try {
      tree = parseFilter(text);
    } catch (e) {
      if (!(e instanceof SearchSyntaxError)) throw e;
      expect(e.position).toBeGreaterThanOrEqual(0);
      expect(e.length).toBeGreaterThanOrEqual(0);
      expect(e.position + e.length).toBeLessThanOrEqual(text.length);
      return;
    }
    expect(strip(parseFilter(printFilter(tree)))).toEqual(strip(tree));
  }

  it('(b) arbitrary strings never crash the parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), parsesOrFailsCleanly), { numRuns: 3000 });
    const piece = fc.constantFrom(
      'metrics.a', 'params.b', 'tags.`c d`', 'attributes.run_id', 'run_id', 'created', 'datasets.name', '"run name"',
      'AND', 'and', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'ILIKE', '(', ')', ',', '=', '!=', '<', '>=', '==',
      "'x'", '"y"', '`z`', "'", '"', '`', '1', '-1.5e3', '.5', '-', '.', 'metrics.', 'params."', '😀', '\u0000',
    );
    const soup = fc.tuple(fc.array(piece, { maxLength: 12 }), fc.constantFrom(' ', '')).map(([ps, sep]) => ps.join(sep));
    fc.assert(fc.property(soup, parsesOrFailsCleanly), { numRuns: 3000 });
  });

  it('(b) mutations of valid filters never crash the parser', () => {
    const edit = fc.record({ at: fc.nat(), del: fc.nat({ max: 4 }), ins: fc.string({ unit: 'binary', maxLength: 3 }) });
    fc.assert(fc.property(filterArb, fc.array(edit, { minLength: 1, maxLength: 3 }), (tree, edits) => {
      let text = printFilter(tree);
      for (const { at, del, ins } of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + ins + text.slice(i + del);
      }
      parsesOrFailsCleanly(text);
    }), { numRuns: 3000 });
  });
});

it('positions of a parsed comparison cover its source', () => {
  const text = "  metrics.`a b` >= -1e3 AND params.p IS NOT NULL";
  const tree = parseFilter(text);
  if (tree?.kind !== 'and') throw new Error('expected AND');
  const [m, p] = tree.items as Comparison[];
  expect(text.slice(m.pos, m.pos + m.len)).toBe('metrics.`a b` >= -1e3');
  expect(text.slice(m.ident.pos, m.ident.pos + m.ident.len)).toBe('metrics.`a b`');
  expect(text.slice(m.value!.pos, m.value!.pos + m.value!.len)).toBe('-1e3');
  expect(text.slice(p.pos, p.pos + p.len)).toBe('params.p IS NOT NULL');
});
