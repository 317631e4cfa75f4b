/**
 * Recursive-descent parser for MLflow's run filter grammar (docs/mlflow-formats.md §5) extended
 * with OR and parentheses (AND binds tighter than OR), and for order_by clauses. Type rules
 * are checked while parsing so every error carries the position of the offending token.
 */
import {
  type Comparator, type Comparison, type FilterNode, type Identifier, type OrderKey, type Value,
  PREFIXES, DATASET_FIELDS, METRIC_STATS, type MetricStat, STRING_ATTRIBUTES, NUMERIC_ATTRIBUTES,
  acceptsList, canonicalAttribute, comparatorsFor, describeEntity, isNumericIdentifier,
} from './ast';
import { SearchSyntaxError } from './errors';
import { type Token, quoteSource, tokenize } from './lexer';

/** Deeper nesting is refused rather than risking the call stack. */
const MAX_DEPTH = 100;
const ALL_ATTRIBUTES = [...STRING_ATTRIBUTES, ...NUMERIC_ATTRIBUTES].join(', ');

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly src: string, private readonly toks: Token[]) {}

  private peek(): Token { return this.toks[this.i]; }
  private next(): Token { return this.toks[this.i++]; }
  private fail(msg: string, tok: { pos: number; len: number }): never {
    throw new SearchSyntaxError(msg, tok.pos, tok.len);
  }
  private show(tok: { pos: number; len: number }): string {
    return tok.len === 0 ? 'the end of the filter' : quoteSource(this.src.slice(tok.pos, tok.pos + tok.len));
  }
  /** True when the token is the bare keyword `kw` (case-insensitive). */
  private isKeyword(tok: Token, kw: string): boolean {
    return tok.t === 'word' && tok.quotedKey === undefined && tok.text.toUpperCase() === kw;
  }

  atEnd(): boolean { return this.peek().t === 'eof'; }

  expectEnd(what: string): void {
    const tok = this.peek();
    if (tok.t === 'eof') return;
    if (tok.t === ')') this.fail(`Unexpected \`)\` at position ${tok.pos}: no \`(\` is open`, tok);
    this.fail(`Expected ${what} at position ${tok.pos}, found ${this.show(tok)}`, tok);
  }

  parseOr(): FilterNode {
    const items = [this.parseAnd()];
    while (this.isKeyword(this.peek(), 'OR')) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private parseAnd(): FilterNode {
    const items = [this.parsePrimary()];
    while (this.isKeyword(this.peek(), 'AND')) {
      this.next();
      items.push(this.parsePrimary());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private parsePrimary(): FilterNode {
    const tok = this.peek();
    if (tok.t !== '(') return this.parseComparison();
    if (++this.depth > MAX_DEPTH) this.fail(`Parentheses nested deeper than ${MAX_DEPTH} levels`, tok);
    this.next();
    const inner = this.parseOr();
    const close = this.peek();
    if (close.t !== ')') {
      if (close.t === 'eof') this.fail(`Missing \`)\` to close the \`(\` at position ${tok.pos}`, tok);
      this.fail(`Expected AND, OR or \`)\` at position ${close.pos}, found ${this.show(close)}`, close);
    }
    this.next();
    this.depth--;
    return inner;
  }

  parseIdentifier(allowDatasets: boolean): Identifier {
    const head = this.peek();
    const stat = head.t === 'word' && head.quotedKey === undefined ? head.text.toLowerCase() : '';
    if ((METRIC_STATS as readonly string[]).includes(stat) && this.toks[this.i + 1]?.t === '(') {
      this.i += 2;
      const inner = this.parseIdentifier(false);
      if (inner.entity !== 'metric' || inner.agg) {
        this.fail(`${stat}(…) takes a metric, such as ${stat}(metrics.rmse) (position ${inner.pos})`, inner);
      }
      const close = this.next();
      if (close.t !== ')') this.fail(`Expected \`)\` to close \`${stat}(\` at position ${close.pos}, found ${this.show(close)}`, close);
      return { ...inner, agg: stat as MetricStat, pos: head.pos, len: close.pos + close.len - head.pos };
    }
    const tok = this.next();
    let entity: Identifier['entity'] = 'attribute';
    let key: string;
    let bare = false;
    if (tok.t === 'word') {
      const dot = tok.text.indexOf('.');
      if (dot < 0) {
        key = tok.text;
        bare = true;
      } else {
        const prefix = tok.text.slice(0, dot);
        const e = PREFIXES.get(prefix);
        if (e === undefined) {
          this.fail(`Unknown prefix \`${prefix}.\` at position ${tok.pos}; use metrics., params., ` +
            'tags., attributes. or datasets.', tok);
        }
        entity = e;
        key = tok.quotedKey ?? tok.text.slice(dot + 1);
        if (tok.quotedKey === undefined && key === '') {
          const end = { pos: tok.pos + tok.len, len: 0 };
          this.fail(`Expected a key after \`${tok.text}\` at position ${end.pos}`, end);
        }
      }
    } else if (tok.t === 'string' && tok.quote !== "'") {
      key = tok.value;
    } else {
      const hint = tok.t === 'string' ? ' (a single-quoted string is a value, not a name)' : '';
      this.fail(`Expected a name such as metrics.rmse or params.alpha at position ${tok.pos}, ` +
        `found ${this.show(tok)}${hint}`, tok);
    }
    if (entity === 'attribute') {
      const canonical = canonicalAttribute(key);
      if (canonical === undefined) {
        const hint = bare ? `; for a metric, param or tag write metrics.${key}, params.${key} or tags.${key}` : '';
        this.fail(`Unknown attribute ${this.show(tok)} at position ${tok.pos}; attributes are ` +
          `${ALL_ATTRIBUTES}${hint}`, tok);
      }
      key = canonical;
    } else if (entity === 'dataset') {
      if (!allowDatasets) this.fail(`Runs cannot be ordered by dataset fields (position ${tok.pos})`, tok);
      if (!(DATASET_FIELDS as readonly string[]).includes(key)) {
        this.fail(`Unknown dataset field ${this.show(tok)} at position ${tok.pos}; use ` +
          `${DATASET_FIELDS.map((f) => `datasets.${f}`).join(', ')}`, tok);
      }
    }
    return { entity, key, pos: tok.pos, len: tok.len };
  }

  private parseComparator(ident: Identifier): { op: Comparator; pos: number; len: number } {
    const tok = this.next();
    if (tok.t === 'op') return { op: tok.text, pos: tok.pos, len: tok.len };
    const span = (end: Token) => ({ pos: tok.pos, len: end.pos + end.len - tok.pos });
    if (this.isKeyword(tok, 'LIKE')) return { op: 'LIKE', pos: tok.pos, len: tok.len };
    if (this.isKeyword(tok, 'ILIKE')) return { op: 'ILIKE', pos: tok.pos, len: tok.len };
    if (this.isKeyword(tok, 'IN')) return { op: 'IN', pos: tok.pos, len: tok.len };
    if (this.isKeyword(tok, 'NOT')) {
      const t2 = this.next();
      if (!this.isKeyword(t2, 'IN')) this.fail(`Expected IN after NOT at position ${t2.pos}`, t2);
      return { op: 'NOT IN', ...span(t2) };
    }
    if (this.isKeyword(tok, 'IS')) {
      let t2 = this.next();
      let op: Comparator = 'IS NULL';
      if (this.isKeyword(t2, 'NOT')) {
        op = 'IS NOT NULL';
        t2 = this.next();
      }
      if (!this.isKeyword(t2, 'NULL')) this.fail(`Expected NULL at position ${t2.pos}, found ${this.show(t2)}`, t2);
      return { op, ...span(t2) };
    }
    const name = this.show(ident);
    return this.fail(`Expected a comparison operator after ${name} at position ${tok.pos}, ` +
      `found ${this.show(tok)}`, tok);
  }

  private parseList(open: Token): Value {
    this.next();
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.t === 'string' && t.quote !== '`') values.push(t.value);
      else if (t.t === ')' && values.length === 0) this.fail(`A list needs at least one value (position ${open.pos})`, t);
      else this.fail(`Lists hold quoted strings such as ('a', 'b'); found ${this.show(t)} at position ${t.pos}`, t);
      const sep = this.next();
      if (sep.t === ')') return { kind: 'list', values, pos: open.pos, len: sep.pos + 1 - open.pos };
      if (sep.t !== ',') {
        if (sep.t === 'eof') this.fail(`Missing \`)\` to close the list at position ${open.pos}`, open);
        this.fail(`Expected \`,\` or \`)\` in the list at position ${sep.pos}, found ${this.show(sep)}`, sep);
      }
    }
  }

  private parseValue(): Value {
    const tok = this.peek();
    if (tok.t === '(') return this.parseList(tok);
    this.next();
    if (tok.t === 'number') return { kind: 'number', value: tok.value, pos: tok.pos, len: tok.len };
    if (tok.t === 'string' && tok.quote !== '`') return { kind: 'string', value: tok.value, pos: tok.pos, len: tok.len };
    if (tok.t === 'string') this.fail(`Backticks quote names; quote values with '…' (position ${tok.pos})`, tok);
    if (tok.t === 'word') this.fail(`Values must be quoted: ${this.show(tok)} at position ${tok.pos} is not; write '${tok.text}'`, tok);
    return this.fail(`Expected a value at position ${tok.pos}, found ${this.show(tok)}`, tok);
  }

  private parseComparison(): Comparison {
    const ident = this.parseIdentifier(true);
    const cmp = this.parseComparator(ident);
    const { op } = cmp;
    const allowed = comparatorsFor(ident);
    if (!allowed.includes(op)) {
      const who = describeEntity(ident);
      const why = op === 'IS NULL' || op === 'IS NOT NULL' ? ' (IS NULL works for params and tags)' : '';
      this.fail(`${op} does not apply to ${who}${why}; use one of ${allowed.join(' ')} (position ${cmp.pos})`, cmp);
    }
    const start = ident.pos;
    if (op === 'IS NULL' || op === 'IS NOT NULL') {
      return { kind: 'compare', ident, op, value: null, pos: start, len: cmp.pos + cmp.len - start };
    }
    if ((op === 'IN' || op === 'NOT IN') && !acceptsList(ident)) {
      this.fail(`${op} works only for attributes.run_id and dataset fields (position ${cmp.pos})`, cmp);
    }
    const value = this.parseValue();
    const shown = this.show(value);
    if (op === 'IN' || op === 'NOT IN') {
      if (value.kind !== 'list') this.fail(`${op} needs a list such as ('a', 'b'); found ${shown} at position ${value.pos}`, value);
    } else if (value.kind === 'list') {
      this.fail(`A list of values needs IN or NOT IN, not ${op} (position ${value.pos})`, value);
    } else if (isNumericIdentifier(ident)) {
      if (value.kind !== 'number') {
        const who = ident.entity === 'metric' ? 'Metrics compare' : `Attribute ${ident.key} compares`;
        this.fail(`${who} with numbers: ${shown} is a string (position ${value.pos})`, value);
      }
    } else if (value.kind !== 'string') {
      const who = describeEntity(ident);
      const verb = ident.entity === 'attribute' || ident.entity === 'dataset' ? 'compares' : 'compare';
      this.fail(`${who} ${verb} with quoted strings: ${shown} is a number; write '${this.src.slice(value.pos, value.pos + value.len)}' (position ${value.pos})`, value);
    }
    return { kind: 'compare', ident, op, value, pos: start, len: value.pos + value.len - start };
  }

  parseOrderKey(): OrderKey {
    const ident = this.parseIdentifier(false);
    let ascending = true;
    const tok = this.peek();
    if (this.isKeyword(tok, 'ASC') || this.isKeyword(tok, 'DESC')) {
      this.next();
      ascending = this.isKeyword(tok, 'ASC');
    }
    this.expectEnd('ASC, DESC or the end of the clause');
    return { ident, ascending };
  }
}

/** Parses a filter; an empty or all-whitespace filter gives null (match every run). */
export function parseFilter(text: string): FilterNode | null {
  const p = new Parser(text, tokenize(text));
  if (p.atEnd()) return null;
  const node = p.parseOr();
  p.expectEnd('AND, OR or the end of the filter');
  return node;
}

/** Parses one order_by clause: `<identifier> [ASC|DESC]`. */
export function parseOrderBy(text: string): OrderKey {
  const p = new Parser(text, tokenize(text));
  if (p.atEnd()) throw new SearchSyntaxError('An order_by clause is empty', 0, text.length);
  return p.parseOrderKey();
}
