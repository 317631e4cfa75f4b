/**
 * Times the ElasticNet fit (copy + centre + coordinate descent, as sklearn's `fit` does) for
 * benchmark harnesses in a browser or Node. Pure apart from reading the clock.
 */
import { fitElasticNet, type ElasticNetParams } from './elastic-net';

export interface EnetTiming {
  medianMs: number;
  minMs: number;
  repeats: number;
  nIter: number;
}

export function timeElasticNetFit(
  columns: readonly ArrayLike<number>[],
  target: ArrayLike<number>,
  rows: ArrayLike<number> | undefined,
  params: ElasticNetParams = { alpha: 0.5, l1Ratio: 0.5 },
  repeats = 300,
): EnetTiming {
  let nIter = 0;
  // Warm-up lets the JIT optimise the solver before anything is measured.
  for (let i = 0; i < Math.max(20, repeats / 10); i++) nIter = fitElasticNet(columns, target, { ...params, rows }).nIter;
  const times = new Float64Array(repeats);
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fitElasticNet(columns, target, { ...params, rows });
    times[i] = performance.now() - t0;
  }
  times.sort();
  const mid = repeats >> 1;
  const medianMs = repeats % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return { medianMs, minMs: times[0], repeats, nIter };
}
