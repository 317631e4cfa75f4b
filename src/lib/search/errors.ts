import { MlflowError } from '../util/errors';

/**
 * A filter or order_by clause that does not parse or breaks a type rule. It is an
 * MlflowError with INVALID_PARAMETER_VALUE (what MLflow answers), plus where the problem is
 * so an editor can underline it: `position` is a 0-based offset, `length` may be 0 at the end.
 */
export class SearchSyntaxError extends MlflowError {
  constructor(message: string, readonly position: number, readonly length: number) {
    super('INVALID_PARAMETER_VALUE', message);
    this.name = 'SearchSyntaxError';
  }
}
