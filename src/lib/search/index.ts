/**
 * Run search with MLflow's filter grammar plus OR and parentheses (placeholder: the full
 * grammar lands in this module; the signature is the contract storage relies on).
 */
import type { Run, SearchRunsRequest, SearchRunsResult } from '../tracking/types';

export function searchRunList(runs: Iterable<Run>, req: SearchRunsRequest): SearchRunsResult {
  const ids = new Set(req.experimentIds);
  const view = req.runViewType ?? 'ACTIVE_ONLY';
  const out: Run[] = [];
  for (const r of runs) {
    if (!ids.has(r.info.experimentId)) continue;
    if (view === 'ACTIVE_ONLY' && r.info.lifecycleStage !== 'active') continue;
    if (view === 'DELETED_ONLY' && r.info.lifecycleStage !== 'deleted') continue;
    out.push(r);
  }
  out.sort((a, b) => b.info.startTime - a.info.startTime || (a.info.runId < b.info.runId ? -1 : 1));
  return { runs: out.slice(0, req.maxResults ?? 1000) };
}
