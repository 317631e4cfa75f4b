/**
 * Off-main-thread analysis for the Compare page: parameter importance (a regression tree over
 * every param of a sweep can take a while for thousands of runs). The work is in
 * src/lib/charts/param-importance.ts; this entry only exposes it.
 */
import * as Comlink from 'comlink';
import { paramImportance } from '../src/lib/charts/param-importance';
import type { AnalysisWorkerApi } from '../src/lib/charts/worker-api';
import { announceLiveness } from '../src/lib/workers/liveness';

announceLiveness(self);

const api: AnalysisWorkerApi = {
  importance: (input) => paramImportance(input),
};

Comlink.expose(api);
