/**
 * WebKit: WebKitGTK's MiniBrowser driven by Debian's WebKitWebDriver (WebDriver classic,
 * through selenium-webdriver), under xvfb-run. WebDriver classic has no browser contexts, so a
 * page with empty storage is a new window on another origin of the same server (`localhost`
 * instead of `127.0.0.1`): IndexedDB, caches and service workers are per origin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Builder, By, Key, type WebDriver } from 'selenium-webdriver';
import { asyncScript, unwrapScriptResult, type EnginePage, type EngineSession } from './driver';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const KEYS = { End: Key.END, Home: Key.HOME, Enter: Key.ENTER } as const;

function wrap(driver: WebDriver, handle: string, baseUrl: string): EnginePage {
  const focus = () => driver.switchTo().window(handle);
  return {
    async goto(rel) {
      await focus();
      await driver.get(new URL(rel, baseUrl).href);
    },
    async reload() {
      await focus();
      await driver.navigate().refresh();
    },
    eval: (async (fn: (a: never) => unknown, arg?: unknown) => {
      await focus();
      return unwrapScriptResult(await driver.executeAsyncScript(asyncScript(fn), arg ?? null));
    }) as EnginePage['eval'],
    async click(css) {
      await focus();
      await driver.findElement(By.css(css)).click();
    },
    async fill(css, text) {
      await focus();
      const el = await driver.findElement(By.css(css));
      await el.clear();
      await el.sendKeys(text);
    },
    async press(css, key) {
      await focus();
      await driver.findElement(By.css(css)).sendKeys(KEYS[key]);
    },
    async close() {
      await focus();
      await driver.close();
    },
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

export interface WebKitHandle { session: EngineSession; close(): Promise<void> }

export async function launchWebKit(baseUrl: string, setOffline: (off: boolean) => Promise<void>): Promise<WebKitHandle> {
  const port = await freePort();
  const wd: ChildProcess = spawn(WEBKIT_DRIVER, [`--port=${port}`], { stdio: 'ignore' });
  let driver: WebDriver | null = null;
  for (let i = 0; i < 50 && !driver; i++) {
    try {
      driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      }).build();
    } catch (e) {
      if (i === 49) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const d = driver!;
  await d.manage().setTimeouts({ script: 300_000, pageLoad: 60_000 });
  const main = await d.getWindowHandle();
  const otherOrigin = baseUrl.replace('127.0.0.1', 'localhost');
  const session: EngineSession = {
    engine: 'webkit', baseUrl, setOffline, cspConsole: null, initScripts: false,
    page: wrap(d, main, baseUrl),
    async secondTab() {
      await d.switchTo().newWindow('tab');
      const p = wrap(d, await d.getWindowHandle(), baseUrl);
      return { ...p, close: async () => { await p.close(); await d.switchTo().window(main); } };
    },
    async freshPage(init) {
      if (init) throw new Error('WebDriver classic cannot run a script before the page\'s own');
      await d.switchTo().newWindow('window');
      const handle = await d.getWindowHandle();
      const p = wrap(d, handle, otherOrigin);
      return { ...p, close: async () => { await p.close(); await d.switchTo().window(main); } };
    },
  };
  return {
    session,
    close: async () => {
      await d.quit().catch(() => undefined);
      wd.kill();
    },
  };
}
