/**
 * What the filter box says about a filter: a syntax error in one wording for where it is
 * ("at character N", counted from 1, as a person counts; the parser's own messages say
 * "position N" from 0 for API users), or a key no run has ("no run has metric `rsme`; did you
 * mean `rmse`?"). A filter naming an unknown key is valid MLflow (it matches no run), so that
 * one is a warning: the box still applies it.
 */
import { parseFilter, SearchSyntaxError, type FilterNode } from '../search';

export interface FilterMessage {
  text: string;
  /** 0-based offset and length of the span to underline. */
  position: number;
  length: number;
  /** An error stops the filter from applying; an unknown key does not. */
  severity: 'error' | 'unknown';
}

export interface KnownKeys {
  metrics: readonly string[];
  params: readonly string[];
  tags: readonly string[];
}

/** The parser's message without its "at position N" / "(position N)" (the box says where once). */
export function withoutPosition(message: string): string {
  return message
    .replace(/\s*\(position \d+\)/g, '')
    .replace(/ at position \d+/g, '')
    .trim();
}

/** The one wording of where: `At character N: <what>`, N counted from 1. */
export function atCharacter(position: number, what: string): string {
  return `At character ${position + 1}: ${what}`;
}

/** Optimal string alignment distance (Levenshtein plus swapping two neighbours: `rsme` → `rmse` is 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/**
 * The known key closest to `word`, when it is close enough to be a slip: a different case,
 * or at most one edit per three characters (at least one). Ties go to the first known key.
 */
export function closestKey(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const byCase = known.find((k) => k.toLowerCase() === lower);
  if (byCase !== undefined) return byCase;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    if (Math.abs(k.length - word.length) > limit) continue;
    const d = editDistance(lower, k.toLowerCase());
    if (d <= limit && d < bestD) { best = k; bestD = d; }
  }
  return best;
}

const NOUN = { metric: 'metric', param: 'parameter', tag: 'tag' } as const;

function firstUnknown(node: FilterNode, known: KnownKeys): FilterMessage | null {
  if (node.kind !== 'compare') {
    for (const item of node.items) {
      const m = firstUnknown(item, known);
      if (m) return m;
    }
    return null;
  }
  const { entity, key, pos, len } = node.ident;
  if (entity !== 'metric' && entity !== 'param' && entity !== 'tag') return null;
  // A tag filter on a key no run has is a common way to ask "not tagged": only metrics and params are named.
  if (entity === 'tag') return null;
  // IS NULL asks for runs without the key: an unknown key is the point there.
  if (node.op === 'IS NULL' || node.op === 'IS NOT NULL') return null;
  const list = entity === 'metric' ? known.metrics : known.params;
  if (list.includes(key)) return null;
  const near = closestKey(key, list);
  const text = `no run has ${NOUN[entity]} \`${key}\`${near !== undefined ? `; did you mean \`${near}\`?` : ''}`;
  return { text, position: pos, length: len, severity: 'unknown' };
}

/** The message for `text`, or null when the filter is fine (or empty). */
export function filterMessage(text: string, known?: KnownKeys): FilterMessage | null {
  if (text.trim() === '') return null;
  let tree: FilterNode | null;
  try {
    tree = parseFilter(text);
  } catch (e) {
    if (e instanceof SearchSyntaxError) {
      return { text: atCharacter(e.position, withoutPosition(e.message)), position: e.position, length: e.length, severity: 'error' };
    }
    return { text: e instanceof Error ? e.message : String(e), position: 0, length: text.length, severity: 'error' };
  }
  if (!tree || !known) return null;
  const unknown = firstUnknown(tree, known);
  return unknown && { ...unknown, text: atCharacter(unknown.position, unknown.text) };
}
