/**
 * The SQLite layout of an export (MLflow's default store since 3.7): `mlflow.db` at the pinned
 * revision, and the artifacts where MLflow's own client puts them next to it,
 * `mlruns/<exp>/<run>/artifacts/…` (logged models: `mlruns/<exp>/models/<model id>/artifacts/…`),
 * with relative `artifact_uri`s, so MLflow started in the unpack folder finds them. No
 * `meta.yaml` goes under mlruns/, so MLflow (and our importer) take the folder as a SQL store.
 *
 * Built as runs arrive, like StreamedExport: each batch's rows go into the database at once and
 * its histories are dropped; artifacts wait for the zip.
 */
import type { BundleArtifact, BundleRun, RegisteredModel } from '../mlflow/bundle';
import { MlflowDbWriter, modelArtifactUri, runArtifactUri, type SqlWriteDb } from '../mlflow/sqlite-write';
import { pathProblem } from '../archive/paths';
import type { Experiment } from '../tracking/types';
import { invalid } from '../util/errors';
import { deriveLoggedModels } from './logged-models';
import { upgradeModelFolders } from './upgrade-models';

export const SQLITE_README = `MLflow tracking store (SQLite) exported from MFFlow.

Unpack this archive, open a terminal in the unpacked folder (the one that contains mlflow.db
and mlruns/), then:

  mlflow ui --backend-store-uri sqlite:///mlflow.db

or in Python:  mlflow.set_tracking_uri("sqlite:///mlflow.db").

mlflow.db is at the schema of MLflow 3.17.2, which opens it as it is. A newer MLflow asks for
a migration first:  mlflow db upgrade sqlite:///mlflow.db  (back the file up before).
Artifact locations are relative to this folder, so start MLflow from here.
`;

const enc = new TextEncoder();

export class SqliteExport {
  private readonly writer: MlflowDbWriter;
  /** The runs without their histories (their model folders become logged models at the end). */
  private readonly runs: BundleRun[] = [];
  encodeMs = 0;

  constructor(db: SqlWriteDb) {
    this.writer = new MlflowDbWriter(db);
  }

  /** Frees the database of an export given up on. */
  close(): void {
    this.writer.close();
  }

  add(runs: readonly BundleRun[]): void {
    const t0 = performance.now();
    for (const br of runs) upgradeModelFolders(br);
    this.writer.addRuns(runs);
    for (const br of runs) this.runs.push({ ...br, metrics: [] });
    this.encodeMs += performance.now() - t0;
  }

  /** The archive's files, before zipping (the worker may deflate them first). */
  finishFiles(experiments: Experiment[], registeredModels: RegisteredModel[] = []): { files: Map<string, Uint8Array>; crcs: WeakMap<Uint8Array, number>; timings: Record<string, number> } {
    const t0 = performance.now();
    const loggedModels = deriveLoggedModels(this.runs);
    // Run → logged model links are rows of `inputs`, written with the models.
    const files = new Map<string, Uint8Array>([['README.txt', enc.encode(SQLITE_README)]]);
    const put = (root: string, list: BundleArtifact[], owner: string) => {
      for (const a of list) {
        const p = pathProblem(a.path, false);
        if (p) throw invalid(`artifact '${a.path}' of ${owner}: ${p.message}`);
        const path = `${root}/${a.path}`;
        if (files.has(path)) throw invalid(`two files would be written at ${path}`);
        files.set(path, a.bytes);
      }
    };
    for (const br of this.runs) put(runArtifactUri(br.run.info.experimentId, br.run.info.runId), br.artifacts, `run ${br.run.info.runId}`);
    for (const lm of loggedModels) put(modelArtifactUri(lm.model.experimentId, lm.model.modelId), lm.artifacts, `logged model ${lm.model.modelId}`);
    files.set('mlflow.db', this.writer.finish(experiments, loggedModels, registeredModels, this.runs));
    this.runs.length = 0;
    return { files, crcs: new WeakMap(), timings: { encode: this.encodeMs, tree: performance.now() - t0 } };
  }
}
