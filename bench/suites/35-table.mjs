// Runs table figures (issue "Tracking UI"), with 100,000 runs stored: first paint of the table,
// sort (click a column header → rows painted), filter (apply a filter → rows painted), the work
// of each scroll frame, and the page's memory with the 100,000 runs loaded and a compare view
// holding a 100 runs × 10,000 points chart and a 1,000,000-point chart.
import { heapMB, median, openLab, seedRuns } from './lib.mjs';

/**
 * Memory the page's JavaScript holds after a full GC, in MB, ArrayBuffer backing stores included
 * (metric histories and sort keys are typed arrays: JSHeapUsedSize leaves them out).
 */
export async function jsMemoryMB(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const u = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return (u.usedSize + (u.embedderHeapUsedSize ?? 0) + (u.backingStorageSize ?? 0)) / 1024 / 1024;
}


/**
 * Waits (≤ 60 s) until the lab has written its run index after a first open: the store's mark,
 * or the index header stored with no run left dirty. False if it did not.
 */
async function waitForRunIndex(page) {
  return page.evaluate(async () => {
    const stored = async () => {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open('mfflow');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      try {
        const tx = db.transaction(['runIndex', 'runDirty'], 'readonly');
        const ask = (q) => new Promise((res, rej) => { q.onsuccess = () => res(q.result); q.onerror = () => rej(q.error); });
        const [header, dirty] = await Promise.all([ask(tx.objectStore('runIndex').get('header')), ask(tx.objectStore('runDirty').count())]);
        return header !== undefined && dirty === 0;
      } finally {
        db.close();
      }
    };
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline) {
      if (performance.getEntriesByName('mfflow:run-index-written').length > 0 || await stored()) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  });
}

// Installed before the app's scripts: records when the first table row was painted (the frame
// after the one that inserted it: double rAF).
const FIRST_PAINT_PROBE = () => {
  const mo = new MutationObserver(() => {
    if (!document.querySelector('table[role="grid"] tr[data-run-id]')) return;
    mo.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => { window.__tableFirstPaint = performance.now(); }));
  });
  mo.observe(document, { childList: true, subtree: true });
};

/**
 * In the page: runs `act`, waits until `done()` holds (checked on every DOM change), then two
 * animation frames (rows painted); returns the ms from before `act`.
 */
const TIMED = `window.__timed = (act, done) => new Promise((resolve) => {
  const grid = document.querySelector('main') ?? document.body;
  const t0 = performance.now();
  let settled = false;
  const finish = () => {
    if (settled || !done()) return;
    settled = true;
    mo.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  };
  const mo = new MutationObserver(finish);
  mo.observe(grid, { childList: true, subtree: true, attributes: true, characterData: true });
  act();
  queueMicrotask(finish);
  setTimeout(() => { if (!settled) { settled = true; mo.disconnect(); resolve(NaN); } }, 20000);
});`;

const t00 = Date.now();
const progress = (what) => { if (process.env.BENCH_VERBOSE) console.error(`[table ${((Date.now() - t00) / 1000).toFixed(0)} s] ${what}`); };

export async function run({ context, base, report }) {
  await context.addInitScript(FIRST_PAINT_PROBE);
  await context.addInitScript(TIMED);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await openLab(page, base);
  await seedRuns(page, 100_000);
  progress('seeded');
  await openLab(page, base);
  const indexed = await waitForRunIndex(page);
  progress(indexed ? 'run index written' : 'no run index written: the table opens from the run records');

  // 1. Navigation start → the first rows of the table painted, runs read from the run index.
  const paints = [];
  const listedToPaint = [];
  for (let i = 0; i < 3; i++) {
    await openLab(page, base, `?open=${i}#/runs?exp=0`); // a new document each time
    await page.waitForFunction(() => window.__tableFirstPaint !== undefined, null, { timeout: 60_000 });
    paints.push(await page.evaluate(() => window.__tableFirstPaint));
    listedToPaint.push(await page.evaluate(() => window.__tableFirstPaint - performance.getEntriesByName('mfflow:listed')[0].startTime));
  }
  const heading = await page.getByRole('heading', { level: 1 }).textContent();
  if (!/100000 runs/.test(heading ?? '')) throw new Error(`expected 100000 runs listed, saw "${heading}"`);
  // Navigation → rows painted holds the lab's open (budgeted ≤ 1 s in the tracking suite) and
  // the table's first paint; issue 9 budgets the table's own share (lab listed its runs → rows
  // painted) at ≤ 300 ms.
  report(indexed ? 'table.first_paint_100k' : 'table.first_paint_100k_without_run_index', median(paints), 'ms', { max: 1300 });
  report('table.first_paint_after_listed_100k', median(listedToPaint), 'ms', { max: 300 });

  progress('first paint measured');
  // 2. Sort: click a header → rows painted. rmse, r2, name, Created, alternating directions.
  const sorts = await page.evaluate(async () => {
    const times = [];
    const header = (label) => [...document.querySelectorAll('thead th')].find((th) => th.getAttribute('title') === label);
    for (const label of ['rmse', 'rmse', 'r2', 'Run name', 'rmse', 'mae', 'Created', 'rmse', 'r2']) {
      const th = header(label);
      // The table re-renders its header and rows in one update: the header's new state says the rows are done.
      const sortBefore = th.getAttribute('aria-sort');
      times.push(await window.__timed(() => th.querySelector('button').click(), () => th.getAttribute('aria-sort') !== sortBefore));
      await new Promise((r) => setTimeout(r, 50));
    }
    return times;
  });
  report('table.sort_100k', median(sorts), 'ms', { max: 50 });
  report('table.sort_100k_worst', Math.max(...sorts), 'ms');
  const sortShare = await page.evaluate(() => performance.getEntriesByName('mfflow:table-sort').slice(-9).map((e) => e.duration));
  report('table.sort_100k_keys_and_order', median(sortShare), 'ms');

  progress('sorted');
  // 3. Filter: a filter typed into the box and applied (Enter) → rows painted; then cleared.
  const filters = await page.evaluate(async () => {
    const input = document.querySelector('input[aria-label="Filter runs"]');
    const times = [];
    const apply = (text) => {
      // Done when the URL holds the filter (set before the table re-renders in the same task).
      return window.__timed(() => {
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.form.requestSubmit();
      }, () => (new URLSearchParams(location.hash.split('?')[1] ?? '').get('filter') ?? '') === text
        && (text === '' || document.querySelector('tbody tr[data-run-id]')));
    };
    for (let i = 0; i < 5; i++) {
      times.push(await apply(`metrics.rmse < ${0.8 + i * 0.01} and params.alpha = '0.5'`));
      await new Promise((r) => setTimeout(r, 50));
      times.push(await apply(`params.l1_ratio = '0.${i + 1}'`));
      await new Promise((r) => setTimeout(r, 50));
    }
    const clear = await apply('');
    return { times, clear };
  });
  report('table.filter_100k', median(filters.times), 'ms', { max: 50 });
  report('table.filter_100k_worst', Math.max(...filters.times), 'ms');
  report('table.filter_clear_100k', filters.clear, 'ms');

  progress('filtered');
  // 4. Scroll: per frame, the work from the scroll event to the layout of the new rows (script +
  // style + layout), while the scroller moves by a fixed step each frame for 150 frames: 300 px a
  // frame (18,000 px/s, a fast fling; budgeted) and 600 px (an extreme one); then 50 jumps to
  // random places (a scrollbar drag: every row of the window is new). Also the gaps between
  // animation frames during the 300 px run.
  const scroll = await page.evaluate(async () => {
    const scroller = document.querySelector('table[role="grid"]').parentElement;
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const sorted = (xs) => [...xs].sort((a, b) => a - b);
    const p = (xs, q) => sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
    async function run(frames, move) {
      scroller.scrollTop = 0;
      await frame(); await frame();
      const work = [];
      const gaps = [];
      let t0 = 0;
      const start = () => { t0 = performance.now(); };
      const end = () => queueMicrotask(() => {
        // After the table's own scroll handler and the re-render it queued: force layout.
        void scroller.querySelector('tbody tr[data-run-id]')?.getBoundingClientRect();
        work.push(performance.now() - t0);
      });
      document.addEventListener('scroll', start, { capture: true });
      scroller.addEventListener('scroll', end);
      let last = performance.now();
      for (let f = 0; f < frames; f++) {
        await frame();
        const now = performance.now();
        if (f > 0) gaps.push(now - last);
        last = now;
        move(f);
      }
      await frame(); await frame();
      document.removeEventListener('scroll', start, { capture: true });
      scroller.removeEventListener('scroll', end);
      return { p95: p(work, 0.95), max: Math.max(...work), n: work.length, gapP95: p(gaps, 0.95) };
    }
    const fling = await run(150, () => { scroller.scrollTop += 300; });
    const fast = await run(150, () => { scroller.scrollTop += 600; });
    const jumps = await run(50, (f) => { scroller.scrollTop = ((f + 1) * 104_729 * 30) % (scroller.scrollHeight - scroller.clientHeight); });
    return { fling, fast, jumps };
  });
  if (scroll.fling.n < 100 || scroll.fast.n < 100) throw new Error(`too few scroll events: ${scroll.fling.n}, ${scroll.fast.n}`);
  report('table.scroll_frame_work_p95_300px', scroll.fling.p95, 'ms', { max: 16 });
  report('table.scroll_frame_work_max_300px', scroll.fling.max, 'ms');
  report('table.scroll_raf_gap_p95_300px', scroll.fling.gapP95, 'ms');
  report('table.scroll_frame_work_p95_600px', scroll.fast.p95, 'ms');
  report('table.scroll_jump_work_p95', scroll.jumps.p95, 'ms');
  progress('scrolled');
  // 5. Heap with everything open: the 100,000-run table, then a 100 runs × 10,000 points compare
  // chart in the same lab.
  // Logged from another page: with the table open, every run start and end would re-derive it.
  await page.evaluate(() => { location.hash = '#/datasets'; });
  const ids = await page.evaluate(async () => {
    const m = window.mfflow;
    await m.setExperiment('bench-table-compare');
    const many = [];
    for (let r = 0; r < 100; r++) {
      const run = await m.startRun({ runName: `r${r}` });
      for (let i = 0; i < 10_000; i++) m.logMetric('loss', Math.exp(-i / (2000 + 40 * r)) + 0.05 * Math.sin(i * (r + 1)), i);
      await m.endRun();
      many.push(run.runId);
    }
    const big = await m.startRun({ runName: 'million' });
    for (let i = 0; i < 1_000_000; i++) m.logMetric('noise', Math.sin(i / 300) + (i % 7) / 10, i);
    await m.endRun();
    return [...many, big.runId];
  });
  // One compare view: the 100-run loss chart and the 1,000,000-point noise chart side by side.
  await page.evaluate((list) => { location.hash = `#/compare?runs=${list.join(',')}`; }, ids);
  await page.waitForSelector('figure[data-metric="loss"][data-ready="true"]', { timeout: 120_000 });
  await page.waitForSelector('figure[data-metric="noise"][data-ready="true"]', { timeout: 120_000 });
  report('table.memory_100k_runs_compare_100x10k_and_1M', await jsMemoryMB(page), 'MB (JS heap + array buffers)', { max: 300 });
  report('table.heap_100k_runs_compare_100x10k_and_1M', await heapMB(page), 'MB (JS heap only)');
}
