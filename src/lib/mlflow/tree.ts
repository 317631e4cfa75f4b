/**
 * A folder tree over a flat map of zip entries, and the lookup of the `mlruns/` root in it.
 * Names are kept in Maps, so `__proto__` or `constructor` are ordinary names.
 */
import { FormatError } from './errors';

export class Folder {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Map<string, Folder>();
  constructor(readonly path: string) {}

  dir(name: string): Folder | undefined {
    return this.dirs.get(name);
  }

  /** Files below this folder, as `/`-joined paths relative to it, sorted. */
  walkFiles(prefix = ''): [string, Uint8Array][] {
    const out: [string, Uint8Array][] = [];
    for (const [n, b] of this.files) out.push([prefix + n, b]);
    for (const [n, d] of this.dirs) out.push(...d.walkFiles(`${prefix}${n}/`));
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

export function buildTree(entries: Map<string, Uint8Array>, rootPrefix: string): Folder {
  const root = new Folder(rootPrefix.replace(/\/$/, ''));
  for (const [path, bytes] of entries) {
    if (rootPrefix && !path.startsWith(rootPrefix)) continue;
    const rel = path.slice(rootPrefix.length);
    const isDir = rel.endsWith('/');
    const segs = (isDir ? rel.slice(0, -1) : rel).split('/');
    if (segs.length === 1 && segs[0] === '') continue;
    let node = root;
    const last = isDir ? segs.length : segs.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.dirs.get(segs[i]);
      if (!next) {
        next = new Folder(`${node.path}/${segs[i]}`);
        node.dirs.set(segs[i], next);
      }
      node = next;
    }
    if (!isDir) node.files.set(segs[segs.length - 1], bytes);
  }
  return root;
}

/**
 * Finds the prefix (`''`, `mlruns/`, `export/mlruns/`, ...) under which the tree's experiment
 * folders sit: the shallowest folder with a `<id>/meta.yaml` or a `.trash/` child. Works for a
 * zip of the mlruns folder, of its contents, or of a folder that contains it.
 */
export function findMlrunsRoot(paths: Iterable<string>): string {
  let best: string[] = [];
  let bestDepth = Infinity;
  for (const p of paths) {
    const segs = p.split('/');
    let root: string | null = null;
    const trash = segs.indexOf('.trash');
    if (trash >= 0) root = segs.slice(0, trash).join('/');
    else if (segs.length >= 2 && segs[segs.length - 1] === 'meta.yaml' && /^[a-zA-Z0-9][\w-]{0,63}$/.test(segs[segs.length - 2])) {
      root = segs.slice(0, -2).join('/');
    }
    if (root === null) continue;
    const depth = root === '' ? 0 : root.split('/').length;
    if (depth < bestDepth) {
      best = [root];
      bestDepth = depth;
    } else if (depth === bestDepth && !best.includes(root)) best.push(root);
  }
  if (best.length === 0) throw new FormatError('(archive)', 'no MLflow file store found: expected mlruns/<experiment id>/meta.yaml');
  if (best.length > 1) {
    // Prefer a folder literally named mlruns when several candidates tie.
    const named = best.filter((r) => r === 'mlruns' || r.endsWith('/mlruns'));
    if (named.length === 1) return `${named[0]}/`;
    throw new FormatError('(archive)', `more than one MLflow file store found: ${best.map((b) => b || '(root)').join(', ')}`);
  }
  return best[0] === '' ? '' : `${best[0]}/`;
}
