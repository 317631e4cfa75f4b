/**
 * flate2's DEFLATE compiled to WebAssembly (@hazae41/foras), started once per worker for the
 * import's inflater (fast-inflate.ts; the export's deflater is line-deflate.ts now). Loaded
 * on first use by a dynamic import, so no page bundle carries it; null where the module cannot
 * start (the callers then use fflate, in JavaScript).
 */
export type Foras = typeof import('@hazae41/foras');

let loading: Promise<Foras | null> | undefined;

export function loadForas(): Promise<Foras | null> {
  loading ??= (async () => {
    try {
      const foras = await import('@hazae41/foras');
      await foras.initBundledOnce();
      return foras;
    } catch {
      return null;
    }
  })();
  return loading;
}
