/**
 * Pull runs from an MLflow tracking server into the lab, keeping the server's run ids (so a
 * second pull finds them and adds nothing). The filter uses the lab's grammar: the comparisons
 * joined by a top-level AND go to the server's `runs/search` (MLflow's grammar has no OR or
 * parentheses), the rest is evaluated in the lab over what the server returned. A filter the
 * server refuses is evaluated in the lab as a whole.
 */
import type { PreparedImport, PreparedRun } from '../storage/prepared-import';
import type { BundleArtifact } from '../mlflow/bundle';
import { compileFilter, parseFilter, printFilter, type FilterNode } from '../search';
import type { Experiment, MetricColumns, MetricSummary, Run } from '../tracking/types';
import { dictSet, newDict } from '../util/dict';
import { MlflowClient, proxiedArtifactPath, RemoteError } from './client';
import { LAB_RUN_TAG } from './push-run';
import { pool, Session, type SessionOptions } from './session';
import { experimentFromWire, latestMetrics, num, runFromWire, type WireExperiment, type WireMetric, type WireRun } from './wire';

export interface PullSelection {
  /** Experiment name or id on the server. */
  experiment: string;
  filter?: string;
  /** Only these server run ids (after the filter), e.g. the runs a person ticked. */
  runIds?: string[];
}

/** What the lab offers a pull (the TrackingStore has it). */
export interface PullTarget {
  importBundle(prep: PreparedImport): Promise<{ addedRuns: string[]; unchanged: string[]; conflicts: { id: string; reason: string }[]; warnings: string[] }>;
  /** Whether a run id is in the lab (a run this lab pushed comes back under the lab's id). */
  hasRun(runId: string): boolean;
}

export interface PullReport {
  added: string[];
  unchanged: string[];
  /** Runs that were pushed from this lab (their lab copy is the original). */
  fromThisLab: string[];
  failed: { runId: string; message: string }[];
  /** The part of the filter the server evaluated, and whether the lab evaluated the rest. */
  serverFilter: string;
  labFilter: string;
  cancelled: boolean;
  points: number;
  files: number;
  bytes: number;
}

export async function listServerExperiments(client: MlflowClient): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let token: string | undefined;
  do {
    const r = await client.call<{ experiments?: WireExperiment[]; next_page_token?: string }>('GET', 'mlflow/experiments/search', { max_results: 1000, page_token: token });
    out.push(...(r.experiments ?? []).map(experimentFromWire));
    token = r.next_page_token || undefined;
  } while (token);
  return out;
}

/** Splits a filter into what MLflow's `runs/search` understands and the rest. */
export function splitFilter(filter: string | undefined): { server: string; lab: FilterNode | null } {
  if (!filter?.trim()) return { server: '', lab: null };
  const ast = parseFilter(filter);
  if (ast === null) return { server: '', lab: null };
  const items: FilterNode[] = ast.kind === 'and' ? ast.items : [ast];
  const server = items.filter((n) => n.kind === 'compare');
  const rest = items.filter((n) => n.kind !== 'compare');
  const lab: FilterNode | null = rest.length === 0 ? null : rest.length === 1 ? rest[0] : { kind: 'and', items: rest };
  return { server: server.map((n) => printFilter(n)).join(' and '), lab };
}

async function findExperiment(client: MlflowClient, ref: string): Promise<WireExperiment> {
  try {
    return (await client.call<{ experiment: WireExperiment }>('GET', 'mlflow/experiments/get-by-name', { experiment_name: ref })).experiment;
  } catch (e) {
    if (!(e instanceof RemoteError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') || !/^\d+$/.test(ref)) {
      if (e instanceof RemoteError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') throw new RemoteError('http', `The server has no experiment "${ref}".`, 404, e.errorCode);
      throw e;
    }
    return (await client.call<{ experiment: WireExperiment }>('GET', 'mlflow/experiments/get', { experiment_id: ref })).experiment;
  }
}

/** Summaries from the latest values the server lists (enough to filter; the import recomputes them). */
function withLatest(w: WireRun): Run {
  const run = runFromWire(w);
  const latest = latestMetrics(w);
  for (const k of Object.keys(latest)) {
    const l = latest[k];
    dictSet<MetricSummary>(run.metrics, k, { latest: l.value, step: l.step, timestamp: l.timestamp, min: l.value, max: l.value, count: 1 });
  }
  return run;
}

/** The server's runs of an experiment that match the filter (both halves applied). */
export async function searchServerRuns(client: MlflowClient, sel: PullSelection): Promise<{ experiment: WireExperiment; runs: Run[]; serverFilter: string; labFilter: string }> {
  const experiment = await findExperiment(client, sel.experiment);
  let { server, lab } = splitFilter(sel.filter);
  const fetchAll = async (filter: string) => {
    const out: WireRun[] = [];
    let token: string | undefined;
    do {
      const r = await client.call<{ runs?: WireRun[]; next_page_token?: string }>('POST', 'mlflow/runs/search', {
        experiment_ids: [experiment.experiment_id], filter: filter || undefined, max_results: 1000, page_token: token, run_view_type: 'ACTIVE_ONLY',
      });
      out.push(...(r.runs ?? []));
      token = r.next_page_token || undefined;
    } while (token);
    return out;
  };
  let wires: WireRun[];
  try {
    wires = await fetchAll(server);
  } catch (e) {
    if (!(e instanceof RemoteError && e.status === 400 && server)) throw e;
    wires = await fetchAll('');
    lab = parseFilter(sel.filter!);
    server = '';
  }
  let runs = wires.map(withLatest);
  if (lab) {
    const keep = compileFilter(lab);
    runs = runs.filter((r) => keep(r));
  }
  return { experiment, runs, serverFilter: server, labFilter: lab ? printFilter(lab) : '' };
}

async function history(s: Session, runId: string, key: string): Promise<MetricColumns> {
  const points: WireMetric[] = [];
  let token: string | undefined;
  do {
    const r = await s.client.call<{ metrics?: WireMetric[]; next_page_token?: string }>('GET', 'mlflow/metrics/get-history',
      { run_id: runId, metric_key: key, max_results: 25000, page_token: token });
    points.push(...(r.metrics ?? []));
    token = r.next_page_token || undefined;
  } while (token);
  const n = points.length;
  const m: MetricColumns = { key, values: new Float64Array(n), steps: new Float64Array(n), timestamps: new Float64Array(n) };
  points.forEach((p, i) => { m.values[i] = num(p.value); m.steps[i] = num(p.step); m.timestamps[i] = num(p.timestamp); });
  return m;
}

async function artifacts(s: Session, runId: string, root: string | null, dir?: string): Promise<BundleArtifact[]> {
  const res = await s.client.call<{ files?: { path: string; is_dir?: boolean }[] }>('GET', 'mlflow/artifacts/list', { run_id: runId, path: dir });
  const out: BundleArtifact[] = [];
  for (const f of res.files ?? []) {
    if (f.is_dir) { out.push(...(await artifacts(s, runId, root, f.path))); continue; }
    if (root === null) throw new RemoteError('protocol', `run ${runId}: its artifacts are not proxied by the server (start it with --serve-artifacts)`);
    const bytes = await s.client.getArtifact(`${root}/${f.path}`);
    s.progress.bytes += bytes.byteLength;
    s.progress.files++;
    out.push({ path: f.path, bytes });
  }
  return out;
}

export async function pullRuns(client: MlflowClient, target: PullTarget, sel: PullSelection, options: SessionOptions = {}): Promise<PullReport> {
  const s = new Session(client, options);
  const found = await s.retrying('search', () => searchServerRuns(s.client, sel));
  const wanted = sel.runIds ? new Set(sel.runIds) : null;
  const report: PullReport = { added: [], unchanged: [], fromThisLab: [], failed: [], serverFilter: found.serverFilter, labFilter: found.labFilter, cancelled: false, points: 0, files: 0, bytes: 0 };
  const runs = found.runs.filter((r) => {
    if (wanted && !wanted.has(r.info.runId)) return false;
    const labId = r.tags[LAB_RUN_TAG];
    if (labId && target.hasRun(labId)) { report.fromThisLab.push(r.info.runId); return false; }
    return true;
  });
  s.progress.runsTotal = runs.length;
  s.progress.phase = 'downloading runs';
  s.emit(true);
  const prepared: PreparedRun[] = [];
  try {
    await pool(runs, options.concurrency ?? 4, async (run) => {
      s.checkCancelled();
      try {
        const wire = await s.retrying(`run ${run.info.runName}`, async () => {
          const metrics: MetricColumns[] = [];
          for (const key of Object.keys(run.metrics)) metrics.push(await history(s, run.info.runId, key));
          const arts = await artifacts(s, run.info.runId, proxiedArtifactPath(run.info.artifactUri), undefined);
          return { metrics, arts };
        });
        for (const m of wire.metrics) s.progress.points += m.values.length;
        prepared.push({ run: { ...run, metrics: newDict<MetricSummary>() }, metrics: wire.metrics, artifacts: wire.arts });
      } catch (e) {
        if (e instanceof RemoteError && (e.kind === 'cancelled' || e.kind === 'auth')) throw e;
        report.failed.push({ runId: run.info.runId, message: (e as Error).message });
      }
      s.progress.runsDone++;
      s.emit();
    });
  } catch (e) {
    if (!(e instanceof RemoteError && e.kind === 'cancelled')) throw e;
    report.cancelled = true;
    return report; // nothing imported: a cancelled pull keeps nothing
  }
  s.progress.phase = 'saving in the lab';
  s.emit(true);
  if (prepared.length) {
    const res = await target.importBundle({ kind: 'mlruns', experiments: [experimentFromWire(found.experiment)], runs: prepared, warnings: [] });
    report.added = res.addedRuns;
    report.unchanged = res.unchanged;
    for (const c of res.conflicts) report.failed.push({ runId: c.id, message: c.reason });
  }
  s.progress.phase = 'done';
  s.emit(true);
  report.points = s.progress.points;
  report.files = s.progress.files;
  report.bytes = s.progress.bytes;
  return report;
}
