/**
 * A file of an MLflow tree (meta.yaml, a metric file, MLmodel, ...) that cannot be read.
 * The message names the file and, when known, the field, so a person can find the problem.
 */
export class FormatError extends Error {
  constructor(readonly file: string, readonly detail: string, readonly field?: string) {
    super(`${file}: ${detail}`);
    this.name = 'FormatError';
  }
}
