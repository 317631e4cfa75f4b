/**
 * What a cross-engine journey needs from a browser, whatever drives it: Playwright (Chromium),
 * puppeteer-core over WebDriver BiDi (Firefox) or WebDriver classic (WebKitGTK's MiniBrowser).
 * Journeys (journeys.ts) are written once against this and run by each driver, so the three
 * engines walk exactly the same steps.
 */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

export interface EnginePage {
  /** Opens `rel` (e.g. `''`, `'?bundle=x'`, `'#/runs?exp=1'`) under the lab's base URL. */
  goto(rel: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page and resolves to its (JSON-plain) result; a rejection becomes an Error here. */
  eval<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<Awaited<R>>;
  /** A real click (driver input events), on the first element matching `css`. */
  click(css: string): Promise<void>;
  /** Clears the field matching `css` and types `text` into it. */
  fill(css: string, text: string): Promise<void>;
  /** Focuses the element and presses a key (`End`, `Enter`, ...). */
  press(css: string, key: 'End' | 'Home' | 'Enter'): Promise<void>;
  close(): Promise<void>;
}

export interface EngineSession {
  engine: EngineName;
  /** The lab's base URL, ending in `/`. */
  baseUrl: string;
  page: EnginePage;
  /**
   * A page whose origin storage is empty and separate from `page`'s (a new context, or another
   * origin). `init` runs in each of its documents before the lab's own scripts, e.g. to remove a
   * feature an older engine lacks; only where `initScripts` is true.
   */
  freshPage(init?: () => void): Promise<EnginePage>;
  /** Another tab on the same origin and storage as `page` (what a person gets with "open in new tab"). */
  secondTab(): Promise<EnginePage>;
  /** The driver can run a script before a document's own (Playwright, BiDi); WebDriver classic cannot. */
  initScripts: boolean;
  /**
   * Console messages that report a Content-Security-Policy violation, from any page of the
   * session, where the driver can read the console (Chromium, Firefox); null where it cannot
   * (WebKit over WebDriver classic), where the in-page listener of openLab() is the witness.
   */
  cspConsole: string[] | null;
  /** Cuts the network between the browser and the lab's server (or restores it). */
  setOffline(offline: boolean): Promise<void>;
}

/** Console text of a CSP violation in Chromium ("Refused to ...") or Firefox ("Content-Security-Policy: ..."). */
export const CSP_CONSOLE = /Content[- ]Security[- ]Policy|Refused to (execute|load|run|apply|connect|frame|create)/i;

/** Serialises a page function for drivers that take script text (WebDriver classic). */
export function asyncScript(fn: (arg: never) => unknown): string {
  return `const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (${fn.toString()})(arguments[0]))
  .then((v) => done({ ok: true, v: v === undefined ? null : v }), (e) => done({ ok: false, e: String((e && e.stack) || e) }));`;
}

export function unwrapScriptResult<R>(r: { ok: boolean; v?: R; e?: string }): R {
  if (!r || !r.ok) throw new Error(`in page: ${r?.e ?? 'no result'}`);
  return r.v as R;
}
