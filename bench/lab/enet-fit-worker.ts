/**
 * Bench worker (bundled by bench/suites/20-training.mjs with Vite, run as a dedicated worker in
 * Chromium like the training worker): the lab's ElasticNet fit, the one the training worker
 * calls (src/lib/ml/elastic-net.ts: copy + centre + coordinate descent, as sklearn's `fit`), on a
 * wine file's training split (np.random.seed(40); train_test_split), timed the way
 * bench/py/sklearn_enet_timing.py times scikit-learn: warm-up fits, then `samples` timings of
 * `batch` consecutive fits each; the figure is the median of the per-fit means. Batches make the
 * figure independent of the page's coarse clock (performance.now() is coarsened to 100 µs
 * outside cross-origin isolation; one fit takes about 1 ms).
 */
import { fitElasticNet } from '../../src/lib/ml/elastic-net';
import { trainTestSplitNumpy } from '../../src/lib/ml/split';

interface Ask { csv: string; sep: string; target: string; samples: number; batch: number; alpha: number; l1Ratio: number }

function parse(csv: string, sep: string, target: string) {
  const lines = csv.trim().split(/\r?\n/);
  const head = lines[0].split(sep).map((h) => h.replace(/^"|"$/g, ''));
  const t = head.indexOf(target);
  if (t < 0) throw new Error(`no column ${target}`);
  const n = lines.length - 1;
  const columns = head.filter((_, j) => j !== t).map(() => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(sep);
    let k = 0;
    for (let j = 0; j < cells.length; j++) {
      if (j === t) y[i] = Number(cells[j]);
      else columns[k++][i] = Number(cells[j]);
    }
  }
  return { columns, y, n };
}

self.onmessage = ({ data }: MessageEvent<Ask>) => {
  const { columns, y, n } = parse(data.csv, data.sep, data.target);
  const { train } = trainTestSplitNumpy(n, { testSize: 0.25, seed: 40 });
  const fit = () => fitElasticNet(columns, y, { alpha: data.alpha, l1Ratio: data.l1Ratio, rows: train });
  let nIter = 0;
  for (let i = 0; i < Math.max(50, data.samples); i++) nIter = fit().nIter; // JIT warm-up
  const perFit: number[] = [];
  for (let s = 0; s < data.samples; s++) {
    const t0 = performance.now();
    for (let b = 0; b < data.batch; b++) fit();
    perFit.push((performance.now() - t0) / data.batch);
  }
  perFit.sort((a, b) => a - b);
  self.postMessage({ medianMs: perFit[perFit.length >> 1], minMs: perFit[0], nIter, nTrain: train.length });
};
