/**
 * The README's layer rules, checked on the import graph of src/ and workers/ (read from the
 * import statements): ui → state → lib, workers → lib; lib never imports svelte, state, ui,
 * TF.js or workers; only lib/storage uses idb and only lib/data papaparse; only state starts
 * workers; no import cycles between files nor between lib areas. The last block shows each rule
 * catching a small graph that breaks it, so a green run means the rules hold, not that the
 * checker is blind.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileEdges, findCycles, layerViolations, libAreaEdges, readGraph, type Graph, type ModuleImports } from './import-graph';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** lib files that wrap workers with comlink for state (typed bridges built in lib, started in state). */
const COMLINK_IN_LIB = ['src/lib/training/pool.ts', 'src/lib/workers/bridge.ts'];

describe('the real import graph', () => {
  const graph = readGraph(root, ['src', 'workers']);

  it('reads the tree (sanity: known edges are present)', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get('src/state/lab.svelte.ts')!.local).toContain('src/lib/tracking/run-lock.ts');
    expect(graph.get('src/lib/storage/db.ts')!.packages).toContain('idb');
    expect(graph.get('src/state/workers.ts')!.workers).toContain('workers/train-worker.ts');
  });

  it('creates every worker in src/state/workers.ts, each of the six', () => {
    const creators = [...graph].filter(([, m]) => m.workers.length).map(([f]) => f);
    expect(creators).toEqual(['src/state/workers.ts']);
    expect(graph.get('src/state/workers.ts')!.workers.sort()).toEqual([
      'workers/analysis-worker.ts', 'workers/bundle-worker.ts', 'workers/csv-worker.ts', 'workers/predict-worker.ts', 'workers/script-worker.ts', 'workers/train-worker.ts',
    ]);
  });

  it('gives each worker entry one contract, named lib/<area>/worker-api.ts', () => {
    const contracts = [...graph.keys()].filter((f) => /^src\/lib\/[^/]+\/worker-api\.ts$/.test(f)).sort();
    expect(contracts).toEqual([
      'src/lib/bundles/worker-api.ts', 'src/lib/charts/worker-api.ts', 'src/lib/data/worker-api.ts', 'src/lib/serving/worker-api.ts', 'src/lib/tracking/worker-api.ts', 'src/lib/training/worker-api.ts',
    ]);
    /** What an entry imports, following files inside workers/ (its own helpers). */
    const reach = (file: string, seen = new Set<string>()): Set<string> => {
      for (const dep of graph.get(file)?.local ?? []) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        if (dep.startsWith('workers/')) reach(dep, seen);
      }
      return seen;
    };
    const used = graph.get('src/state/workers.ts')!.workers.map((w) => [...reach(w)].filter((d) => contracts.includes(d)));
    for (const u of used) expect(u).toHaveLength(1);
    expect(used.flat().sort()).toEqual(contracts);
  });

  it('follows the layer rules', () => {
    expect(layerViolations(graph, COMLINK_IN_LIB)).toEqual([]);
  });

  it('has no import cycle between files (type-only imports count; a lazy import() breaks none)', () => {
    expect(findCycles(fileEdges(graph)).map((c) => c.join(' → '))).toEqual([]);
  });

  it('has no cycle between lib areas', () => {
    expect(findCycles(libAreaEdges(graph)).map((c) => c.join(' → '))).toEqual([]);
  });
});

describe('the rules catch a graph that breaks them', () => {
  const mod = (local: string[] = [], packages: string[] = [], workers: string[] = [], lazy: string[] = []): ModuleImports => ({ local, packages, workers, lazy });
  const ok: [string, ModuleImports][] = [
    ['src/ui/App.svelte', mod(['src/state/lab.svelte.ts', 'src/lib/ui-model/rows.ts'], ['svelte'])],
    ['src/state/lab.svelte.ts', mod(['src/lib/tracking/fluent.ts'], ['comlink'], ['workers/train-worker.ts'])],
    ['src/lib/tracking/fluent.ts', mod(['src/lib/storage/db.ts'])],
    ['src/lib/storage/db.ts', mod([], ['idb'])],
    ['src/lib/data/csv.ts', mod([], ['papaparse'])],
    ['workers/train-worker.ts', mod(['src/lib/tracking/fluent.ts'], ['@tensorflow/tfjs', 'comlink'])],
  ];
  const broken = (file: string, m: ModuleImports): Graph => new Map([...ok, [file, m]]);

  it('accepts the well-layered graph', () => {
    const g: Graph = new Map(ok);
    expect(layerViolations(g)).toEqual([]);
    expect(findCycles(fileEdges(g))).toEqual([]);
    expect(findCycles(libAreaEdges(g))).toEqual([]);
  });

  it.each([
    ['lib importing state', 'src/lib/tracking/x.ts', mod(['src/state/lab.svelte.ts']), 'imports src/state/lab.svelte.ts (state)'],
    ['lib importing ui', 'src/lib/charts/x.ts', mod(['src/ui/App.svelte']), '(ui)'],
    ['lib importing svelte', 'src/lib/charts/x.ts', mod([], ['svelte/store']), 'imports svelte, which lib must not use'],
    ['lib importing TF.js', 'src/lib/training/x.ts', mod([], ['@tensorflow/tfjs-core']), 'imports @tensorflow/tfjs-core'],
    ['lib importing a worker', 'src/lib/training/x.ts', mod(['workers/train-worker.ts']), '(workers)'],
    ['state importing TF.js', 'src/state/x.svelte.ts', mod([], ['@tensorflow/tfjs', '@tensorflow/tfjs/dist/tf.min.js?url']), 'imports @tensorflow/tfjs, which state'],
    ['state importing ui', 'src/state/x.svelte.ts', mod(['src/ui/App.svelte']), '(ui)'],
    ['workers importing state', 'workers/x.ts', mod(['src/state/lab.svelte.ts']), '(state)'],
    ['ui importing idb', 'src/ui/X.svelte', mod([], ['idb']), 'which only lib/storage may use'],
    ['ui importing comlink', 'src/ui/X.svelte', mod([], ['comlink']), 'which ui must not use'],
    ['tracking importing idb', 'src/lib/tracking/x.ts', mod([], ['idb']), 'which only lib/storage may use'],
    ['state importing papaparse', 'src/state/x.svelte.ts', mod([], ['papaparse']), 'which only lib/data may use'],
    ['ui starting a worker', 'src/ui/X.svelte', mod([], [], ['workers/csv-worker.ts']), 'creates a worker; only state may'],
    ['lib loading state lazily', 'src/lib/training/x.ts', mod([], [], [], ['src/state/lab.svelte.ts']), '(state)'],
  ])('%s', (_name, file, m, message) => {
    const found = layerViolations(broken(file, m));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(file);
    expect(found[0]).toContain(message);
  });

  it('finds a file cycle, type-only imports included', () => {
    const g = broken('src/lib/storage/db.ts', mod(['src/lib/tracking/fluent.ts'], ['idb']));
    expect(findCycles(fileEdges(g)).map((c) => c.join(' → '))).toEqual([
      'src/lib/storage/db.ts → src/lib/tracking/fluent.ts → src/lib/storage/db.ts',
    ]);
  });

  it('finds a wrong-way import between lib areas even without a file cycle', () => {
    // storage → tracking through another file: no file cycle, but the areas point both ways.
    const g = broken('src/lib/storage/other.ts', mod(['src/lib/tracking/types.ts']));
    expect(findCycles(fileEdges(g))).toEqual([]);
    expect(findCycles(libAreaEdges(g)).map((c) => c.join(' → '))).toEqual(['lib/storage → lib/tracking → lib/storage']);
  });
});

describe('tag names', () => {
  /** Quoted `mlflow.*`/`mfflow.*` strings that are not tags: file names, a loader module, a YAML path, a storage key. */
  const NOT_TAGS = new Set(['mlflow.db', 'mlflow.onnx', 'mfflow.train', 'mfflow.serve.model']);
  it('are spelled only in src/lib/tracking/tags.ts', async () => {
    const { readFileSync } = await import('node:fs');
    const graph = readGraph(root, ['src', 'workers']);
    const found: string[] = [];
    for (const file of graph.keys()) {
      if (file === 'src/lib/tracking/tags.ts') continue;
      const code = readFileSync(`${root}/${file}`, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of code.matchAll(/['"`](m[fl]flow\.[A-Za-z0-9_.-]+)['"`]/g)) if (!NOT_TAGS.has(m[1])) found.push(`${file}: ${m[1]}`);
    }
    expect(found).toEqual([]);
  });
});
