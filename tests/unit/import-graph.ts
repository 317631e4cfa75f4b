/**
 * The import graph of the lab's source, read from the files' import statements (static,
 * dynamic, re-exports and `new URL('…', import.meta.url)` worker entries), and the README's
 * layer rules checked over any such graph. Pure functions over a `Graph`, so the rules can be
 * shown to fail on a small hand-written graph as well as to hold on the real one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A module's imports: relative ones resolved to repo paths, bare ones (packages) kept as written. */
export interface ModuleImports {
  local: string[];
  packages: string[];
  /** Worker entry files this module starts (`new Worker(new URL('…', import.meta.url))`). */
  workers: string[];
  /** Modules loaded lazily (`import('…')`): layered like the rest, but no evaluation cycle. */
  lazy: string[];
}

/** Repo-relative path (e.g. `src/lib/tracking/fluent.ts`) → its imports. */
export type Graph = Map<string, ModuleImports>;

const SOURCE = /\.(ts|svelte)$/;
const SPECIFIERS = [
  /\bimport\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
];
const DYNAMIC = /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const WORKER_ENTRY = /\bnew\s+(?:Shared)?Worker\(\s*new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Drops comments so documentation examples (`import … from` in a doc comment) do not count. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function resolveLocal(root: string, fromFile: string, spec: string): string | null {
  const base = resolve(dirname(fromFile), spec.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(root, candidate).split('\\').join('/');
  }
  return null;
}

/** Reads every .ts/.svelte file under `dirs` (relative to `root`) into a Graph. */
export function readGraph(root: string, dirs: string[]): Graph {
  const graph: Graph = new Map();
  for (const dir of dirs) {
    for (const file of walk(join(root, dir))) {
      const text = stripComments(readFileSync(file, 'utf8'));
      const entry: ModuleImports = { local: [], packages: [], workers: [], lazy: [] };
      for (const m of text.matchAll(DYNAMIC)) {
        if (!m[1].startsWith('.')) {
          if (!entry.packages.includes(m[1])) entry.packages.push(m[1]);
          continue;
        }
        const target = resolveLocal(root, file, m[1]);
        if (target && !entry.lazy.includes(target)) entry.lazy.push(target);
      }
      for (const m of text.matchAll(WORKER_ENTRY)) {
        const target = resolveLocal(root, file, m[1]);
        entry.workers.push(target ?? m[1]);
      }
      for (const re of SPECIFIERS) {
        for (const m of text.matchAll(re)) {
          const spec = m[1];
          if (spec.startsWith('.')) {
            const target = resolveLocal(root, file, spec);
            if (target && !entry.local.includes(target)) entry.local.push(target);
          } else if (!entry.packages.includes(spec)) entry.packages.push(spec);
        }
      }
      graph.set(relative(root, file).split('\\').join('/'), entry);
    }
  }
  return graph;
}

/** The layer a file belongs to: `ui`, `state`, `lib/<area>`, `workers`, or `app` (main.ts, sw). */
export function layerOf(path: string): string {
  if (path.startsWith('src/ui/')) return 'ui';
  if (path.startsWith('src/state/')) return 'state';
  if (path.startsWith('src/lib/')) return `lib/${path.split('/')[2]}`;
  if (path.startsWith('workers/')) return 'workers';
  return 'app';
}

/** Package name of a bare specifier (`@tensorflow/tfjs/dist/x` → `@tensorflow/tfjs`). */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Which layers each layer may import (lib areas may import each other, checked for cycles apart). */
const MAY_IMPORT: Record<string, (to: string) => boolean> = {
  app: () => true,
  ui: (to) => to !== 'workers' && to !== 'app',
  state: (to) => to === 'state' || to.startsWith('lib/'),
  workers: (to) => to === 'workers' || to.startsWith('lib/'),
  lib: (to) => to.startsWith('lib/'),
};

/** Packages only one layer may use, and packages a layer may never use. */
const ONLY_IN: Record<string, string> = { idb: 'lib/storage', papaparse: 'lib/data' };
const FORBIDDEN: Record<string, (pkg: string) => boolean> = {
  lib: (p) => p === 'svelte' || p.startsWith('svelte/') || p.startsWith('@tensorflow/') || p === 'comlink',
  ui: (p) => p === 'comlink' || p.startsWith('@tensorflow/'),
  state: (p) => p.startsWith('@tensorflow/'),
};

/**
 * Every broken rule as a sentence naming the file and the import. `lib` may use comlink only
 * through the files listed in `comlinkInLib` (the pool and the bridge wrap workers for state).
 */
export function layerViolations(graph: Graph, comlinkInLib: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    const kind = from.startsWith('lib/') ? 'lib' : from;
    for (const target of [...imports.local, ...imports.lazy]) {
      const to = layerOf(target);
      if (!MAY_IMPORT[kind](to)) out.push(`${file} (${from}) imports ${target} (${to})`);
    }
    if (imports.workers.length && from !== 'state') out.push(`${file} (${from}) creates a worker; only state may`);
    for (const spec of imports.packages) {
      const pkg = packageOf(spec);
      const home = ONLY_IN[pkg];
      if (home && from !== home) out.push(`${file} (${from}) imports ${pkg}, which only ${home} may use`);
      const forbidden = FORBIDDEN[kind];
      // `?url` imports only the URL of a file the build copies (state/script-sandbox hands TF.js's
      // bundle to the sandbox worker by URL): no code of the package runs in this layer.
      if (forbidden?.(pkg) && !spec.endsWith('?url') && !(pkg === 'comlink' && comlinkInLib.includes(file))) {
        out.push(`${file} (${from}) imports ${pkg}, which ${kind} must not use`);
      }
    }
  }
  return out;
}

/** Cycles in a directed graph given as node → successors; each cycle as its nodes in order. */
export function findCycles(edges: Map<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 1);
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const s = state.get(next);
      if (s === 1) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** File-level edges (every static local import, type-only ones included; lazy `import()` excluded). */
export function fileEdges(graph: Graph): Map<string, readonly string[]> {
  return new Map([...graph].map(([file, imports]) => [file, imports.local]));
}

/** Edges between lib areas (`lib/tracking` → `lib/storage`), which must form no cycle either. */
export function libAreaEdges(graph: Graph): Map<string, readonly string[]> {
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    if (!from.startsWith('lib/')) continue;
    const set = edges.get(from) ?? new Set<string>();
    edges.set(from, set);
    for (const t of imports.local) {
      const to = layerOf(t);
      if (to.startsWith('lib/') && to !== from) set.add(to);
    }
  }
  return new Map([...edges].map(([k, v]) => [k, [...v].sort()]));
}
