/**
 * Interop: the lab's search against MLflow's own `search_runs`. Runs are made in the lab's
 * tracking store (the code the lab runs), exported as an mlruns zip, unpacked by Python, and for
 * several hundred filters (hand-written cases of MLflow's grammar and fast-check-generated ones)
 * the run set MLflow returns is compared with the lab's, or both must refuse. MLflow is asked
 * through its file store and through SQLite after `mlflow migrate-filestore`.
 *
 * Differences kept on purpose are listed in KEPT below and in the README's "Search" section; on
 * SQLite, MLflow stores ±Infinity as ±1.797e308, so filters that turn on an infinity are judged
 * by the file store only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { PYTHON, runPython } from './python';
import { openStore } from '../unit/storage-helpers';
import type { TrackingStore } from '../../src/lib/storage/tracking-store';
import { collectBundle } from '../../src/lib/bundles/collect';
import { exportMlflowZip } from '../../src/lib/mlflow/bundle-zip';
import type { RunStatus } from '../../src/lib/tracking/types';
import { errorMessage } from '../../src/lib/util/errors';
import { dictFrom } from '../../src/lib/util/dict';
import { FIXTURE_RUNS, HAND_FILTERS, filterArbitrary, type FixtureRun } from './search-cases';

type Outcome = { ids: string[] } | { error: string };
interface PySearch { version: string; results: Outcome[] }

let work: string;
let store: TrackingStore;
let experimentIds: string[];
const names = new Map<string, string>(); // run id → fixture name, for readable failures
let fileStore: string;
let sqliteUri: string;

async function makeRun(s: TrackingStore, expId: string, r: FixtureRun, t0: number): Promise<string> {
  const info = await s.createRun({ experimentId: expId, runName: r.name, startTime: t0 + r.start, userId: r.user, tags: dictFrom(r.tags) });
  const id = info.runId;
  if (r.params.length) await s.logParamList(id, r.params.map(([key, value]) => ({ key, value })));
  if (r.metrics.length) {
    await s.logBatch(id, {
      metrics: r.metrics.map(([key, values]) => ({
        key, values: Float64Array.from(values), steps: Float64Array.from(values.map((_, i) => i)),
        timestamps: Float64Array.from(values.map((_, i) => t0 + r.start + i)),
      })),
    });
  }
  if (r.inputs.length) {
    await s.logInputs(id, r.inputs.map((d) => ({
      dataset: { name: d.name, digest: d.digest, sourceType: 'local', source: '{"uri": "x.csv"}', schema: null, profile: null },
      tags: dictFrom<string>(d.context ? [['mlflow.data.context', d.context]] : []),
    })));
  }
  if (r.status !== 'RUNNING') await s.updateRun(id, { status: r.status as RunStatus, endTime: t0 + r.start + 500 });
  if (r.deleted) await s.deleteRun(id);
  names.set(id, r.name);
  return id;
}

/** The lab's answer for each filter, in the same shape as the Python script's. */
async function labSearch(filters: string[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const filter of filters) {
    try {
      const res = await store.searchRuns({ experimentIds, filter, runViewType: 'ALL', maxResults: 50_000 });
      out.push({ ids: res.runs.map((r) => r.info.runId).sort() });
    } catch (e) {
      out.push({ error: errorMessage(e) });
    }
  }
  return out;
}

const stripQuoted = (f: string) => f.replace(/'(?:[^']|'')*'|"[^"]*"|`[^`]*`/g, "''");

/**
 * Differences kept on purpose, each listed in the README's "Search" section. A filter may
 * differ from MLflow only when one of these says why; anything else fails the test.
 */
const KEPT: { why: string; applies: (f: string, lab: Outcome, mlflow: Outcome) => boolean }[] = [
  { why: 'OR and parentheses are lab extensions MLflow refuses',
    applies: (f, lab, py) => 'error' in py && !('error' in lab) && /\bor\b|[()]/i.test(stripQuoted(f).replace(/\b(not\s+)?in\s*\(/gi, '')) },
  { why: 'a blank filter means no filter in the lab; MLflow refuses whitespace',
    applies: (f, lab, py) => f.trim() === '' && 'error' in py && !('error' in lab) },
  { why: 'a dangling or doubled AND is named as an error; MLflow ignores it',
    applies: (f, lab) => 'error' in lab && /^\s*and\b|\band\s*$|\band\s+and\b/i.test(stripQuoted(f)) },
  { why: "a doubled quote inside a string is an escaped quote (SQL's rule); MLflow reads it literally",
    applies: (f) => /'[^']*''/.test(f) },
  { why: 'attributes.lifecycle_stage is searchable in the lab; MLflow refuses the key',
    applies: (f, lab, py) => /lifecycle_stage/.test(f) && 'error' in py },
  { why: 'a space after `metrics.` or a quoted entity name is refused; MLflow reads them as other keys',
    applies: (f, lab) => 'error' in lab && (/^\s*`\w+`\./.test(f) || /\.\s+\w/.test(stripQuoted(f))) },
];

function describeOutcome(o: Outcome): string {
  return 'error' in o ? `error (${o.error.slice(0, 120)})` : `[${o.ids.map((id) => names.get(id) ?? id).join(', ')}]`;
}

const same = (a: Outcome, b: Outcome) => ('error' in a ? 'error' in b : !('error' in b) && JSON.stringify(a.ids) === JSON.stringify(b.ids));

/**
 * Unexplained differences (as readable lines) and the reasons used. `alsoOk` accepts a known
 * quirk of one store, given the filter's index.
 */
function compare(filters: string[], lab: Outcome[], py: Outcome[], alsoOk: (i: number) => boolean = () => false): { diffs: string[]; kept: Set<string> } {
  const diffs: string[] = [];
  const kept = new Set<string>();
  filters.forEach((f, i) => {
    const a = lab[i]; const b = py[i];
    if (same(a, b)) return;
    const reason = KEPT.find((k) => k.applies(f, a, b));
    if (reason) { kept.add(reason.why); return; }
    if (alsoOk(i)) return;
    diffs.push(`${f}\n    lab:    ${describeOutcome(a)}\n    mlflow: ${describeOutcome(b)}`);
  });
  return { diffs, kept };
}

const GENERATED = fc.sample(filterArbitrary, { seed: 20261203, numRuns: 400 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mfflow-search-'));
  store = await openStore();
  const e1 = await store.createExperiment('search-a');
  const e2 = await store.createExperiment('search b');
  experimentIds = [e1, e2];
  const t0 = 1_700_000_000_000;
  for (const [i, r] of FIXTURE_RUNS.entries()) await makeRun(store, i % 3 === 2 ? e2 : e1, r, t0);
  const bundle = await collectBundle(store, { kind: 'lab' });
  const zip = join(work, 'lab.zip');
  writeFileSync(zip, exportMlflowZip(bundle));
  execFileSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, work]);
  fileStore = join(work, 'mlruns');
  const db = join(work, 'mlflow.db');
  execFileSync(PYTHON, ['-m', 'mlflow', 'migrate-filestore', '--source', fileStore, '--target', `sqlite:///${db}`, '--no-progress'],
    { env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true' }, stdio: 'pipe' });
  sqliteUri = `sqlite:///${db}`;
});

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

function mlflowSearch(uri: string, filters: string[]): PySearch {
  return runPython<PySearch>('search_runs.py', [uri], JSON.stringify({ experiment_ids: experimentIds, filters }));
}

/** SQLite keeps ±Infinity as ±1.797e308: filters whose answer turns on that are file-store only. */
const touchesInfinity = (f: string) => /\binf_|e30[89]\b|1\.797/i.test(f);

describe('search: the lab returns the runs MLflow returns', () => {
  const keptSeen = new Set<string>();
  for (const [label, filters] of [['hand-written cases', HAND_FILTERS], ['fast-check filters', GENERATED]] as const) {
    it(`${label} (${filters.length}): MLflow's file store and its SQLite store`, async () => {
      const all = [...filters];
      const lab = await labSearch(all);
      const sql = mlflowSearch(sqliteUri, all);
      const file = mlflowSearch(fileStore, all);
      expect(file.results).toHaveLength(all.length);
      // MLflow's file store checks a comparator only on runs an earlier clause let through, so an
      // invalid one after a clause matching nothing gives [] there; its SQL store refuses, as the lab does.
      const lazyFileStore = (i: number) => 'error' in lab[i] && 'error' in sql.results[i] && 'ids' in file.results[i] && file.results[i].ids.length === 0;
      const onFile = compare(all, lab, file.results, lazyFileStore);
      // SQLite keeps ±Infinity as ±1.797e308, so filters that turn on an infinity are judged by the file store only.
      const onSql = compare(all, lab, sql.results, (i) => touchesInfinity(all[i]));
      for (const k of [...onFile.kept, ...onSql.kept]) keptSeen.add(k);
      expect(onFile.diffs, `MLflow ${file.version}, file store`).toEqual([]);
      expect(onSql.diffs, `MLflow ${sql.version}, SQLite`).toEqual([]);
    });
  }

  it('every difference kept on purpose is one the cases meet, and the README lists it', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect([...keptSeen].sort()).toEqual(KEPT.map((k) => k.why).sort());
    for (const k of KEPT) expect(readme, k.why).toContain(k.why);
  });

  it('the cases are not vacuous: many filters match some runs, many match none, some are refused', async () => {
    const lab = await labSearch([...HAND_FILTERS, ...GENERATED]);
    const some = lab.filter((o) => 'ids' in o && o.ids.length > 0 && o.ids.length < FIXTURE_RUNS.length).length;
    const errors = lab.filter((o) => 'error' in o).length;
    expect(some).toBeGreaterThan(150);
    expect(errors).toBeGreaterThan(20);
  });
});
