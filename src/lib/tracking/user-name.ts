/**
 * The person's name in a workshop: written as `mlflow.user` on every run they make, so a teacher
 * who imports the class's bundles can tell whose run is whose. A name is trimmed, at most
 * USER_NAME_MAX characters, printable (no control characters: it shows in tables and file names).
 */

export const USER_NAME_MAX = 64;

/** The name as stored (trimmed), or an Error whose message says what to change. */
export function checkUserName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!name) throw new Error('Type a name, or choose Skip.');
  if (name.length > USER_NAME_MAX) throw new Error(`A name is at most ${USER_NAME_MAX} characters; this one has ${name.length}.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new Error('A name cannot hold control characters.');
  return name;
}
