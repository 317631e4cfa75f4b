/**
 * The bundle worker's exports in progress: batches sent without waiting, while the first one
 * still waits for its job to start (sql.js loading), all land in that one job, in order.
 */
import { describe, expect, it } from 'vitest';
import { ExportJobs, type ExportJob } from '../../src/lib/bundles/export-jobs';
import type { BundleRun } from '../../src/lib/mlflow/bundle';

class Collect implements ExportJob {
  readonly ids: string[] = [];
  closed = false;
  add(runs: readonly BundleRun[]): void {
    this.ids.push(...runs.map((r) => r.run.info.runId));
  }
  close(): void {
    this.closed = true;
  }
}

const batch = (from: number) => [0, 1].map((i) => ({ run: { info: { runId: `r${from + i}` } } }) as BundleRun);

describe('ExportJobs', () => {
  it('batches that arrive while the job is starting all go into that job, in order', async () => {
    let made = 0;
    const jobs = new ExportJobs(async () => {
      made++;
      await new Promise((r) => setTimeout(r, 20)); // the engine loading
      return new Collect();
    });
    await Promise.all([0, 2, 4, 6, 8].map((b) => jobs.add('j', batch(b), 'sqlite')));
    const job = await jobs.take('j');
    expect(made).toBe(1);
    expect(job!.ids).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
    expect(await jobs.take('j')).toBeUndefined();
  });

  it('drop frees the job, also one still starting', async () => {
    const made: Collect[] = [];
    const jobs = new ExportJobs(async () => {
      await new Promise((r) => setTimeout(r, 10));
      const c = new Collect();
      made.push(c);
      return c;
    });
    const adding = jobs.add('j', batch(0), 'sqlite');
    jobs.drop('j');
    await adding;
    await new Promise((r) => setTimeout(r, 0));
    expect(made).toHaveLength(1);
    expect(made[0].closed).toBe(true);
    expect(await jobs.take('j')).toBeUndefined();
  });
});
