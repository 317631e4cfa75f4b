/**
 * Run search with MLflow's filter grammar plus OR and parentheses: the entry point storage
 * calls, and the public API of the search module.
 */
import type { Run, SearchRunsRequest, SearchRunsResult } from '../tracking/types';
import { invalid } from '../util/errors';
import type { OrderKey } from './ast';
import { type RunPredicate, compileFilter } from './evaluate';
import { sortRuns } from './order';
import { decodePageToken, encodePageToken } from './page-token';
import { parseFilter, parseOrderBy } from './parser';

export type { Comparator, Comparison, Entity, FilterNode, Identifier, Junction, OrderKey, Value } from './ast';
export { SearchSyntaxError } from './errors';
export { parseFilter, parseOrderBy } from './parser';
export { printFilter, printIdentifier, printOrderBy } from './printer';
export { compileFilter, likeToRegExp, type RunPredicate } from './evaluate';
export { sortRuns } from './order';
export { decodePageToken, encodePageToken } from './page-token';

export const MAX_RESULTS_DEFAULT = 1000;
export const MAX_RESULTS_LIMIT = 50_000;

/** Compiled filters by filter text, least recently used first (Map keeps insertion order). */
const CACHE_SIZE = 64;
const filterCache = new Map<string, RunPredicate>();

/** Parses and compiles a filter, reusing the result for text seen recently. */
export function compileFilterText(text: string): RunPredicate {
  const hit = filterCache.get(text);
  if (hit !== undefined) {
    filterCache.delete(text);
    filterCache.set(text, hit);
    return hit;
  }
  const predicate = compileFilter(parseFilter(text));
  filterCache.set(text, predicate);
  if (filterCache.size > CACHE_SIZE) filterCache.delete(filterCache.keys().next().value as string);
  return predicate;
}

function maxResultsOf(req: SearchRunsRequest): number {
  const m = req.maxResults ?? MAX_RESULTS_DEFAULT;
  if (!Number.isSafeInteger(m) || m < 1) throw invalid(`max_results must be a positive integer, got ${m}`);
  if (m > MAX_RESULTS_LIMIT) {
    throw invalid(`Invalid value ${m} for parameter 'max_results' supplied. It must be at most ${MAX_RESULTS_LIMIT}`);
  }
  return m;
}

export function searchRunList(runs: Iterable<Run>, req: SearchRunsRequest): SearchRunsResult {
  // Validate everything before touching the runs, so a bad request fails fast.
  const maxResults = maxResultsOf(req);
  const offset = decodePageToken(req.pageToken);
  const orderKeys: OrderKey[] = (req.orderBy ?? []).map(parseOrderBy);
  const matches = compileFilterText(req.filter ?? '');
  const ids = new Set(req.experimentIds);
  const view = req.runViewType ?? 'ACTIVE_ONLY';
  const picked: Run[] = [];
  for (const r of runs) {
    if (!ids.has(r.info.experimentId)) continue;
    if (view === 'ACTIVE_ONLY' && r.info.lifecycleStage !== 'active') continue;
    if (view === 'DELETED_ONLY' && r.info.lifecycleStage !== 'deleted') continue;
    if (matches(r)) picked.push(r);
  }
  const sorted = sortRuns(picked, orderKeys);
  const end = offset + maxResults;
  const page = sorted.slice(offset, end);
  return end < sorted.length ? { runs: page, nextPageToken: encodePageToken(end) } : { runs: page };
}
