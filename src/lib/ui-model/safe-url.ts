/**
 * Links taken from run data (notes, tags, dataset sources) are untrusted. Svelte does not block
 * `href="javascript:..."` (docs/reliability.md §4), so every such URL passes through here: only
 * absolute http, https and mailto URLs survive. The URL parser does the normalising (it drops
 * tabs and newlines and lower-cases the scheme), so `java\nscript:` and `JaVaScRiPt:` are caught.
 */
const ALLOWED = new Set(['http:', 'https:', 'mailto:']);

/** The normalised URL when it is safe to put in an href, otherwise null. */
export function safeLinkHref(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '' || text.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!ALLOWED.has(url.protocol)) return null;
  // Credentials in a link are a phishing trick ("https://bank.com@evil.example").
  if (url.username || url.password) return null;
  return url.href;
}
