/**
 * Typed errors with MLflow's error codes, so messages can be shown to people and mapped to
 * MLflow's REST shape (`{error_code, message}`) where a protocol asks for it.
 */
export type ErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'INTERNAL_ERROR';

export class MlflowError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'MlflowError';
  }

  /** The REST field's name, so scripts can read `e.errorCode` as on `predict` rejections. */
  get errorCode(): ErrorCode {
    return this.code;
  }
}

export const invalid = (message: string) => new MlflowError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string) => new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
export const exists = (message: string) => new MlflowError('RESOURCE_ALREADY_EXISTS', message);
export const invalidState = (message: string) => new MlflowError('INVALID_STATE', message);

/** The text to show a person for anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
