/**
 * Canonical JSON of a training spec, apart from the MLproject parser (and its YAML) so the page's
 * first load, which records each run's source, does not carry them.
 */

/** Canonical JSON (sorted keys) of a spec: what re-runs compare and hash. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}
