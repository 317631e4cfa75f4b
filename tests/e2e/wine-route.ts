import type { BrowserContext, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { WINE_URLS, winePath, type WineFile } from '../data/wine';

/**
 * Serves MLflow's wine CSVs from ../shared/data (or the test cache) instead of the network, as the
 * lab's built-in examples request them; returns live request counts per file.
 */
export async function routeWine(target: Page | BrowserContext): Promise<Record<WineFile, number>> {
  const hits: Record<WineFile, number> = { 'winequality-red.csv': 0, 'wine-quality.csv': 0 };
  for (const name of Object.keys(WINE_URLS) as WineFile[]) {
    const body = readFileSync(await winePath(name));
    await target.route(WINE_URLS[name], (route) => {
      hits[name]++;
      return route.fulfill({ body, contentType: 'text/csv', headers: { 'access-control-allow-origin': '*' } });
    });
  }
  return hits;
}
