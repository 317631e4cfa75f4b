/**
 * The TrainWorkerApi a worker exposes: prepare data (the spec comes validated from the page's
 * training session), dispatch to the model's trainer,
 * turn every failure into a FAILED result, and make sure all logging reached the page before
 * `train` resolves. TF.js is loaded through `deps.loadTf` only when a TF.js model trains.
 */
import type { DataTable } from '../../src/lib/data/types';
import {
  type ResolvedTrainSpec, type RunLoggerPort, type TfBackend,
  type TrainProgress, type TrainResult,
} from '../../src/lib/training/contract';
import { isSharedTable, type SharedTable, type TrainWorkerApi } from '../../src/lib/training/worker-api';
import { prepareData } from '../../src/lib/training/dataset';
import { PortRunLogger, type TransferFn } from '../../src/lib/training/port-logger';
import type { TrainContext, TrainOutcome } from './context';
import { trainElasticNet } from './elastic-net-trainer';
import type { Tf } from './tfjs-trainer';
import { TRAIN_TAG } from '../../src/lib/tracking/tags';

export interface LoadedTf {
  tf: Tf;
  /** The backend actually in use (`wasm` or `cpu`, after any fallback). */
  backend: string;
}

export interface TrainerDeps {
  /** Loads TF.js and activates the backend (falling back as it sees fit). */
  loadTf(backend: TfBackend): Promise<LoadedTf>;
  /** `Comlink.transfer` in a worker. */
  transfer?: TransferFn;
  /** Metric flush interval, ms (default 250). */
  flushMs?: number;
  /** Least time between two progress reports of the same phase, ms (default 100). */
  progressMs?: number;
}

const BREATHE_MS = 30;

export function createTrainer(deps: TrainerDeps): TrainWorkerApi {
  const running = new Map<string, { cancelled: boolean }>();
  /** Cancels that arrived before their job started (a race the pool can create). */
  const early = new Set<string>();
  /** The dataset the pool sent last (SharedTable); jobs only read it (prepareData copies what it changes). */
  let held: { tableId: string; table: DataTable } | null = null;

  function tableOf(t: DataTable | SharedTable): DataTable {
    if (!isSharedTable(t)) return t;
    if (t.table) held = { tableId: t.tableId, table: t.table };
    if (held?.tableId !== t.tableId) throw new Error(`this training worker does not hold dataset ${t.tableId}; send it with the job`);
    return held.table;
  }

  async function runJob(jobId: string, spec: ResolvedTrainSpec, table: DataTable, ctx: TrainContext): Promise<TrainOutcome> {
    ctx.progress('preparing', 0, 0);
    const data = prepareData(table, spec);
    // Not awaited: training needs no answer from the page, and the logger joins the batches
    // sent meanwhile (a failed write still fails the job at the final flush).
    void ctx.logger.setTags({
      [TRAIN_TAG.model]: spec.model,
      [TRAIN_TAG.task]: spec.task,
      [TRAIN_TAG.droppedRows]: String(data.dropped),
    }).catch(() => undefined);
    if (spec.model === 'elasticnet') return trainElasticNet(spec, data, ctx);
    ctx.progress('loading', 0, 0, 'loading TensorFlow.js');
    const { tf, backend } = await deps.loadTf(spec.backend);
    await ctx.logger.setTags({ [TRAIN_TAG.backend]: backend, [TRAIN_TAG.tfjsVersion]: tf.version.tfjs });
    const { trainTfjsModel } = await import('./tfjs-trainer');
    return trainTfjsModel(tf, spec, data, ctx);
  }

  return {
    async train(jobId: string, spec: ResolvedTrainSpec, shared: DataTable | SharedTable, port: RunLoggerPort): Promise<TrainResult> {
      const started = Date.now();
      const state = { cancelled: early.delete(jobId) };
      running.set(jobId, state);
      const logger = new PortRunLogger(port, { transfer: deps.transfer, flushMs: deps.flushMs });
      const progressMs = deps.progressMs ?? 100;
      let lastProgress = 0;
      let lastPhase = '';
      let lastBreath = Date.now();
      const ctx: TrainContext = {
        jobId,
        logger,
        cancelled: () => state.cancelled,
        progress(phase, step, total, message) {
          const now = Date.now();
          if (phase === lastPhase && now - lastProgress < progressMs && step !== total) return;
          lastPhase = phase;
          lastProgress = now;
          const update: TrainProgress = { jobId, phase, step, total };
          if (message) update.message = message;
          logger.progress(update);
        },
        async breathe() {
          if (Date.now() - lastBreath < BREATHE_MS) return;
          await new Promise((r) => setTimeout(r, 0));
          lastBreath = Date.now();
        },
      };

      let result: TrainResult;
      try {
        result = { ...(await runJob(jobId, spec, tableOf(shared), ctx)) };
      } catch (e) {
        result = { status: 'FAILED', metrics: {}, error: errorText(e) };
      }
      try {
        await logger.flush();
      } catch (e) {
        result = { ...result, status: 'FAILED', error: `logging failed: ${errorText(e)}` };
      } finally {
        running.delete(jobId);
      }
      ctx.progress('done', 1, 1);
      result.durationMs = Date.now() - started;
      return result;
    },

    async cancel(jobId: string): Promise<boolean> {
      const state = running.get(jobId);
      if (state) {
        state.cancelled = true;
        return true;
      }
      if (early.size > 1000) early.clear(); // ids of jobs that never came; do not grow forever
      early.add(jobId);
      return false;
    },
  };
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
