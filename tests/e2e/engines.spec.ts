/**
 * The cross-engine journeys (tests/engines/journeys.ts) in Chromium, through Playwright; Firefox
 * and WebKit walk the same steps in tests/engines/cross-engine.test.ts.
 */
import { test, type BrowserContext, type Page } from '@playwright/test';
import { winePath } from '../data/wine';
import type { EnginePage, EngineSession } from '../engines/driver';
import { CSP_CONSOLE } from '../engines/driver';
import { JOURNEYS, loadJourneyData, walk } from '../engines/journeys';
import { SCRIPT_JOURNEYS } from '../engines/journeys-scripts';

function wrap(page: Page, baseUrl: string): EnginePage {
  return {
    goto: async (rel) => { await page.goto(new URL(rel, baseUrl).href); },
    reload: async () => { await page.reload(); },
    eval: (fn, arg) => page.evaluate(fn as (a: unknown) => never, arg) as never,
    click: (css) => page.locator(css).first().click(),
    fill: (css, text) => page.locator(css).first().fill(text),
    press: (css, key) => page.locator(css).first().press(key),
    close: () => page.close(),
  };
}

for (const j of [...JOURNEYS, ...SCRIPT_JOURNEYS]) {
  test(`chromium ${j.name}`, async ({ page, context, browser, baseURL }) => {
    test.setTimeout(j.timeoutMs);
    const base = baseURL!;
    const extra: BrowserContext[] = [];
    const cspConsole: string[] = [];
    const listen = (p: Page) => p.on('console', (m) => { if (CSP_CONSOLE.test(m.text())) cspConsole.push(m.text()); });
    listen(page);
    const session: EngineSession = {
      engine: 'chromium', baseUrl: base, page: wrap(page, base), cspConsole, initScripts: true,
      setOffline: (off) => context.setOffline(off),
      async secondTab() {
        const p = await context.newPage();
        listen(p);
        return wrap(p, base);
      },
      async freshPage(init) {
        const ctx = await browser.newContext();
        extra.push(ctx);
        const p = await ctx.newPage();
        if (init) await p.addInitScript(init);
        listen(p);
        return wrap(p, base);
      },
    };
    try {
      await walk(j, session, loadJourneyData(await winePath('winequality-red.csv')));
    } finally {
      for (const c of extra) await c.close();
    }
  });
}
