import { errorMessage } from '../lib/util/errors';

/**
 * A view whose actions report their failure in one `error` line (the experiments list, the run
 * page): `attempt` runs an action, clears the line when it succeeds and fills it when it fails.
 */
export class ErrorHolder {
  error = $state<string | null>(null);

  protected async attempt(act: () => Promise<void>): Promise<boolean> {
    try {
      await act();
      this.error = null;
      return true;
    } catch (e) {
      this.error = errorMessage(e);
      return false;
    }
  }
}
