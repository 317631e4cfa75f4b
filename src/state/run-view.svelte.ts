/**
 * One run's page: the run (live from the lab's list, so writes from any tab show at once),
 * its parent and children, and the actions the page offers. Artifact and dataset reads go
 * through here so UI components never see storage.
 */
import type { StoredDataset } from '../lib/data/types';
import type { ArtifactInfo, Run } from '../lib/tracking/types';
import { dictGet } from '../lib/util/dict';
import { TAG } from '../lib/tracking/tags';
import { lab } from './lab.svelte';
import { ErrorHolder } from './error-holder.svelte';


export class RunView extends ErrorHolder {
  /** The last failed action, in words. */

  constructor(readonly runId: string) {
    super();
  }

  readonly run = $derived.by((): Run | null => lab.runs.find((r) => r.info.runId === this.runId) ?? null);
  readonly experiment = $derived(lab.experiments.find((e) => e.experimentId === this.run?.info.experimentId) ?? null);
  readonly parentId = $derived(this.run ? dictGet(this.run.tags, TAG.parentRunId) ?? null : null);
  readonly parent = $derived(this.parentId ? lab.runs.find((r) => r.info.runId === this.parentId) ?? null : null);
  readonly children = $derived(lab.runs.filter((r) => dictGet(r.tags, TAG.parentRunId) === this.runId));
  /** Bumped on every store change: artifact listings re-read when it moves. */
  readonly version = $derived(lab.version);

  setTag(key: string, value: string): Promise<boolean> {
    return this.attempt(() => lab.store.setTag(this.runId, key, value));
  }

  deleteTag(key: string): Promise<boolean> {
    return this.attempt(() => lab.store.deleteTag(this.runId, key));
  }

  setNote(text: string): Promise<boolean> {
    const has = this.run !== null && dictGet(this.run.tags, TAG.note) !== undefined;
    return text === '' && has ? this.deleteTag(TAG.note) : text === '' ? Promise.resolve(true) : this.setTag(TAG.note, text);
  }

  remove(): Promise<boolean> {
    return this.attempt(() => lab.store.deleteRun(this.runId));
  }

  restore(): Promise<boolean> {
    return this.attempt(() => lab.store.restoreRun(this.runId));
  }

  listArtifacts(dir?: string): Promise<ArtifactInfo[]> {
    return lab.store.listArtifacts(this.runId, dir);
  }

  readArtifact(path: string, maxBytes?: number): Promise<Uint8Array> {
    return lab.store.readArtifact(this.runId, path, maxBytes);
  }

  getDataset(digest: string): Promise<StoredDataset | undefined> {
    return lab.store.getDataset(digest);
  }
}
