/**
 * Firefox (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi. One browser per
 * suite; a fresh page for an empty store is a new browser context (its own storage).
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CSP_CONSOLE, type EnginePage, type EngineSession } from './driver';

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

function wrap(page: Page, baseUrl: string): EnginePage {
  return {
    async goto(rel) {
      await page.goto(new URL(rel, baseUrl).href, { waitUntil: 'load' });
    },
    async reload() {
      await page.reload({ waitUntil: 'load' });
    },
    eval(fn, arg) {
      return page.evaluate(fn as (a: unknown) => never, arg) as never;
    },
    async click(css) {
      await page.waitForSelector(css, { timeout: 20_000 });
      await page.click(css);
    },
    async fill(css, text) {
      await page.waitForSelector(css, { timeout: 20_000 });
      await page.click(css, { count: 3 });
      await page.$eval(css, (el) => { (el as HTMLInputElement).select?.(); });
      await page.keyboard.press('Backspace');
      await page.type(css, text);
    },
    async press(css, key) {
      await page.focus(css);
      await page.keyboard.press(key);
    },
    async close() {
      await page.close();
    },
  };
}

export interface FirefoxHandle { session: EngineSession; close(): Promise<void> }

export async function launchFirefox(baseUrl: string, setOffline: (off: boolean) => Promise<void>,
  prefs: Record<string, unknown> = {}): Promise<FirefoxHandle> {
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX_PATH, headless: true,
    extraPrefsFirefox: { 'dom.serviceWorkers.testing.enabled': true, ...prefs },
  });
  const cspConsole: string[] = [];
  const listen = (p: Page) => p.on('console', (m) => { if (CSP_CONSOLE.test(m.text())) cspConsole.push(m.text()); });
  const first = await browser.createBrowserContext();
  const firstPage = await first.newPage();
  listen(firstPage);
  const page = wrap(firstPage, baseUrl);
  const session: EngineSession = {
    engine: 'firefox', baseUrl, page, setOffline, cspConsole, initScripts: true,
    async secondTab() {
      const raw = await first.newPage();
      listen(raw);
      return wrap(raw, baseUrl);
    },
    async freshPage(init) {
      const ctx = await browser.createBrowserContext();
      const raw = await ctx.newPage();
      if (init) await raw.evaluateOnNewDocument(init);
      listen(raw);
      const p = wrap(raw, baseUrl);
      return { ...p, close: async () => { await ctx.close(); } };
    },
  };
  return { session, close: async () => { await browser.close(); } };
}
