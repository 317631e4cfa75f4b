/** What a CSV cell means: a number, a missing value, or text. */

// Cell grammar shared by the parser and requireNumeric: plain decimals with an optional sign,
// fraction and exponent. Hex, `Infinity`, `1_000` and the like are text.
export const NUMBER_RE = /^[ \t]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

/** True when the text is a number we accept and it is finite (1e400 is not). */
export function isNumberText(s: string): boolean {
  return NUMBER_RE.test(s) && Number.isFinite(+s);
}

/** Missing-value tokens, compared case-insensitively after trimming: '', NA, NaN, null, N/A. */
export function isMissingText(s: string): boolean {
  let t = s;
  if (t.length > 0 && (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32)) t = t.trim();
  if (t.length === 0) return true;
  if (t.length > 4 || (t.charCodeAt(0) | 0x20) !== 110 /* n */) return false;
  const l = t.toLowerCase();
  return l === 'na' || l === 'nan' || l === 'null' || l === 'n/a';
}

/**
 * Whether `String(v)` spells `s` again, for text that matched NUMBER_RE and parsed to `v`.
 * A character scan instead of `String(v)`, which costs ~0.5 µs on 17-digit numbers. "No" for
 * leading zeros, '+', '.5', '5.', trailing fraction zeros, exponents, spaces, '-0', magnitudes
 * JavaScript prints with an exponent, and more than 17 significant digits; up to 17 digits we
 * trust that the writer printed the shortest round-trip form, as Python and JavaScript do.
 */
export function printsBack(s: string, v: number): boolean {
  const n = s.length;
  let i = 0;
  if (s.charCodeAt(0) === 45 /* - */) {
    if (v === 0) return false;
    i = 1;
  }
  let c = s.charCodeAt(i);
  if (c < 48 || c > 57) return false;
  if (c === 48 && i + 1 < n && s.charCodeAt(i + 1) !== 46) return false;
  let dot = -1;
  let digits = 0;
  let leading = true;
  for (let k = i; k < n; k++) {
    c = s.charCodeAt(k);
    if (c === 46) {
      dot = k;
      continue;
    }
    if (c < 48 || c > 57) return false;
    if (leading && c === 48) continue;
    leading = false;
    digits++;
  }
  if (dot !== -1 && (dot === n - 1 || s.charCodeAt(n - 1) === 48)) return false;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-6 || a >= 1e21)) return false;
  return digits <= 17;
}
