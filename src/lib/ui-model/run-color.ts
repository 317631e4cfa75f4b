/**
 * One colour per run, the same in every view (table swatch, charts, compare). The palette is
 * Paul Tol's "bright" and "muted" qualitative schemes, chosen because they stay distinguishable
 * for the common colour-vision deficiencies and on both light and dark backgrounds.
 * The colour depends only on the run id (a stable hash), never on list position, so a run
 * keeps its colour when filters, sorting or other tabs change what is shown.
 */

/** Colour-blind safe palette, most distinct colours first. */
export const RUN_PALETTE: readonly string[] = [
  '#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377',
  '#332288', '#117733', '#DDCC77', '#CC6677', '#882255', '#44AA99',
];

/** FNV-1a over UTF-16 code units: tiny, fast, and well spread for hex run ids. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The palette index of a run (0 ≤ index < RUN_PALETTE.length). */
export function runColorIndex(runId: string): number {
  return fnv1a(runId) % RUN_PALETTE.length;
}

/** The run's colour as `#RRGGBB`; depends only on `runId`. */
export function runColor(runId: string): string {
  return RUN_PALETTE[runColorIndex(runId)];
}
