/**
 * Rules for names that become storage keys or file paths (docs/reliability.md §3, guard 1).
 * A name must be a plain relative `/`-separated path: anything that a filesystem, a URL
 * decoder or Windows could read as "somewhere else" is refused, never rewritten.
 */
export const MAX_NAME_LENGTH = 1024;

/**
 * Why `name` is unsafe, as a short rule id and an explanation, or null if it is safe.
 * A trailing `/` (a zip directory entry) is allowed when `allowDirSlash`.
 */
export function pathProblem(name: string, allowDirSlash = true): { rule: string; message: string } | null {
  if (name.length === 0) return { rule: 'empty-name', message: 'empty name' };
  if (name.length > MAX_NAME_LENGTH) return { rule: 'name-too-long', message: `name longer than ${MAX_NAME_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { rule: 'control-char', message: 'name contains NUL or a control character' };
  if (name.includes('\\')) return { rule: 'backslash', message: 'name contains a backslash' };
  if (name.startsWith('/')) return { rule: 'absolute-path', message: 'name is an absolute path' };
  if (/^[a-zA-Z]:/.test(name)) return { rule: 'drive-letter', message: 'name starts with a drive letter' };
  if (/%(2e|2f|5c|00)/i.test(name)) return { rule: 'encoded-separator', message: 'name contains a URL-encoded dot, slash or NUL' };
  const body = allowDirSlash && name.endsWith('/') ? name.slice(0, -1) : name;
  const segs = body.split('/');
  if (segs.some((s) => s === '..')) return { rule: 'dot-dot', message: 'name has a .. segment' };
  if (segs.some((s) => s === '.')) return { rule: 'dot-segment', message: 'name has a . segment' };
  if (segs.some((s) => s === '')) return { rule: 'empty-segment', message: 'name has an empty segment (//)' };
  return null;
}
