/**
 * Parses CSV files and URLs off the main thread, so a 200 MB file never freezes the page. The
 * work is in src/lib/data/worker-api.ts; this entry only exposes it and hands the numeric
 * columns back by transfer instead of copying them.
 */
import * as Comlink from 'comlink';
import {
  createCsvWorkerApi,
  tableTransferables,
  type CsvWorkerApi,
} from '../src/lib/data/worker-api';
import { announceLiveness } from '../src/lib/workers/liveness';

// First: the page watches this worker's lifetime through a Web Lock (see liveness.ts).
announceLiveness(self);

const inner = createCsvWorkerApi();

const api: CsvWorkerApi = {
  async parse(source, options, onProgress) {
    const outcome = await inner.parse(source, options, onProgress);
    return outcome.ok ? Comlink.transfer(outcome, tableTransferables(outcome.result.table)) : outcome;
  },
  cancel(jobId) {
    inner.cancel(jobId);
  },
};

Comlink.expose(api);
