/**
 * Train/test splits that reproduce scikit-learn's `train_test_split` row for row
 * (docs/mlflow-formats.md §6.3), so a run in the lab and the same run in Python see the same rows.
 */
import { MT19937 } from './mt19937';

export interface SplitOptions {
  /**
   * Share of rows for the test set when below 1 (sklearn's float `test_size`), or a row count
   * when ≥ 1 (sklearn's int `test_size`). Default 0.25, as sklearn.
   */
  testSize?: number;
  /**
   * numpy seed. `np.random.seed(s); train_test_split(X)` and `train_test_split(X, random_state=s)`
   * give the same split. When omitted, a random seed is drawn and returned, so the split can
   * still be logged and repeated.
   */
  seed?: number;
  /** false: no shuffling, train = first rows, test = last rows (sklearn `shuffle=False`). */
  shuffle?: boolean;
}

export interface Split {
  /** Row indices (0-based data rows) in sklearn's order: permutation order when shuffled. */
  train: Int32Array;
  test: Int32Array;
  /** The seed actually used (undefined when not shuffled). */
  seed?: number;
}

/** sklearn's `_validate_shuffle_split` for `train_size=None`: n_test = ceil(test_size·n). */
export function testCount(nRows: number, testSize = 0.25): number {
  if (!Number.isInteger(nRows) || nRows < 0) throw new RangeError(`bad row count ${nRows}`);
  if (!(testSize > 0)) throw new RangeError(`testSize must be positive, got ${testSize}`);
  const nTest = testSize < 1 ? Math.ceil(testSize * nRows) : testSize;
  if (!Number.isInteger(nTest)) throw new RangeError(`a testSize ≥ 1 must be a whole row count, got ${testSize}`);
  if (nTest >= nRows) {
    throw new RangeError(`testSize ${testSize} leaves no training rows out of ${nRows}`);
  }
  return nTest;
}

function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0];
}

/**
 * `np.random.seed(seed); train_test_split(range(nRows), test_size=testSize)`:
 * test = perm[:n_test], train = perm[n_test:], where perm = RandomState(seed).permutation(n).
 */
export function trainTestSplitNumpy(nRows: number, options: SplitOptions = {}): Split {
  const nTest = testCount(nRows, options.testSize ?? 0.25);
  const nTrain = nRows - nTest;
  if (options.shuffle === false) {
    const train = new Int32Array(nTrain);
    const test = new Int32Array(nTest);
    for (let i = 0; i < nTrain; i++) train[i] = i;
    for (let i = 0; i < nTest; i++) test[i] = nTrain + i;
    return { train, test };
  }
  const seed = options.seed ?? randomSeed();
  const perm = new MT19937(seed).permutation(nRows);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest), seed };
}
