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

export const WINE = {
  red: { file: 'winequality-red.csv', url: 'https://raw.githubusercontent.com/mlflow/mlflow/master/tests/datasets/winequality-red.csv' },
  white: { file: 'wine-quality.csv', url: 'https://raw.githubusercontent.com/mlflow/mlflow/master/examples/sklearn_elasticnet_wine/wine-quality.csv' },
};

/** tests/data/wine.ts's rule: ../shared/data, else a download cached in .cache/data. */
async function winePath(root, file, url) {
  const { existsSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { join, resolve } = await import('node:path');
  const shared = resolve(root, '../shared/data', file);
  if (existsSync(shared)) return shared;
  const cached = join(root, '.cache/data', file);
  if (!existsSync(cached)) {
    mkdirSync(join(root, '.cache/data'), { recursive: true });
    const res = await fetch(url);
    if (!res.ok) throw new Error(`cannot download ${file}: HTTP ${res.status}`);
    writeFileSync(cached, Buffer.from(await res.arrayBuffer()));
  }
  return cached;
}

/** Serves the wine CSVs at MLflow's URLs from local files for every page of `context`; returns their paths. */
export async function routeWine(context, root) {
  const { readFileSync } = await import('node:fs');
  const paths = {};
  for (const [key, w] of Object.entries(WINE)) {
    paths[key] = await winePath(root, w.file, w.url);
    const body = readFileSync(paths[key]);
    await context.route(w.url, (route) => route.fulfill({ body, contentType: 'text/csv', headers: { 'access-control-allow-origin': '*' } }));
  }
  return paths;
}
