/**
 * Tokenizer for run filters and order_by clauses. Keywords are not decided here: a `word`
 * is an unquoted name (it may contain dots), and the parser decides from its position
 * whether `and` is a keyword. A word ending in `.` directly followed by a backtick or a
 * double quote takes that quoted text as its key (`params."my param"`).
 */
import { SearchSyntaxError } from './errors';

export type Token =
  | { t: 'word'; text: string; quotedKey?: string; pos: number; len: number }
  | { t: 'string'; quote: "'" | '"' | '`'; value: string; pos: number; len: number }
  | { t: 'number'; value: number; pos: number; len: number }
  | { t: 'op'; text: '=' | '!=' | '<' | '<=' | '>' | '>='; pos: number; len: number }
  | { t: '(' | ')' | ',' | 'eof'; pos: number; len: number };

/** Sticky and code-point aware, so letters outside the BMP stay whole. */
const WORD = /[\p{L}\p{M}_][\p{L}\p{M}\p{N}_.]*/uy;
const WORD_TAIL = /[\p{L}\p{M}\p{N}_.]*/uy;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const SPACE = /\s/;

/** Length of the match of sticky `re` at `i` (0 when none). */
function matchLength(re: RegExp, src: string, i: number): number {
  re.lastIndex = i;
  const m = re.exec(src);
  return m ? m[0].length : 0;
}

/** Show a piece of the source in an error message, shortened when long. */
export function quoteSource(text: string): string {
  const s = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `\`${s}\``;
}

/** Reads a quoted run starting at `start` (the quote). A doubled quote stands for one. */
function readQuoted(src: string, start: number): { value: string; end: number } {
  const q = src[start];
  let value = '';
  let i = start + 1;
  for (;;) {
    const j = src.indexOf(q, i);
    if (j < 0) {
      const what = q === '`' ? 'quoted name' : 'string';
      throw new SearchSyntaxError(
        `Unterminated ${what}: the ${q} at position ${start} is never closed`, start, src.length - start);
    }
    value += src.slice(i, j);
    if (src[j + 1] === q) {
      value += q;
      i = j + 2;
    } else {
      return { value, end: j + 1 };
    }
  }
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (SPACE.test(c)) { i++; continue; }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, pos: i, len: 1 });
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      const { value, end } = readQuoted(src, i);
      out.push({ t: 'string', quote: c, value, pos: start, len: end - start });
      i = end;
    } else if (c === '=' || c === '<' || c === '>' || c === '!') {
      const two = src.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', text: two, pos: i, len: 2 });
        i += 2;
      } else if (two === '==' || two === '<>') {
        throw new SearchSyntaxError(
          `Unknown operator \`${two}\` at position ${i}; use ${two === '==' ? '`=`' : '`!=`'}`, i, 2);
      } else if (c === '!') {
        throw new SearchSyntaxError(`Unexpected \`!\` at position ${i}; did you mean \`!=\`?`, i, 1);
      } else {
        out.push({ t: 'op', text: c as '=' | '<' | '>', pos: i, len: 1 });
        i++;
      }
    } else if ((c >= '0' && c <= '9') || c === '.' || c === '-') {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) {
        const hint = c === '-' && i > 0 && /[\p{L}\p{N}_]/u.test(src[i - 1])
          ? '; quote names that contain `-`, as in metrics.`val-loss`' : '';
        throw new SearchSyntaxError(`Unexpected \`${c}\` at position ${i}${hint}`, i, 1);
      }
      i += m[0].length;
      const tail = matchLength(WORD_TAIL, src, i);
      if (tail > 0) {
        const e = i + tail;
        throw new SearchSyntaxError(
          `Malformed number ${quoteSource(src.slice(start, e))} at position ${start}`, start, e - start);
      }
      // A literal past the double range reads as ±Infinity, as Python's float() does in MLflow.
      const value = Number(m[0]);
      out.push({ t: 'number', value, pos: start, len: i - start });
    } else if (matchLength(WORD, src, i) > 0) {
      i += matchLength(WORD, src, i);
      const text = src.slice(start, i);
      const q = src[i];
      if (text.endsWith('.') && (q === '"' || q === '`')) {
        if (text.indexOf('.') !== text.length - 1) {
          throw new SearchSyntaxError(
            `A quoted key must follow the prefix directly, as in params."my key" (position ${start})`,
            start, i - start);
        }
        const { value, end } = readQuoted(src, i);
        out.push({ t: 'word', text, quotedKey: value, pos: start, len: end - start });
        i = end;
      } else {
        out.push({ t: 'word', text, pos: start, len: i - start });
      }
    } else {
      const ch = String.fromCodePoint(src.codePointAt(i) ?? 0);
      throw new SearchSyntaxError(`Unexpected character \`${ch}\` at position ${i}`, i, ch.length);
    }
  }
  out.push({ t: 'eof', pos: n, len: 0 });
  return out;
}
