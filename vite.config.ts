import { defineConfig, transformWithOxc, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** Every file under `dir`, as `/`-separated paths relative to it. */
function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), root) : [relative(root, join(dir, e.name)).split(sep).join('/')]);
}

/**
 * The service worker (src/sw/sw.ts) as dist/sw.js, written after the whole build (workers and
 * wasm included) so its precache list is complete. A hand-written worker plus this small step is
 * less machinery than a PWA plugin: one self-contained script, TypeScript stripped by Oxc.
 * The list's digest goes into the script, so any change to the build is a new service worker.
 */
function serviceWorker(): Plugin {
  let outDir = 'dist';
  return {
    name: 'mfflow-sw',
    apply: 'build',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    transformIndexHtml() {
      return [
        { tag: 'link', attrs: { rel: 'manifest', href: './manifest.webmanifest' }, injectTo: 'head' },
        { tag: 'meta', attrs: { name: 'theme-color', content: '#1f6feb' }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: './icon-192.png' }, injectTo: 'head' },
      ];
    },
    async closeBundle() {
      const files = listFiles(outDir).filter((f) => !f.endsWith('.map') && f !== 'sw.js').sort();
      const digest = createHash('sha256');
      for (const f of files) digest.update(f).update(readFileSync(join(outDir, f)));
      const src = resolve(__dirname, 'src/sw/sw.ts');
      const { code } = await transformWithOxc(readFileSync(src, 'utf8'), src, { lang: 'ts' });
      // Type-only imports leave an `export {}` behind, which a classic worker script cannot hold.
      const script = code.replace(/^export\s*\{\s*\};?\s*$/gm, '');
      const head = `const PRECACHE = ${JSON.stringify(files)};\nconst BUILD = ${JSON.stringify(digest.digest('hex').slice(0, 16))};\n`;
      writeFileSync(join(outDir, 'sw.js'), head + script);
    },
  };
}

/** The lab's build as runs record it (mfflow.lab.version): package version + commit. */
function labVersion(): string {
  const { version } = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string };
  try {
    return `${version}+${execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim()}`;
  } catch {
    return version;
  }
}

// `base: './'` makes every asset URL relative, so dist/ works from any sub-path.
export default defineConfig({
  base: './',
  plugins: [svelte(), serviceWorker()],
  define: { __MFFLOW_VERSION__: JSON.stringify(labVersion()) },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
});
