/**
 * Canonical text for filter trees and order keys: full prefixes, canonical attribute names,
 * single-quoted values, backtick-quoted keys when a bare key would not lex back the same,
 * and parentheses exactly where the tree nests. parseFilter(printFilter(t)) equals t up to
 * positions.
 */
import { CANONICAL_PREFIX, type FilterNode, type Identifier, type OrderKey, type Value } from './ast';

/** A key that the lexer reads back as one word: name parts joined by single dots. */
const BARE_KEY = /^[\p{L}\p{M}\p{N}_]+(?:\.[\p{L}\p{M}\p{N}_]+)*$/u;

function quote(text: string, q: "'" | '`'): string {
  return q + text.split(q).join(q + q) + q;
}

export function printIdentifier(id: Pick<Identifier, 'entity' | 'key' | 'agg'>): string {
  const key = BARE_KEY.test(id.key) ? id.key : quote(id.key, '`');
  const name = `${CANONICAL_PREFIX[id.entity]}.${key}`;
  return id.agg ? `${id.agg}(${name})` : name;
}

/** Shortest text that reads back as the same double; -0 keeps its sign, ±Infinity reads back from an overflowing literal. */
function printNumber(n: number): string {
  if (n === Infinity) return '1e999';
  if (n === -Infinity) return '-1e999';
  return Object.is(n, -0) ? '-0' : String(n);
}

function printValue(v: Value): string {
  switch (v.kind) {
    case 'number': return printNumber(v.value);
    case 'string': return quote(v.value, "'");
    case 'list': return `(${v.values.map((s) => quote(s, "'")).join(', ')})`;
  }
}

function printNode(node: FilterNode): string {
  if (node.kind === 'compare') {
    const lhs = `${printIdentifier(node.ident)} ${node.op}`;
    return node.value === null ? lhs : `${lhs} ${printValue(node.value)}`;
  }
  // A nested junction only parses back as nested when it is parenthesised; an AND inside
  // an OR needs no parentheses because AND binds tighter.
  const parts = node.items.map((item) => {
    const text = printNode(item);
    const bare = item.kind === 'compare' || (node.kind === 'or' && item.kind === 'and');
    return bare ? text : `(${text})`;
  });
  return parts.join(node.kind === 'and' ? ' AND ' : ' OR ');
}

/** Canonical filter text; the empty filter (null) prints as ''. */
export function printFilter(node: FilterNode | null): string {
  return node === null ? '' : printNode(node);
}

export function printOrderBy(key: Pick<OrderKey, 'ascending'> & { ident: Pick<Identifier, 'entity' | 'key'> }): string {
  return `${printIdentifier(key.ident)} ${key.ascending ? 'ASC' : 'DESC'}`;
}
