/**
 * The elastic net's data preparation (sklearn's `_preprocess_data`: copy, gather the split's rows,
 * centre) and the workspace it and the solver run in: one heap per fit, laid out as
 *
 *   [ x: n·p, column j at j·n | y: n | R: n | row indices: n Int32 | one source column ]
 *
 * Each column is copied whole into the last slot, then gathered into x by the kernels (in
 * WebAssembly where the engine allows it: V8 runs the same loop in JS at about 1 ns an element),
 * summed in numpy's pairwise order and centred, without leaving the heap.
 */
import { invalid } from '../util/errors';
import { pairwiseSumBlocks } from './pairwise-sum';
import { jsWorkspace, type CdWorkspace } from './cd-kernels';
import { wasmWorkspace } from './cd-wasm';

/** Centred data ready for one or many solves (e.g. a grid over α and ρ). */
export interface ElasticNetProblem {
  nRows: number;
  nCols: number;
  /** Column-major, centred when fitIntercept: X[i, j] = x[j·nRows + i]. */
  x: Float64Array;
  /** Centred target. */
  y: Float64Array;
  xOffset: Float64Array;
  yOffset: number;
}

/** Element offsets of the heap's parts for n rows and p columns (see the file comment). */
export function heapLayout(n: number, p: number, sourceLength = 0) {
  const yAt = n * p, rAt = yAt + n, rowsAt = rAt + n, sourceAt = rowsAt + Math.ceil(n / 2);
  return { yAt, rAt, rowsAt, sourceAt, size: sourceAt + sourceLength };
}

/** Copies (and gathers, and centres) the training data the way sklearn's `_preprocess_data` does. */
export function prepareElasticNet(
  columns: readonly ArrayLike<number>[],
  target: ArrayLike<number>,
  options: { rows?: ArrayLike<number>; fitIntercept?: boolean } = {},
): ElasticNetProblem {
  return prepareIn(newWorkspace(), columns, target, options);
}

/** prepareElasticNet into `ws`'s heap; x and y of the result are views of it. */
export function prepareIn(
  ws: CdWorkspace,
  columns: readonly ArrayLike<number>[],
  target: ArrayLike<number>,
  options: { rows?: ArrayLike<number>; fitIntercept?: boolean },
): ElasticNetProblem {
  const nCols = columns.length;
  const rows = options.rows;
  const nRows = rows ? rows.length : target.length;
  if (nRows < 1) throw invalid('ElasticNet needs at least one training row');
  let shortest = target.length;
  let longest = target.length;
  for (const col of columns) {
    if (!rows && col.length !== nRows) throw invalid(`feature columns have ${col.length} rows, the target has ${nRows}`);
    shortest = Math.min(shortest, col.length);
    longest = Math.max(longest, col.length);
  }
  if (rows) checkRows(rows, shortest);
  const center = options.fitIntercept ?? true;
  const at = heapLayout(nRows, nCols, rows ? longest : 0);
  const h = ws.heap(at.size);
  const k = ws.kernels;
  if (rows) new Int32Array(h.buffer, h.byteOffset + at.rowsAt * 8, nRows).set(rows);
  // Copies column `src` to h[to …], gathering the rows; returns its mean (NaN if not finite).
  const load = (src: ArrayLike<number>, to: number): number => {
    if (rows) {
      h.set(src, at.sourceAt);
      k.gather(0, at.sourceAt, 0, at.rowsAt, to, nRows);
    } else {
      h.set(src, to);
    }
    return pairwiseSumBlocks(h, to, nRows, (start, n) => k.blockSum(0, 0, 0, start, 0, n)) / nRows;
  };

  const xOffset = new Float64Array(nCols);
  const yMean = load(target, at.yAt);
  if (!Number.isFinite(yMean)) throw invalid('the target contains NaN or infinity');
  const yOffset = center ? yMean : 0;
  if (yOffset !== 0) k.shift(yOffset, 0, 0, 0, at.yAt, nRows);
  for (let j = 0; j < nCols; j++) {
    const mean = load(columns[j], j * nRows);
    if (!Number.isFinite(mean)) throw invalid(`feature ${j} contains NaN or infinity`);
    if (center) {
      xOffset[j] = mean;
      k.shift(mean, 0, 0, 0, j * nRows, nRows);
    }
  }
  return { nRows, nCols, x: h.subarray(0, at.yAt), y: h.subarray(at.yAt, at.rAt), xOffset, yOffset };
}

/** Throws unless every row index is an integer below `len` (the shortest column's length). */
function checkRows(rows: ArrayLike<number>, len: number): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < len && Number.isInteger(r))) throw invalid(`row index ${r} is out of range`);
  }
}

/**
 * The workspace kept for the next fit (a sweep fits the same rows many times in one worker): a
 * fresh heap of white wine's size (about 430 KB) costs the allocator fresh pages each time,
 * some 30 µs, a fifth of the fit. WebAssembly SIMD kernels where the engine has them
 * (cd-wasm.ts), else the JS ones (the same numbers). A fit whose heap needs more than KEEP_MAX
 * elements, or that starts while the kept one is in use (a fit inside onIteration), gets a
 * workspace of its own, so a big fit does not pin its memory and a nested one cannot write into
 * the heap the outer one is using.
 */
const KEEP_MAX = 1 << 20;
let kept: CdWorkspace | null = null;
let keptBusy = false;
const newWorkspace = (): CdWorkspace => wasmWorkspace() ?? jsWorkspace();

export function takeWorkspace(size: number): CdWorkspace {
  if (keptBusy || size > KEEP_MAX) return newWorkspace();
  keptBusy = true;
  return (kept ??= newWorkspace());
}

export function giveBack(ws: CdWorkspace): void {
  if (ws === kept) keptBusy = false;
}
