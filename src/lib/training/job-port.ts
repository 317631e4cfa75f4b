/**
 * The page end of a training job's logger (jobPort), and the journal of what the job logged
 * (JobJournal). The page keeps the journal while the job runs for the one case where the store
 * cannot keep the run: the browser deleted the lab's data under the page (docs/reliability-matrix.md
 * S6). The points written before are then gone with the rest, and the worker's next batches
 * have nowhere to go; the journal still holds every point, param and tag the worker sent, so
 * the run can be offered as a bundle. Training logs per epoch or per solver pass (a few
 * thousand points), so keeping them costs little; the journal goes with the job.
 */
import { MetricBuffer } from '../tracking/metric-buffer';
import type { TrackingBackend } from '../tracking/backend';
import type { LogBatchRequest } from '../tracking/types';
import type { RunLoggerPort } from './contract';
import type { JobState } from './job-state';
import type { WriterHold } from '../tracking/fluent';
import { errorMessage, MlflowError } from '../util/errors';

type KeyValue = { key: string; value: string };

export class JobJournal {
  /** Set when the data was deleted under the job: nothing more is written, the job ends KILLED. */
  abandoned = false;
  private readonly metrics = new MetricBuffer();
  private readonly params: KeyValue[] = [];
  private readonly tags: KeyValue[] = [];

  keep(batch: LogBatchRequest): void {
    for (const c of batch.metrics ?? []) this.metrics.pushColumns(c);
    if (batch.params) this.params.push(...batch.params);
    if (batch.tags) this.tags.push(...batch.tags);
  }

  /** Everything kept, for the abandoned run's bundle. */
  hold(): WriterHold {
    return { metrics: this.metrics.drain(), params: this.params.slice(), tags: this.tags.slice() };
  }
}

/** The job card's word for a job whose data the browser deleted. */
export const DELETED_WHILE_TRAINING =
  'The browser deleted the lab\'s data while this run was training: it ended KILLED, and what the page still held of it is offered for download.';

/** What train() and sweep() reject with when the data went under their run. */
export function deletedWhileTraining(runName: string, cause?: unknown): MlflowError {
  const why = cause === undefined ? '' : ` (${errorMessage(cause)})`;
  return new MlflowError('RESOURCE_DOES_NOT_EXIST',
    `The browser deleted the lab's data while run ${runName} was training${why}: the run ended KILLED, and what the page still held of it is offered for download.`);
}

/** Files of a run in one transaction where the backend can (logArtifacts), else one by one. */
export async function writeFiles(backend: TrackingBackend, runId: string, files: readonly { path: string; bytes: Uint8Array; contentType?: string }[]): Promise<void> {
  if (backend.logArtifacts) return backend.logArtifacts(runId, files);
  for (const f of files) await backend.logArtifact(runId, f.path, f.bytes, f.contentType);
}

/**
 * The page end of a worker's logger: one route for params, tags and metrics, straight into
 * the store (the worker already batched them: MLflow's sizes for params and tags, metric
 * columns every 250 ms), the live points to the job, artifacts to the run's files. Every batch
 * is kept in the journal first; once the data is gone (abandoned) nothing more is written.
 */
export function jobPort(job: JobState, backend: TrackingBackend, runId: string, journal: JobJournal): RunLoggerPort {
  return {
    async logBatch(batch) {
      journal.keep(batch);
      job.tap(batch.metrics);
      if (journal.abandoned) return;
      try {
        await backend.logBatch(runId, batch);
      } catch (e) {
        if (!journal.abandoned) throw e; // the write that found the data deleted: kept, not the job's error
      }
    },
    async logArtifact(path, bytes, contentType) {
      if (journal.abandoned) return;
      try {
        await backend.logArtifact(runId, path, bytes, contentType);
      } catch (e) {
        if (!journal.abandoned) throw e;
      }
    },
    async logArtifacts(files) {
      if (journal.abandoned) return;
      try {
        await writeFiles(backend, runId, files);
      } catch (e) {
        if (!journal.abandoned) throw e;
      }
    },
    progress(update) {
      if (job.done) return;
      job.phaseAt[update.phase] ??= performance.now();
      job.status = 'RUNNING';
      job.phase = update.phase;
      job.step = update.step;
      job.total = update.total;
      job.message = update.message ?? '';
    },
  };
}
