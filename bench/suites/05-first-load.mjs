// First-load JavaScript (issue 9, speed goals): the gzipped size of the JS that dist/index.html
// loads before anything else runs (its module script, its modulepreloads and their static
// imports, followed through the chunks), measured from the files in dist/. Budget ≤ 100 KB.
// Also, for the record, every JS file the page fetched until the lab was open and listed
// (lazy chunks loaded right after the first paint included), gzipped the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openLab } from './lib.mjs';

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Relative `./x.js` specifiers a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`), not `import("./x.js")`. */
function staticImports(code) {
  const out = [];
  for (const m of code.matchAll(/(?:^|[;\s}])import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.\.?\/[^"']+\.js)["']/g)) out.push(m[1]);
  return out;
}

export function firstLoadFiles(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<script[^>]+type="module"[^>]+src="\.\/([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\.\/([^"]+)"/g)].map((m) => m[1]);
  if (!entry.length) throw new Error('no module script in dist/index.html');
  const seen = new Set(entry);
  const queue = [...entry];
  while (queue.length) {
    const file = queue.shift();
    for (const spec of staticImports(readFileSync(join(dist, file), 'utf8'))) {
      const path = join(file, '..', spec);
      if (!seen.has(path)) { seen.add(path); queue.push(path); }
    }
  }
  return [...seen];
}

export async function run({ context, base, report, dist }) {
  const files = firstLoadFiles(dist);
  const sizes = files.map((f) => ({ f, gz: gz(readFileSync(join(dist, f))) }));
  const total = sizes.reduce((s, x) => s + x.gz, 0) / 1024;
  console.log(`  first-load files: ${sizes.map((x) => `${x.f} ${(x.gz / 1024).toFixed(1)} KB`).join(', ')}`);
  report('first_load.js_gzipped', total, 'KB', { max: 100 });

  // Every script the page itself fetched until the lab was open (workers' own imports excluded).
  const fetched = new Set();
  const page = await context.newPage();
  page.on('request', (r) => {
    let frame = null;
    try { frame = r.frame(); } catch { /* a worker's or the service worker's request */ }
    if (r.resourceType() !== 'script' || frame !== page.mainFrame()) return;
    const path = new URL(r.url()).pathname.replace(/^\/lab\//, '');
    if (path.endsWith('.js')) fetched.add(path);
  });
  await openLab(page, base);
  const listed = [...fetched];
  const kb = listed.reduce((s, f) => s + gz(readFileSync(join(dist, f))), 0) / 1024;
  report('first_load.js_gzipped_until_lab_ready', kb, `KB (${listed.length} files, lazy chunks included)`);
  await page.close();
}
