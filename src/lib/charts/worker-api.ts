/** The analysis worker's contract (workers/analysis-worker.ts exposes it with comlink). */
import type { ImportanceInput, ImportanceResult } from './param-importance';

export interface AnalysisWorkerApi {
  importance(input: ImportanceInput): ImportanceResult;
}
