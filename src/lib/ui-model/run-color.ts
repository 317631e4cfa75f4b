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

/**
 * 24 colours for views that show many runs at once (compare): the run palette first, then
 * Tol's "light" scheme and darker/lighter variants, all distinct from one another.
 */
export const WIDE_PALETTE: readonly string[] = [
  ...RUN_PALETTE,
  '#77AADD', '#EE8866', '#EEDD88', '#FFAABB', '#99DDFF', '#44BB99',
  '#BBCC33', '#AAAA00', '#994455', '#004488', '#DDAA33', '#BB5566',
];

/**
 * Colours for runs shown together: each run keeps its own colour (runColor) unless an earlier
 * run in the list already has it; then it takes the first free colour of WIDE_PALETTE. Up to
 * 24 runs never share a colour; past that colours repeat in palette order.
 */
export function distinctRunColors(runIds: readonly string[]): string[] {
  const used = new Set<string>();
  return runIds.map((id, i) => {
    let c = runColor(id);
    if (used.has(c)) c = WIDE_PALETTE.find((x) => !used.has(x)) ?? WIDE_PALETTE[i % WIDE_PALETTE.length];
    used.add(c);
    return c;
  });
}
