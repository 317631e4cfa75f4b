// Training figures (issue "Training in Web Workers"): the elastic-net fit in the training
// worker next to scikit-learn's, a 25-point sweep end to end, MLP epochs per second per backend.
//
// The fit time is read from the job's progress reports: the worker reports phase `training`
// right before the solver starts and `evaluating` right after it returns, and the page notes
// when each report arrives (`mfflow.jobs()[i].phaseAt`). So it times the solver in the worker
// (with its per-iteration duality-gap logging), give or take two message latencies (~0.1 ms).
// scikit-learn's yardstick is bench/py/sklearn_enet_timing.py, run in the same bench: the
// budget is its fit on a float64 NumPy array (the cheapest input it takes; issue 9: ≤ 1×); its
// DataFrame fit (what MLflow's train.py runs) is reported alongside.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { compare, median, openLab, routeWine, WINE } from './lib.mjs';

export async function run({ context, base, report, root }) {
  const paths = await routeWine(context, root);

  const page = await context.newPage();
  await openLab(page, base);
  const digests = await page.evaluate(async (urls) => {
    const out = {};
    for (const [k, url] of Object.entries(urls)) out[k] = (await window.mfflow.loadDataset(url)).digest;
    await window.mfflow.setExperiment('bench-training');
    return out;
  }, { red: WINE.red.url, white: WINE.white.url });

  // 1. Elastic-net fit in the worker vs scikit-learn.
  const python = join(root, 'tests/interop/.venv/bin/python');
  const sk = JSON.parse(execFileSync(python, [join(root, 'bench/py/sklearn_enet_timing.py'), paths.red, paths.white, '200'], { encoding: 'utf8' }).trim().split('\n').pop());
  for (const key of ['red', 'white']) {
    const ours = await page.evaluate(async (digest) => {
      const fits = [];
      let nIter = 0;
      for (let i = 0; i < 40; i++) {
        const run = await window.mfflow.train({ dataset: digest, model: 'elasticnet', target: 'quality', params: { alpha: 0.5, l1_ratio: 0.5 } });
        const job = window.mfflow.jobs().find((j) => j.runId === run.info.runId);
        if (run.info.status !== 'FINISHED') throw new Error(`elastic net ${run.info.status}: ${run.tags['mfflow.error']}`);
        fits.push(job.phaseAt.evaluating - job.phaseAt.training);
        nIter = run.metrics.n_iter.latest;
      }
      return { fits: fits.slice(5), nIter }; // the first fits warm the worker's JIT
    }, digests[key]);
    const skFile = sk.files[key];
    if (ours.nIter !== skFile.n_iter) throw new Error(`${key}: ${ours.nIter} iterations, scikit-learn ${skFile.n_iter}`);
    const ms = median(ours.fits);
    report(`training.enet_fit_${key}_worker`, ms, 'ms', { max: skFile.fit_ms_ndarray });
    compare(report, `training.enet_fit_${key}`, ms, skFile.fit_ms_ndarray, 'sklearn_ndarray');
    report(`training.enet_fit_${key}_sklearn_dataframe`, skFile.fit_ms_dataframe, 'ms');
  }

  // 2. A 25-point grid on white wine, from the call to the ended parent run.
  const sweep = await page.evaluate(async (digest) => {
    const t0 = performance.now();
    const parent = await window.mfflow.sweep({
      dataset: digest, model: 'elasticnet', target: 'quality', runName: 'bench-sweep-25',
      sweep: { strategy: 'grid', params: { alpha: [0.01, 0.05, 0.1, 0.5, 1], l1_ratio: [0.1, 0.3, 0.5, 0.7, 0.9] } },
    });
    const ms = performance.now() - t0;
    const kids = await window.mfflow.searchRuns({ experimentIds: [parent.info.experimentId], filter: `tags.mlflow.parentRunId = '${parent.info.runId}'`, maxResults: 100 });
    return { ms, status: parent.info.status, children: kids.runs.filter((r) => r.info.status === 'FINISHED').length };
  }, digests.white);
  if (sweep.status !== 'FINISHED' || sweep.children !== 25) throw new Error(`sweep ended ${sweep.status} with ${sweep.children} finished children`);
  report('training.enet_sweep_25_end_to_end', sweep.ms, 'ms', { max: 1000 });

  // 3. MLP epochs per second, white wine, batch 64, per backend.
  for (const backend of ['wasm', 'cpu']) {
    const mlp = await page.evaluate(async ({ digest, backend }) => {
      const epochs = 15;
      const run = await window.mfflow.train({
        dataset: digest, model: 'mlp', target: 'quality', backend,
        params: { epochs, batch_size: 64, hidden_layers: '64,32', validation_split: 0.1 },
      });
      const job = window.mfflow.jobs().find((j) => j.runId === run.info.runId);
      return {
        status: run.info.status, used: run.tags['mfflow.tfjs.backend'], epochs,
        seconds: (job.phaseAt.evaluating - job.phaseAt.training) / 1000,
      };
    }, { digest: digests.white, backend });
    if (mlp.status !== 'FINISHED') throw new Error(`MLP on ${backend} ended ${mlp.status}`);
    if (mlp.used !== backend) throw new Error(`asked for the ${backend} backend, TF.js used ${mlp.used}`);
    report(`training.mlp_white_b64_epochs_per_s_${backend}`, mlp.epochs / mlp.seconds, 'epochs/s');
  }
  await page.close();
}
