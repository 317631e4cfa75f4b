/**
 * What an import hands the store: runs, experiments and registered models already read and
 * checked (lib/bundles prepares them, in a worker). Defined here, with the store that writes
 * them, so storage depends on no bundle code.
 */
import type { BundleArtifact, RegisteredModel } from '../mlflow/bundle';
import type { Experiment, MetricColumns, Run } from '../tracking/types';
import type { StoredDataset } from '../data/types';

/**
 * An artifact whose bytes stay in the archive until the store writes them (a big file of a
 * streamed import): `bytes` is empty, and the store pulls the file in pieces by `ref` through the
 * reader it is given (importPrepared's `readLazy`), so no import holds it whole.
 */
export interface LazyArtifact {
  ref: string;
  size: number;
}

export type PreparedArtifact = BundleArtifact & { lazy?: LazyArtifact };

/** A lazy artifact's bytes in pieces of exactly `pieceBytes` (the last one shorter), checked by the reader. */
export type LazyReader = (ref: string, pieceBytes: number) => AsyncIterable<Uint8Array>;

export interface PreparedRun {
  run: Run;
  /** Histories in logging order. */
  metrics: MetricColumns[];
  artifacts: PreparedArtifact[];
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
  /**
   * How many metric files the workers sent the page's staging as they decoded them
   * (metric-staging.ts); set only when they did. The page commits once it has them all.
   */
  stagedFiles?: number;
}
