/**
 * Static plots as SVG text, for artifacts made where there is no DOM (a training worker):
 * a scatter with a reference line, a confusion matrix, a histogram. Plain SVG 1.1, fixed size
 * with a viewBox (scales to its box), text escaped (class names and column names come from the
 * user's data), no scripts, no external references: the run page shows it as an <img>.
 */
/** A scatter plot's data (src/lib/training/eval-plots.ts makes them). */
export interface ScatterPlot {
  title: string;
  xLabel: string;
  yLabel: string;
  x: Float64Array;
  y: Float64Array;
  /** Points before thinning. */
  total: number;
  xDomain: [number, number];
  yDomain: [number, number];
  /** The reference line: y = x, or y = 0. */
  line: 'diagonal' | 'zero';
}


const W = 480;
const H = 400;
const M = { l: 64, r: 16, t: 36, b: 52 };
const INK = '#333';
const GRID = '#ddd';
const DOT = '#4477AA';
const REF = '#EE6677';
const FONT = 'font-family="system-ui, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10ⁿ steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const span = hi - lo;
  const mag = 10 ** Math.floor(Math.log10(span / count));
  const fit = (s: number) => Math.abs(span / s - count);
  const step = [1, 2, 5, 10].map((f) => f * mag).reduce((a, b) => (fit(b) < fit(a) ? b : a));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));
const r1 = (v: number) => Math.round(v * 10) / 10;

function frame(title: string, xLabel: string, yLabel: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ${FONT} font-size="12">`
    + `<title>${escapeXml(title)}</title><rect width="${W}" height="${H}" fill="#fff"/>`
    + `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" fill="${INK}">${escapeXml(title)}</text>`
    + body
    + `<text x="${(M.l + W - M.r) / 2}" y="${H - 10}" text-anchor="middle" fill="${INK}">${escapeXml(xLabel)}</text>`
    + `<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" fill="${INK}">${escapeXml(yLabel)}</text>`
    + '</svg>\n';
}

function axes(sx: (v: number) => number, sy: (v: number) => number, xd: [number, number], yd: [number, number]): string {
  let s = '';
  for (const t of niceTicks(xd[0], xd[1])) {
    const x = r1(sx(t));
    s += `<line x1="${x}" y1="${M.t}" x2="${x}" y2="${H - M.b}" stroke="${GRID}"/>`
      + `<text x="${x}" y="${H - M.b + 16}" text-anchor="middle" fill="${INK}">${fmt(t)}</text>`;
  }
  for (const t of niceTicks(yd[0], yd[1])) {
    const y = r1(sy(t));
    s += `<line x1="${M.l}" y1="${y}" x2="${W - M.r}" y2="${y}" stroke="${GRID}"/>`
      + `<text x="${M.l - 6}" y="${y + 4}" text-anchor="end" fill="${INK}">${fmt(t)}</text>`;
  }
  return s + `<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="${INK}"/>`;
}

function scale(d: [number, number], a: number, b: number): (v: number) => number {
  return (v) => a + ((v - d[0]) / (d[1] - d[0])) * (b - a);
}

export function scatterSvg(p: ScatterPlot): string {
  const sx = scale(p.xDomain, M.l, W - M.r);
  const sy = scale(p.yDomain, H - M.b, M.t);
  let body = axes(sx, sy, p.xDomain, p.yDomain);
  if (p.line === 'diagonal') {
    const lo = Math.max(p.xDomain[0], p.yDomain[0]);
    const hi = Math.min(p.xDomain[1], p.yDomain[1]);
    body += `<line x1="${r1(sx(lo))}" y1="${r1(sy(lo))}" x2="${r1(sx(hi))}" y2="${r1(sy(hi))}" stroke="${REF}" stroke-width="1.5" stroke-dasharray="5 3"/>`;
  } else {
    body += `<line x1="${M.l}" y1="${r1(sy(0))}" x2="${W - M.r}" y2="${r1(sy(0))}" stroke="${REF}" stroke-width="1.5" stroke-dasharray="5 3"/>`;
  }
  body += `<g fill="${DOT}" fill-opacity="0.45">`;
  for (let i = 0; i < p.x.length; i++) body += `<circle cx="${r1(sx(p.x[i]))}" cy="${r1(sy(p.y[i]))}" r="2.5"/>`;
  body += '</g>';
  if (p.total > p.x.length) body += `<text x="${W - M.r}" y="${M.t - 4}" text-anchor="end" font-size="10" fill="${INK}">${p.x.length} of ${p.total} points</text>`;
  return frame(p.title, p.xLabel, p.yLabel, body);
}

/** counts[actual][predicted], darker for more; each cell shows its count. */
export function confusionSvg(counts: number[][], classes: readonly string[], target: string): string {
  const k = classes.length;
  // Class names sit left of the rows: a wider left margin than the plots' keeps them off the axis title.
  const left = M.l + 40;
  const size = Math.min(W - left - M.r, H - M.t - M.b);
  const cell = size / Math.max(1, k);
  const max = Math.max(1, ...counts.flat());
  let body = '';
  for (let a = 0; a < k; a++) {
    for (let p = 0; p < k; p++) {
      const n = counts[a]?.[p] ?? 0;
      const x = r1(left + p * cell);
      const y = r1(M.t + a * cell);
      const shade = n / max;
      body += `<rect x="${x}" y="${y}" width="${r1(cell)}" height="${r1(cell)}" fill="#4477AA" fill-opacity="${(0.08 + 0.92 * shade).toFixed(3)}" stroke="#fff"/>`;
      if (cell >= 14) body += `<text x="${r1(x + cell / 2)}" y="${r1(y + cell / 2 + 4)}" text-anchor="middle" fill="${shade > 0.5 ? '#fff' : INK}">${n}</text>`;
    }
    if (cell >= 10) {
      body += `<text x="${left - 6}" y="${r1(M.t + a * cell + cell / 2 + 4)}" text-anchor="end" fill="${INK}">${escapeXml(classes[a])}</text>`
        + `<text x="${r1(left + a * cell + cell / 2)}" y="${r1(M.t + k * cell + 16)}" text-anchor="middle" fill="${INK}">${escapeXml(classes[a])}</text>`;
    }
  }
  return frame('Confusion matrix (test set)', `predicted ${target}`, `actual ${target}`, body);
}

/** Bars of `counts` over equal bins of [lo, hi]. */
export function histogramSvg(counts: readonly number[], lo: number, hi: number, title: string, xLabel: string): string {
  const max = Math.max(1, ...counts);
  const sx = scale([lo, hi], M.l, W - M.r);
  const sy = scale([0, max], H - M.b, M.t);
  let body = axes(sx, sy, [lo, hi], [0, max]);
  const w = (hi - lo) / Math.max(1, counts.length);
  body += '<g fill="#4477AA" fill-opacity="0.8">';
  counts.forEach((n, i) => {
    if (n === 0) return;
    const x0 = sx(lo + i * w);
    const x1 = sx(lo + (i + 1) * w);
    body += `<rect x="${r1(x0)}" y="${r1(sy(n))}" width="${r1(x1 - x0 - 1)}" height="${r1(sy(0) - sy(n))}"/>`;
  });
  return frame(title, xLabel, 'rows', body + '</g>');
}
