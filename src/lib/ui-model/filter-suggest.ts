/**
 * Completion for the runs filter box: the word under the caret is completed to the keys the
 * runs use (`metrics.rmse`, `params.alpha`, `tags.team`, quoted with backticks when the key
 * needs it), only where a key can stand: at the start, after `(`, or after `and` / `or`.
 */

export interface Suggestions {
  /** The span of `text` a chosen option replaces. */
  from: number;
  to: number;
  options: string[];
}

const NONE: Suggestions = { from: 0, to: 0, options: [] };
const WORD = /[\w.`-]/;

/** `metrics.rmse`, or metrics.`my key` when the key is not a plain word. */
export function filterKey(entity: 'metrics' | 'params' | 'tags', key: string): string {
  return /^[\w.]+$/.test(key) ? `${entity}.${key}` : `${entity}.\`${key.replace(/`/g, '')}\``;
}

/** Filter keys of the runs' metrics, params and tags, in that order. */
export function filterKeys(keys: { metrics: readonly string[]; params: readonly string[]; tags: readonly string[] }): string[] {
  return [
    ...keys.metrics.map((k) => filterKey('metrics', k)), ...keys.params.map((k) => filterKey('params', k)),
    ...keys.tags.map((k) => filterKey('tags', k)),
  ];
}

/** Whether a key may start at `from`: the text before it is empty, `(`, or ends in `and`/`or`. */
function keyPosition(text: string, from: number): boolean {
  const before = text.slice(0, from).trimEnd();
  if (before === '' || before.endsWith('(')) return true;
  if (!/\s$/.test(text.slice(0, from))) return false;
  return /(^|[\s)])(and|or)$/i.test(before);
}

export function suggestFilterKeys(text: string, caret: number, keys: readonly string[], limit = 8): Suggestions {
  let from = caret;
  while (from > 0 && WORD.test(text[from - 1])) from--;
  let to = caret;
  while (to < text.length && WORD.test(text[to])) to++;
  const word = text.slice(from, caret).toLowerCase();
  if (word === '' || !keyPosition(text, from)) return NONE;
  const starts: string[] = [];
  const inside: string[] = [];
  for (const k of keys) {
    const lk = k.toLowerCase();
    if (lk === text.slice(from, to).toLowerCase()) continue; // already complete
    if (lk.startsWith(word)) starts.push(k);
    else if (!word.includes('.') && lk.slice(lk.indexOf('.') + 1).replace(/`/g, '').startsWith(word)) inside.push(k);
  }
  const options = [...starts, ...inside].slice(0, limit);
  return options.length ? { from, to, options } : NONE;
}
