/**
 * Runs a user's async script off the main thread with `mfflow` (the fluent API over the page's
 * store) in scope, so long logging loops never block the page.
 */
import * as Comlink from 'comlink';
import type { Fluent } from '../src/lib/tracking/fluent';
import type { ScriptWorkerApi } from '../src/lib/tracking/worker-api';
import { fluentFromPort } from './tracking-client';
import { announceLiveness } from '../src/lib/workers/liveness';
import { installMemoryGuard, type MemoryGuard } from '../src/lib/projects/memory-limit';

// First: the page watches this worker's lifetime through a Web Lock (see liveness.ts).
announceLiveness(self);

let mfflow: Fluent | null = null;
let guard: MemoryGuard | null = null;

const api: ScriptWorkerApi = {
  connectTracking(port: MessagePort) {
    mfflow = fluentFromPort(port);
  },
  async run(source: string, memoryLimitMB: number) {
    if (!mfflow) throw new Error('The script worker has no tracking connection.');
    // The worker is the script's alone: its buffers and typed arrays count against the limit from here on.
    guard ??= installMemoryGuard(self, memoryLimitMB * 1048576);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (m: Fluent) => Promise<unknown>;
    try {
      const result = await new AsyncFunction('mfflow', source)(mfflow);
      // A breach the script caught still fails it.
      const breach = guard.exceeded();
      if (breach) throw new RangeError(breach);
      await mfflow.flush();
      return structuredClone(result ?? null);
    } catch (e) {
      // A script that dies mid-run leaves its run FAILED, as `with mlflow.start_run()` does.
      while (mfflow.activeRun()) await mfflow.endRun('FAILED');
      throw e;
    }
  },
};

Comlink.expose(api);
