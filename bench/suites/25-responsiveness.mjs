// Training in the pool must not block the page (issue "Training in Web Workers", point 5:
// no main-thread long task over 50 ms caused by training). Three MLPs train at once on white
// wine while long tasks and long animation frames (with their script attribution) are observed.
import { openLab, routeWine, WINE } from './lib.mjs';

export async function run({ context, base, report, root }) {
  await routeWine(context, root);
  const page = await context.newPage();
  await openLab(page, base);
  const digest = await page.evaluate(async (url) => (await window.mfflow.loadDataset(url)).digest, WINE.white.url);
  await page.waitForTimeout(1000);
  const r = await page.evaluate(async (dataset) => {
    const tasks = [];
    const frames = [];
    const t = new PerformanceObserver((l) => { for (const e of l.getEntries()) tasks.push(e.duration); });
    const f = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (e.duration > 50) frames.push({ ms: Math.round(e.duration), scripts: e.scripts.map((s) => `${s.invoker} ${Math.round(s.duration)} ms at ${(s.sourceURL || "").split("/").pop()}:${s.sourceCharPosition} ${s.sourceFunctionName}`) });
    });
    t.observe({ type: 'longtask' });
    try { f.observe({ type: 'long-animation-frame' }); } catch { /* older engines */ }
    const spec = (seed) => ({ dataset, model: 'mlp', target: 'quality', params: { hidden_layers: '32,16', epochs: 10, batch_size: 64, learning_rate: 0.01 }, split: { seed } });
    const t0 = performance.now();
    const runs = await Promise.all([1, 2, 3].map((seed) => window.mfflow.train(spec(seed))));
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((res) => setTimeout(res, 200));
    t.disconnect();
    f.disconnect();
    return { seconds, statuses: runs.map((x) => x.info.status), longest: Math.max(0, ...tasks), count: tasks.length, frames };
  }, digest);
  if (r.statuses.some((s) => s !== 'FINISHED')) throw new Error(`trainings ended ${r.statuses}`);
  report('training.parallel_3_mlp_wall_time', r.seconds, 's');
  report('training.main_thread_longest_task_during_3_parallel_mlps', r.longest, 'ms', { max: 50 });
  report('training.main_thread_long_tasks_during_3_parallel_mlps', r.count, 'tasks');
  if (r.frames.length) console.log(`  long animation frames: ${JSON.stringify(r.frames.slice(0, 5))}`);
}
