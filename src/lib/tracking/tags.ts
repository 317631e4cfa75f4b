/**
 * Every tag name the lab reads or writes, in one place: MLflow's system tags (`mlflow.*`, as
 * MLflow spells them), the tags training sets on its runs (README, "Training"), and the lab's
 * bookkeeping tags on imported, pushed and mirrored runs and model versions.
 */

/** MLflow's own system tags. */
export const TAG = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  sourceName: 'mlflow.source.name',
  sourceType: 'mlflow.source.type',
  parentRunId: 'mlflow.parentRunId',
  /** The run's description (MLflow's UI shows it as such). */
  note: 'mlflow.note.content',
  /** On a dataset input: `training`, `evaluation`, ... */
  datasetContext: 'mlflow.data.context',
} as const;

/**
 * Tags the lab or MLflow set (`mlflow.*`, the lab's `mfflow.*`): the run page shows them
 * read-only, folded, apart from the user's own.
 */
export function isReadOnlyTag(key: string): boolean {
  return key.startsWith('mlflow.') || key.startsWith('mfflow.');
}

/** True for MLflow's reserved `mlflow.*` tags (shown apart from the user's own). */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.');
}

/** `mlflow.source.name` of runs started in the page and by scripts in workers. */
export const SOURCE_NAME = { page: 'mfflow', worker: 'mfflow-worker' } as const;
export type FluentSource = keyof typeof SOURCE_NAME;

/** What a run records about the code that made it, as `mlflow run` does (lib/projects/source). */
export const SOURCE_TAG = {
  type: 'mlflow.source.type',
  name: 'mlflow.source.name',
  gitCommit: 'mlflow.source.git.commit',
  entryPoint: 'mlflow.project.entryPoint',
  env: 'mlflow.project.env',
  backend: 'mlflow.project.backend',
  /** The environment the project declares (python_env / conda_env / docker_env), recorded, not executed. */
  declaredEnv: 'mfflow.project.declared_env',
  labVersion: 'mfflow.lab.version',
  digest: 'mfflow.source.digest',
  /** How the run was started: form, sweep, console, project, rerun. */
  via: 'mfflow.source.via',
  rerunOf: 'mfflow.rerun_of',
} as const;

/** The source and project tags a re-run carries over (`mlflow.source.*`, `mlflow.project.*`). */
export function isSourceTag(key: string): boolean {
  return key.startsWith('mlflow.source.') || key.startsWith('mlflow.project.');
}

/** Tags a training job or a sweep sets on its runs. */
export const TRAIN_TAG = {
  /** Why the run FAILED or was KILLED, in words. */
  error: 'mfflow.error',
  epochsDone: 'mfflow.training.epochs_done',
  jobId: 'mfflow.training.job_id',
  converged: 'mfflow.training.converged',
  datasetDigest: 'mfflow.dataset.digest',
  droppedRows: 'mfflow.data.dropped_rows',
  model: 'mfflow.model.kind',
  task: 'mfflow.model.task',
  backend: 'mfflow.tfjs.backend',
  tfjsVersion: 'mfflow.tfjs.version',
  sweepStrategy: 'mfflow.sweep.strategy',
  sweepSize: 'mfflow.sweep.size',
  sweepMetric: 'mfflow.sweep.metric',
  bestRunId: 'mfflow.best_run_id',
} as const;

/** The lab's bookkeeping on runs and model versions it imported, pushed or mirrors. */
export const LAB_TAG = {
  importModelUuid: 'mfflow.import.model_uuid',
  importSourceRunId: 'mfflow.import.source_run_id',
  /** On an imported run: the bundle it came from (file name or URL) and when (ISO 8601), for the last import. */
  importSource: 'mfflow.import.source',
  importTime: 'mfflow.import.time',
  /** On a server's copy of a pushed run: the lab's run id (a second push resumes it). */
  labRunId: 'mfflow.lab_run_id',
  pushDigest: 'mfflow.push.digest',
  /** On a server's model version: the lab's version it came from. */
  labVersion: 'mfflow.lab_version',
  /** On a server's MLflow 3 logged model: the lab's id of that run's model folder. */
  labModelId: 'mfflow.lab_model_id',
  mirrorServer: 'mfflow.mirror.server',
} as const;
