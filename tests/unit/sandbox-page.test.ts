import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// public/sandbox.html runs its one inline script by hash (WebKit matches 'self' against nothing in
// an opaque origin): an edit to the script without its new hash would leave scripts dead.
describe('script sandbox page', () => {
  const html = readFileSync(new URL('../../public/sandbox.html', import.meta.url), 'utf8');
  it('allows exactly its inline script, by hash, and no script URL', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/);
    const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(policy)?.[1].split(' ') ?? [];
    const hash = `'sha256-${createHash('sha256').update(scripts[0]).digest('base64')}'`;
    expect(scriptSrc).toEqual([hash, "'unsafe-eval'", 'blob:']);
    expect(policy).toContain("connect-src 'none'");
  });
});
