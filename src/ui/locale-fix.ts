/**
 * WebKitGTK reports the POSIX locale of a `LANG=C` session as `navigator.language === 'C'`,
 * which is no BCP 47 tag. uPlot calls `new Intl.NumberFormat(navigator.language)` when its
 * module loads, so in such a browser every page with a chart ("New run", a run's metrics) failed
 * to load with "invalid language tag: C" (found by the cross-engine worker-crash journey).
 * Where the browser's tag is one Intl refuses, the page is given the locale Intl itself uses.
 * Imported first by main.ts, so it runs before any chart module.
 */
export function fixNavigatorLanguage(nav: { language: string; languages?: readonly string[] }): string | null {
  try {
    Intl.getCanonicalLocales(nav.language);
    return null;
  } catch {
    // Not a language tag: replaced below.
  }
  const resolved = new Intl.NumberFormat().resolvedOptions().locale;
  const tag = typeof Intl.Locale === 'function' ? new Intl.Locale(resolved).baseName : resolved;
  Object.defineProperty(nav, 'language', { value: tag, configurable: true });
  Object.defineProperty(nav, 'languages', { value: Object.freeze([tag]), configurable: true });
  return tag;
}

if (typeof navigator !== 'undefined') fixNavigatorLanguage(navigator);
