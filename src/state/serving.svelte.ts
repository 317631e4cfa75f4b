/**
 * In-page serving: model URIs resolved through the registry, loaded into the predict worker
 * (created here, lazily), and scored with MLflow's protocol. The Serve page, `mfflow.predict`
 * and the service worker's `/invocations` (serving-endpoint.svelte.ts) all come through here,
 * so they answer the same bytes for the same request.
 */
import type { Remote } from 'comlink';
import type { MLmodel } from '../lib/mlflow/mlmodel';
import { firstExampleRow } from '../lib/serving/input-example';
import { inputSchemaOf, paramSpecsOf, type InputSchema, type ParamSpec } from '../lib/serving/input-schema';
import { describeModel, type LoadedModelInfo, type PredictWorkerApi, type Prediction } from '../lib/serving/worker-api';
import { parseScoringRequest, requireFiniteRows } from '../lib/serving/scoring-request';
import { errorAnswer, successAnswer, type ScoringAnswer } from '../lib/serving/scoring-response';
import { registry } from './registry.svelte';
import { predictWorker } from './workers';

export interface ServedModel {
  uri: string;
  /** Predict-worker key: the run folder the URI resolved to. */
  key: string;
  runId: string;
  artifactPath: string;
  /** Set when the URI went through the registry. */
  name?: string;
  version?: number;
  info: Omit<LoadedModelInfo, 'mlmodel'>;
  mlmodel: MLmodel;
  schema: InputSchema;
  params: ParamSpec[] | null;
  /** First row of the model's input example, per column (prefills the Serve form); null without one. */
  example: Record<string, string> | null;
}

const REMEMBER_KEY = 'mfflow.serve.model';
const SAMPLES = 2000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export class Serving {
  /** The model the Serve page (and the endpoint, unless the page URL names another) serves. */
  modelUri = $state(typeof localStorage === 'undefined' ? '' : localStorage.getItem(REMEMBER_KEY) ?? '');
  /** Latency of the last requests (ms), for p50/p99. */
  latencies = $state.raw<number[]>([]);
  /** Rows per second of the last batch. */
  batchRowsPerSecond = $state<number | null>(null);

  private readonly worker = predictWorker();
  private loaded = new Map<string, Promise<ServedModel>>();
  private resolved = new Map<string, { at: number; key: string; promise: Promise<ServedModel> }>();

  constructor() {
    // Models are loaded in the worker: once it stops (idle, crash), every model loads again.
    this.worker.onStop(() => {
      this.loaded.clear();
      this.resolved.clear();
    });
  }

  private api(): Remote<PredictWorkerApi> {
    return this.worker.api;
  }

  choose(uri: string): void {
    this.modelUri = uri.trim();
    try { localStorage.setItem(REMEMBER_KEY, this.modelUri); } catch { /* storage may be off; the URL still carries it */ }
  }

  /** Resolves and loads a URI; reuses the load while the registry has not changed. */
  model(uri: string): Promise<ServedModel> {
    uri = uri.trim();
    const hit = this.resolved.get(uri);
    if (hit && hit.at === registry.version) return hit.promise;
    const promise = this.load(uri);
    this.resolved.set(uri, { at: registry.version, key: '', promise });
    promise.catch(() => this.resolved.delete(uri));
    return promise;
  }

  private async load(uri: string): Promise<ServedModel> {
    if (!uri) throw new Error('Choose a model: models:/name@alias, models:/name/1 or runs:/<run id>/model.');
    const where = await registry.resolve(uri);
    const key = `runs:/${where.runId}/${where.artifactPath}`;
    let base = this.loaded.get(key);
    if (!base) {
      base = (async () => {
        const files = await registry.modelFiles(where.runId, where.artifactPath);
        const { mlmodel } = describeModel(files);
        const schema = inputSchemaOf(mlmodel.signature);
        const info = await this.api().load(key, files);
        const example = firstExampleRow(mlmodel, files);
        return { uri: key, key, runId: where.runId, artifactPath: where.artifactPath, info, mlmodel, schema, params: paramSpecsOf(mlmodel.signature), example };
      })();
      this.loaded.set(key, base);
      base.catch(() => this.loaded.delete(key));
    }
    const m = await base;
    return { ...m, uri, name: where.version?.name, version: where.version?.version };
  }

  private note(ms: number): void {
    const next = this.latencies.length >= SAMPLES ? this.latencies.slice(1) : this.latencies.slice();
    next.push(ms);
    this.latencies = next;
  }

  get p50(): number { return percentile([...this.latencies].sort((a, b) => a - b), 0.5); }
  get p99(): number { return percentile([...this.latencies].sort((a, b) => a - b), 0.99); }

  /** Columns in the model's feature order → predictions (in the worker). */
  async predictColumns(uri: string, columns: Float64Array[]): Promise<Prediction> {
    const m = await this.model(uri);
    return this.api().predict(m.key, columns);
  }

  /** One scoring request, answered as MLflow's scoring server would (status, content type, body). */
  async invoke(uri: string, body: string | Uint8Array, contentType = 'application/json'): Promise<ScoringAnswer> {
    const t0 = performance.now();
    try {
      const m = await this.model(uri);
      const batch = await parseScoringRequest(body, contentType, m.schema, m.params);
      // The exact linear engine answers as the tutorial's sklearn model does (no NaN, no empty input).
      if (m.info.engine === 'linear') requireFiniteRows(batch);
      const y = await this.api().predict(m.key, batch.columns);
      return successAnswer(y);
    } catch (e) {
      return errorAnswer(e);
    } finally {
      this.note(performance.now() - t0);
    }
  }

  /** `mfflow.predict`: a payload object (or JSON/CSV text) → parsed answer; MLflow errors reject. */
  async predict(uri: string, payload: unknown, contentType?: string): Promise<unknown> {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const type = contentType ?? (typeof payload === 'string' && !/^\s*[[{]/.test(payload) ? 'text/csv' : 'application/json');
    const a = await this.invoke(uri, text, type);
    if (a.status !== 200) {
      const err = a.contentType === 'application/json' ? (JSON.parse(a.body) as { error_code: string; message: string }) : { error_code: 'BAD_REQUEST', message: a.body };
      throw Object.assign(new Error(err.message), { errorCode: err.error_code, status: a.status });
    }
    // Python's json writes NaN / Infinity bare; make them parseable.
    return JSON.parse(a.body.replace(/\b(-?Infinity|NaN)\b/g, 'null'));
  }

  /**
   * Scores columns in chunks so progress shows and Cancel stops between chunks; resolves to
   * the predictions, or null when cancelled.
   */
  async scoreColumns(uri: string, columns: Float64Array[], rowCount: number, onProgress: (done: number) => void, cancelled: () => boolean, chunk = 65_536): Promise<Prediction[] | null> {
    const m = await this.model(uri);
    const out: Prediction[] = [];
    const t0 = performance.now();
    for (let start = 0; start < rowCount; start += chunk) {
      if (cancelled()) return null;
      const end = Math.min(rowCount, start + chunk);
      out.push(await this.api().predict(m.key, columns.map((c) => c.slice(start, end))));
      onProgress(end);
    }
    const seconds = (performance.now() - t0) / 1000;
    this.batchRowsPerSecond = seconds > 0 ? rowCount / seconds : null;
    return out;
  }
}

export const serving = new Serving();
