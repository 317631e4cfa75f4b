/**
 * zip64 against Python's zipfile (the reference reader most tools share): the lab's archives with
 * more than 65,535 entries, and with every zip64 field written, read back in full with matching
 * CRCs; and an archive Python wrote with zip64 local headers reads in the lab.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSafeBlob } from '../../src/lib/archive/safe-zip';
import { zipFiles } from '../../src/lib/archive/zip-write';
import { runPython } from './python';

const work = mkdtempSync(join(tmpdir(), 'mfflow-zip64-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const enc = new TextEncoder();

interface Read { count: number; bad: string | null; zip64_end: boolean; sample: Record<string, string> }

describe('zip64 with Python zipfile', () => {
  it('reads a lab zip of 70,000 entries (zip64 end records), every CRC right', () => {
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 70_000; i++) files.set(`mlruns/0/r${String(i).padStart(6, '0')}/metrics/loss`, enc.encode(`1700000000000 ${1 / (i + 1)} 0\n`.repeat(3)));
    const path = join(work, 'many.zip');
    writeFileSync(path, zipFiles(files, { method: 'auto', level: 1 }));
    const got = runPython<Read>('zip64_check.py', ['read', path]);
    expect(got).toMatchObject({ count: 70_000, bad: null, zip64_end: true });
    expect(got.sample['mlruns/0/r069999/metrics/loss']).toBe(`1700000000000 ${1 / 70_000} 0\n`.repeat(3));
  }, 120_000);

  it('reads a lab zip with every zip64 field (local, central, end)', () => {
    const files = new Map<string, Uint8Array>([['a/', new Uint8Array(0)], ['a/x.txt', enc.encode('x'.repeat(5000))], ['b.txt', enc.encode('bee')]]);
    const path = join(work, 'always.zip');
    writeFileSync(path, zipFiles(files, { zip64: 'always' }));
    const got = runPython<Read>('zip64_check.py', ['read', path]);
    expect(got).toMatchObject({ count: 3, bad: null, zip64_end: true });
    expect(got.sample['b.txt']).toBe('bee');
    expect(got.sample['a/x.txt']).toBe('x'.repeat(5000));
  });

  it('reads what Python writes with zip64 headers and more than 65,535 entries', async () => {
    const path = join(work, 'python.zip');
    runPython('zip64_check.py', ['write', path, '66000']);
    const entries = await unzipSafeBlob(new Blob([readFileSync(path)]));
    expect(entries.size).toBe(66_000);
    expect(new TextDecoder().decode(entries.get('dir/f065999.txt'))).toBe('entry 65999 '.repeat(20));
  }, 120_000);
});
