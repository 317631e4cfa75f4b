// Helpers shared by bench suites (not a suite itself: no `run` export).
export async function openLab(page, base, query = '') {
  await page.goto(base + query);
  await page.waitForSelector('html[data-lab-ready="true"]', { state: 'attached', timeout: 60_000 });
}

/** JS heap in use after a full GC, in MB (CDP). */
export async function heapMB(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1024 / 1024;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
