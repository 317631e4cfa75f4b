import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const enc = new TextEncoder();

/** The content hash recorded with a run's code: sha256 over sorted `path\0bytes` records. */
export function filesDigest(files: Map<string, Uint8Array>): string {
  const names = [...files.keys()].sort();
  const parts: Uint8Array[] = [];
  for (const n of names) {
    parts.push(enc.encode(`${n}\0${files.get(n)!.byteLength}\0`), files.get(n)!);
  }
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { all.set(p, o); o += p.byteLength; }
  return bytesToHex(sha256(all));
}
