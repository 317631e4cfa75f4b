/**
 * Exports in progress in the bundle worker, by job id. The page sends an export's batches
 * without waiting for each, and the SQLite layout's job starts only once sql.js has loaded (on
 * the first batch), so a job is kept as the promise of it: the batches that arrive meanwhile
 * find that promise and add to the same job, in the order they arrived. (Kept as the job itself,
 * each early batch made a job of its own and the last one won: a 500-run lab exported 100.)
 */
import type { BundleRun } from '../mlflow/bundle';

export interface ExportJob {
  add(runs: readonly BundleRun[]): void;
  /** Frees what the job holds (sql.js's database). */
  close?(): void;
}

export class ExportJobs<J extends ExportJob> {
  private readonly jobs = new Map<string, Promise<J>>();

  /** `make`: the job of a new id (called once per id, on its first batch). */
  constructor(private readonly make: (layout: string) => Promise<J>) {}

  /** Adds a batch to the job, started on the first one. */
  async add(jobId: string, runs: readonly BundleRun[], layout: string): Promise<void> {
    let job = this.jobs.get(jobId);
    if (!job) this.jobs.set(jobId, (job = this.make(layout)));
    // Continuations of one promise run in the order they were attached: batches keep their order.
    (await job).add(runs);
  }

  /** The job for its last step, forgotten here; undefined when no batch came. */
  async take(jobId: string): Promise<J | undefined> {
    const job = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    return job;
  }

  /** Forgets a job and frees it. */
  drop(jobId: string): void {
    const job = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    void job?.then((j) => j.close?.(), () => {});
  }
}
