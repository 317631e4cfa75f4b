/**
 * Untrusted scripts (the editor, a link, a project) run in public/sandbox.html, loaded in an
 * `<iframe sandbox="allow-scripts">`: an opaque origin (no IndexedDB, caches or cookies of the
 * lab, no navigation of the page), a blob worker inside it (so a busy loop never blocks the
 * lab) under `connect-src 'none'` (no network). The script's `mfflow` is a relay over one
 * MessagePort; this side answers only the methods in SANDBOX_METHODS, with a Fluent of its own
 * (the script's active run is not the console's). Runs a script starts record it as their source
 * (`code/script.js`, LOCAL, via script). Time limit and Cancel remove the frame, which ends the
 * worker; runs left open end FAILED (or KILLED) with the reason as `mfflow.error`.
 *
 * Memory limit: no browser lets this page read the worker's heap in time, so the worker counts
 * its own buffers, typed arrays and TF.js tensors (lib/projects/memory-limit, sent as text) and
 * the script fails with a RangeError naming the limit. Plain objects and strings are left to
 * V8's heap limit: in Chromium the opaque-origin frame runs in a process of its own, and a script
 * that exhausts it gets that process killed, not the lab's; the frame's heartbeat stops and the
 * script ends FAILED with SANDBOX_GONE instead of waiting for its time limit.
 */
import type { Fluent } from '../lib/tracking/fluent';
import { TRAIN_TAG, TAG } from '../lib/tracking/tags';
import { localSource, SOURCE_TAG, CODE_DIR, type RunSource } from '../lib/projects/source';
import { filesDigest } from '../lib/projects/project-files';
import { checkMemoryLimitMB, memoryGuardScript } from '../lib/projects/memory-limit';
import { lab, labPageUrl } from './lab.svelte';
import { datasets } from './datasets.svelte';
import { serving } from './serving.svelte';
import { training, type SweepRequest, type TrainRequest } from './training.svelte';
// TF.js's own single-file build, as a hashed asset of the build (precached, so offline too): the
// sandbox worker loads it from a blob, never the page. Only its URL is in the page's code.
import tfScriptUrl from '@tensorflow/tfjs/dist/tf.min.js?url';

/** A script or module that names `tf` gets TF.js (cpu backend); the others skip loading 1.4 MB. */
export function usesTf(source: string): boolean {
  return /\btf\b/.test(source);
}

let tfScript: Promise<string> | null = null;
function loadTfScript(): Promise<string> {
  tfScript ??= fetch(tfScriptUrl).then((r) => {
    if (!r.ok) throw new Error(`TF.js could not be loaded for the script (${r.status} ${r.statusText})`);
    return r.text();
  });
  tfScript.catch(() => (tfScript = null));
  return tfScript;
}

type Method = (...a: never[]) => unknown;
/** Methods other state modules add (projects: runProject, listProjects); no import back to them. */
const extraMethods: Record<string, Method> = Object.create(null);
export function registerSandboxMethods(methods: Record<string, Method>): void {
  Object.assign(extraMethods, methods);
}

/** The script API over a Fluent of the script's own; the same calls as `window.mfflow`'s. */
function sandboxApi(fluent: Fluent): Record<string, (...a: unknown[]) => unknown> {
  const api: Record<string, Method> = {};
  for (const m of ['setExperiment', 'setExperimentById', 'startRun', 'endRun', 'activeRun', 'logParam', 'logParams', 'logMetric', 'logMetrics',
    'setTag', 'setTags', 'deleteTag', 'logArtifact', 'logText', 'logDict', 'flush', 'getRun', 'getMetricHistory', 'searchRuns', 'listArtifacts'] as const) {
    api[m] = (fluent[m] as (...a: unknown[]) => unknown).bind(fluent) as Method;
  }
  Object.assign(api, {
    readArtifact: (runId: string, path: string) => lab.store.readArtifact(runId, path),
    listExperiments: () => lab.store.listExperiments(),
    createExperiment: (name: string, tags?: Record<string, string>) => lab.store.createExperiment(name, tags),
    train: (spec: TrainRequest) => training.train({ experimentId: fluent.currentExperimentId, ...spec }),
    sweep: (spec: SweepRequest) => training.sweep({ experimentId: fluent.currentExperimentId, ...spec }),
    loadDataset: (url: unknown, o?: Record<string, unknown>) => {
      if (typeof url !== 'string') throw new Error('loadDataset() in a script takes a URL');
      return datasets.load({ url }, { name: typeof o?.name === 'string' ? o.name : undefined });
    },
    listDatasets: async () => { await datasets.refresh(); return datasets.list.map(({ profile: _p, ...rest }) => rest); },
    predict: (uri: string, payload: unknown, contentType?: string) => serving.predict(uri, payload, contentType),
    jobs: () => training.jobs.map((j) => j.snapshot()),
  });
  return { ...api, ...extraMethods } as Record<string, (...a: unknown[]) => unknown>;
}

/** What a sandboxed script may call: tracking, training, datasets by URL, projects, scoring. */
export const SANDBOX_METHODS = [
  'setExperiment', 'setExperimentById', 'startRun', 'endRun', 'activeRun', 'logParam', 'logParams', 'logMetric', 'logMetrics',
  'setTag', 'setTags', 'deleteTag', 'logArtifact', 'logText', 'logDict', 'flush', 'getRun', 'getMetricHistory', 'searchRuns',
  'listArtifacts', 'readArtifact', 'listExperiments', 'createExperiment', 'train', 'sweep', 'loadDataset', 'listDatasets',
  'runProject', 'listProjects', 'predict', 'jobs',
] as const;

export interface ScriptLine { level: string; text: string }

/** The sandbox frame says it is alive every second; this much silence means its process ended. */
export const SANDBOX_SILENCE_MS = 8_000;
export const SANDBOX_GONE = "the script ran out of memory (its sandbox process ended without an error) and was stopped";

export class ScriptFailure extends Error {
  constructor(message: string, readonly line: number | null, readonly kind: 'error' | 'timeout' | 'cancelled') {
    super(line === null ? message : `${message} (line ${line})`);
    this.name = 'ScriptFailure';
  }
}

export interface SandboxOptions {
  onLog?: (line: ScriptLine) => void;
  /** A project's JavaScript entry point: `source` is an ES module; `main({ params, mfflow, tf, data })` runs. */
  module?: { path: string; params: Record<string, string | number>; files: Record<string, string> };
  /** What runs record as their source (default: the script, LOCAL). */
  source?: RunSource;
  /**
   * Start this run before the script, as `mlflow run` does: the script's `startRun()` then
   * returns it (MLflow's MLFLOW_RUN_ID), and it ends FINISHED when the script returns.
   */
  preStart?: { experimentId?: string; runName?: string; tags?: Record<string, string>; params: Record<string, string> };
  /** Buffers, typed arrays and TF.js tensors the script may hold, in MB (2^20 bytes); default 1024 (README, "Script editor"). */
  memoryLimitMB?: number;
  /** Wall-clock limit; default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const enc = new TextEncoder();

export function runInSandbox(source: string, opts: SandboxOptions = {}): { result: Promise<unknown>; runIds: string[] } {
  // The lab's own kind of Fluent: its runs end KILLED (their points offered) if the data is deleted.
  const memoryLimitMB = checkMemoryLimitMB(opts.memoryLimitMB);
  const fluent: Fluent = lab.newFluent();
  const api = sandboxApi(fluent);
  const runIds: string[] = [];
  const src = opts.source ?? localSource(labPageUrl(), 'script', new Map([['script.js', enc.encode(source)]]));
  const codeArtifacts = new Map([...src.files].map(([p, b]) => [`${CODE_DIR}/${p}`, b] as const));
  const digest = `sha256:${filesDigest(codeArtifacts)}`;
  let preStarted: { runId: string } | null = null;

  const handlers: Record<string, (...a: unknown[]) => unknown> = {};
  for (const m of SANDBOX_METHODS) handlers[m] = api[m];
  const startRun = async (o: unknown = {}) => {
    const ro = (o && typeof o === 'object' ? o : {}) as { tags?: Record<string, string>; nested?: boolean };
    // Inside `mlflow run`, the program's start_run() continues the run the project started.
    if (preStarted && !ro.nested && fluent.activeRun()?.runId === preStarted.runId) return fluent.activeRun();
    const info = await api.startRun({ ...ro, tags: { ...src.tags, [SOURCE_TAG.digest]: digest, ...ro.tags } }) as { runId: string };
    runIds.push(info.runId);
    for (const [path, bytes] of codeArtifacts) await lab.store.logArtifact(info.runId, path, bytes);
    return info;
  };
  handlers.startRun = startRun;

  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('aria-hidden', 'true');
  iframe.hidden = true;
  iframe.src = new URL('sandbox.html', document.baseURI).href;
  const channel = new MessageChannel();

  const result = new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const finish = async (err: ScriptFailure | null, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      removeEventListener('message', onReady);
      removeEventListener('message', onAlive);
      opts.signal?.removeEventListener('abort', onAbort);
      iframe.remove();
      channel.port1.close();
      if (err) {
        // Runs the script left open end as `with mlflow.start_run()` ends them when it raises.
        while (fluent.activeRun()) {
          const id = fluent.activeRun()!.runId;
          await lab.store.setTag(id, TRAIN_TAG.error, err.message).catch(() => undefined);
          await lab.store.setTag(id, TAG.note, `Script failed: ${err.message}`).catch(() => undefined);
          await fluent.endRun(err.kind === 'cancelled' ? 'KILLED' : 'FAILED').catch(() => undefined);
        }
        reject(err);
      } else {
        while (fluent.activeRun()) await fluent.endRun().catch(() => undefined);
        resolve(value);
      }
    };
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => void finish(new ScriptFailure(`the script ran longer than its time limit of ${timeoutMs / 1000} s and was stopped`, null, 'timeout')), timeoutMs);
    const onAbort = () => void finish(new ScriptFailure('cancelled', null, 'cancelled'));
    // Judged only while the lab is visible and its own timer is on time: a hidden tab's timers
    // (and the frame's) are throttled, which is silence that says nothing about the process.
    let lastAlive = 0;
    let lastTick = performance.now();
    const onAlive = (e: MessageEvent) => {
      if (e.source === iframe.contentWindow && e.data?.type === 'mfflow-sandbox-alive') lastAlive = performance.now();
    };
    addEventListener('message', onAlive);
    const watchdog = setInterval(() => {
      const now = performance.now();
      const late = now - lastTick > 3_000;
      lastTick = now;
      if (!lastAlive) return;
      if (document.hidden || late) lastAlive = now;
      else if (now - lastAlive > SANDBOX_SILENCE_MS) void finish(new ScriptFailure(SANDBOX_GONE, null, 'error'));
    }, 1_000);
    opts.signal?.addEventListener('abort', onAbort);
    const onReady = async (e: MessageEvent) => {
      if (e.source !== iframe.contentWindow || e.data?.type !== 'mfflow-sandbox-ready') return;
      removeEventListener('message', onReady);
      lastAlive = performance.now(); // judged from here on, also if it dies before its first beat
      try {
        if (opts.preStart) {
          const { params, ...startOpts } = opts.preStart;
          preStarted = await startRun(startOpts) as { runId: string };
          if (Object.keys(params).length) await fluent.logParams(params);
        }
      } catch (err) {
        void finish(new ScriptFailure(err instanceof Error ? err.message : String(err), null, 'error'));
        return;
      }
      let tf: string | null = null;
      try {
        if (usesTf(source)) tf = await loadTfScript();
      } catch (err) {
        void finish(new ScriptFailure(err instanceof Error ? err.message : String(err), null, 'error'));
        return;
      }
      iframe.contentWindow!.postMessage({ type: 'run', source, module: opts.module ?? null, tf, guard: memoryGuardScript(), memoryLimitMB }, '*', [channel.port2]);
    };
    addEventListener('message', onReady);
    channel.port1.onmessage = async (e: MessageEvent) => {
      const d = e.data as { type: string; id?: number; method?: string; args?: unknown[]; level?: string; text?: string; message?: string; line?: number | null; result?: unknown };
      if (d.type === 'log') opts.onLog?.({ level: String(d.level), text: String(d.text) });
      else if (d.type === 'done') void finish(null, d.result);
      else if (d.type === 'error') void finish(new ScriptFailure(String(d.message), typeof d.line === 'number' ? d.line : null, 'error'));
      else if (d.type === 'call') {
        const fn = Object.prototype.hasOwnProperty.call(handlers, String(d.method)) ? handlers[String(d.method)] : undefined;
        try {
          if (!fn) throw new Error(`mfflow.${String(d.method)} is not available to scripts (they get: ${SANDBOX_METHODS.join(', ')})`);
          const value = await fn(...(Array.isArray(d.args) ? d.args : []));
          channel.port1.postMessage({ id: d.id, result: value === undefined ? null : value });
        } catch (err) {
          channel.port1.postMessage({ id: d.id, error: err instanceof Error ? err.message : String(err) });
        }
      }
    };
    document.body.append(iframe);
  });
  return { result, runIds };
}
