/**
 * What an import hands the store: runs, experiments and registered models already read and
 * checked (lib/bundles prepares them, in a worker). Defined here, with the store that writes
 * them, so storage depends on no bundle code.
 */
import type { BundleArtifact, RegisteredModel } from '../mlflow/bundle';
import type { Experiment, MetricColumns, Run } from '../tracking/types';
import type { StoredDataset } from '../data/types';

export interface PreparedRun {
  run: Run;
  /** Histories in logging order. */
  metrics: MetricColumns[];
  artifacts: BundleArtifact[];
  /**
   * runContentDigest of the run, when already known. Only runs whose id is already in the lab
   * need one, and only the page knows which, so the worker leaves it out (hashing 10M points
   * costs ~0.5 s) and the import computes it for those runs.
   */
  digest?: string;
}

export interface PreparedImport {
  kind: 'mlruns' | 'model';
  experiments: Experiment[];
  runs: PreparedRun[];
  /** Registered models of the archive (`mlruns/models/`), each already checked (storedFromBundle). */
  registeredModels?: RegisteredModel[];
  /** Datasets the archive carries (lib/bundles/dataset-files.ts), each checked against its digest. */
  datasets?: StoredDataset[];
  /** Things left out, each naming what and why. */
  warnings: string[];
}
