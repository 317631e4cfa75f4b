#!/usr/bin/env node
// A tiny static server for dist/: no dependencies, correct MIME types (wasm needs
// application/wasm for streaming compilation), and an optional sub-path prefix so tests
// prove the build works away from the root. Usage: serve.mjs [--port N] [--prefix /lab/] [--dir dist]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(opt('port', process.env.PORT || 4173));
let prefix = opt('prefix', '/');
if (!prefix.endsWith('/')) prefix += '/';
const root = resolve(opt('dir', 'dist'));

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv',
};

// The policy a page carries in its <meta> (index.html's, or the script sandbox's), read from the
// built page so the two never differ, plus what only a header can say (README, "Hosting").
const pagePolicies = new Map();
async function contentSecurityPolicy(path) {
  if (!pagePolicies.has(path)) {
    const html = await readFile(path, 'utf8').catch(() => '');
    const m = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    // A page without its own policy gets index.html's.
    pagePolicies.set(path, m ? `${m[1]}; frame-ancestors 'self'` : path === join(root, 'index.html') ? '' : await contentSecurityPolicy(join(root, 'index.html')));
  }
  return pagePolicies.get(path);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === prefix.slice(0, -1)) {
    res.writeHead(301, { location: prefix }).end();
    return;
  }
  if (!url.pathname.startsWith(prefix)) {
    res.writeHead(404).end('not found');
    return;
  }
  let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
  const file = normalize(join(root, rel));
  if (!file.startsWith(root)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  try {
    const s = await stat(file);
    const path = s.isDirectory() ? join(file, 'index.html') : file;
    const body = await readFile(path);
    const headers = { 'content-type': types[extname(path)] ?? 'application/octet-stream' };
    // The service worker must be able to control the whole prefix.
    if (path.endsWith('sw.js')) headers['service-worker-allowed'] = prefix;
    if (path.endsWith('.html')) {
      const csp = await contentSecurityPolicy(path);
      if (csp) headers['content-security-policy'] = csp;
      headers['x-content-type-options'] = 'nosniff';
    }
    headers['cache-control'] = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, headers).end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`MFFlow lab is served at http://127.0.0.1:${port}${prefix}`);
});
