// Chart figures (issue "Tracking UI", charts): read from IndexedDB and first draw of one
// 1,000,000-point metric, redraw
// (re-bucket + setData + draw) of a 100 runs × 10,000 points compare chart, and the JS heap with
// that chart open. Timed in the page by MetricChart itself; the page exposes the figures on
// window.__mfflowCharts only because the URL has `?bench`.
import { heapMB, median, openLab } from './lib.mjs';
import { jsMemoryMB } from './35-table.mjs';

async function waitForChart(page, runs) {
  await page.waitForFunction((n) => (window.__mfflowCharts ?? []).some((c) => c.runs === n && Number.isFinite(c.firstDrawMs)), runs, { timeout: 120_000 });
  return page.evaluate((n) => {
    const c = window.__mfflowCharts.find((h) => h.runs === n && Number.isFinite(h.firstDrawMs));
    return { firstDrawMs: c.firstDrawMs, loadAndDrawMs: c.loadAndDrawMs, points: c.points };
  }, runs);
}

export async function run({ context, base, report }) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await openLab(page, base, '?bench');

  const ids = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('bench-charts');
    const big = await m.startRun({ runName: 'million' });
    for (let i = 0; i < 1_000_000; i++) m.logMetric('noise', i === 777_777 ? 50 : Math.sin(i / 300) + (i % 7) / 10, i);
    await m.endRun();
    const many = [];
    for (let r = 0; r < 100; r++) {
      const run = await m.startRun({ runName: `r${r}` });
      await m.logParams({ lr: 10 ** -(1 + (r % 4)), seed: r });
      for (let i = 0; i < 10_000; i++) m.logMetric('loss', Math.exp(-i / (2000 + 40 * r)) + 0.05 * Math.sin(i * (r + 1)), i);
      await m.endRun();
      many.push(run.runId);
    }
    return { big: big.runId, many };
  });

  // 1. One chart, one run, 1,000,000 points.
  await page.evaluate((id) => { location.hash = `#/compare?runs=${id}`; }, ids.big);
  const big = await waitForChart(page, 1);
  // The budget covers reading the 1,000,000 points from IndexedDB (chart mounted → drawn).
  report('charts.read_and_first_draw_1M_points', big.loadAndDrawMs, 'ms', { max: 200 });
  report('charts.first_draw_1M_points_after_read', big.firstDrawMs, 'ms');
  report('charts.drawn_points_1M_chart', big.points, 'points', { max: 8_000 });

  // 2. 100 runs × 10,000 points on one chart.
  await page.evaluate((list) => { location.hash = `#/compare?runs=${list.join(',')}`; }, ids.many);
  const many = await waitForChart(page, 100);
  report('charts.first_draw_100x10k', many.firstDrawMs, 'ms');
  const redraws = await page.evaluate(async () => {
    const c = window.__mfflowCharts.find((h) => h.runs === 100);
    const times = [];
    const frames = [];
    for (let k = 0; k < 11; k++) {
      const a = k % 2 ? 0 : 37 * k;
      times.push(await c.zoom(a, 9_999 - 13 * k));
      frames.push(c.frameMs);
      await new Promise((r) => requestAnimationFrame(r));
    }
    return { times, frames, points: c.points };
  });
  report('charts.redraw_100x10k', median(redraws.times), 'ms', { max: 50 });
  report('charts.redraw_100x10k_downsample_and_join', median(redraws.frames), 'ms');
  report('charts.drawn_points_100x10k', redraws.points, 'points');
  report('charts.heap_with_100x10k_open', await heapMB(page), 'MB (JS heap only)');
  report('charts.memory_with_100x10k_open', await jsMemoryMB(page), 'MB (JS heap + array buffers)');
}
