/**
 * How the run page previews an artifact. Artifacts are untrusted bytes (docs/reliability.md §4):
 * - raster images are shown from blob URLs only when their magic bytes say PNG, JPEG, GIF or WebP
 *   (the extension alone could make us label an SVG or HTML document as an image), and only when
 *   their header's size is within a pixel budget (image-header.ts);
 * - SVG is shown only as an <img> from a `data:` URL (SVG-as-image runs no script, and a
 *   data: URL never gets our origin if someone opens it in a tab, unlike a blob: URL);
 * - HTML goes into an <iframe sandbox> via srcdoc, never with allow-same-origin;
 * - everything else is text, shown as text, truncated past a limit.
 */

import { sniffImage, type ImageType } from './image-header';

export type PreviewKind = 'image' | 'svg' | 'html' | 'json' | 'yaml' | 'csv' | 'mlmodel' | 'text' | 'binary';

/** Text previews stop here (a notice says so); the download button gives the whole file. */
export const TEXT_PREVIEW_BYTES = 256 * 1024;
export const CSV_PREVIEW_ROWS = 200;

const TEXT_EXT = new Set([
  'txt', 'log', 'md', 'py', 'r', 'sh', 'ts', 'js', 'ini', 'cfg', 'toml', 'conf', 'tsv', 'xml', 'sql', 'ipynb', 'requirements',
]);

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The preview to try for a path; `detectImage` confirms 'image' against the bytes. */
export function previewKindForPath(path: string): PreviewKind {
  const name = baseName(path);
  if (name === 'MLmodel') return 'mlmodel';
  const ext = extensionOf(path);
  switch (ext) {
    case 'png': case 'jpg': case 'jpeg': case 'gif': case 'webp': return 'image';
    case 'svg': return 'svg';
    case 'html': case 'htm': return 'html';
    case 'json': return 'json';
    case 'yaml': case 'yml': return 'yaml';
    case 'csv': return 'csv';
  }
  if (TEXT_EXT.has(ext) || ext === '' || name === 'requirements.txt') return 'text';
  return 'binary';
}

/** The raster image type the bytes really are, or null (sizes: image-header.ts). */
export function detectImage(bytes: Uint8Array): ImageType | null {
  return sniffImage(bytes);
}

/** True when bytes look like text (no NUL in the first 8 KiB), for files without a known type. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return false;
  return true;
}

/** Decodes at most `limit` bytes as UTF-8 (replacing bad sequences), saying whether it cut. */
export function textPreview(bytes: Uint8Array, limit = TEXT_PREVIEW_BYTES): { text: string; truncated: boolean } {
  const truncated = bytes.length > limit;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(truncated ? bytes.subarray(0, limit) : bytes);
  // A cut may split a multi-byte character; drop the replacement char it leaves at the end.
  return { text: truncated ? text.replace(/\uFFFD$/, '') : text, truncated };
}

/** Pretty JSON when it parses, otherwise null (the caller shows the raw text). */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** A `data:image/svg+xml;base64,...` URL for showing untrusted SVG inside an <img>. */
export function svgDataUrl(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/svg+xml;base64,${btoa(bin)}`;
}

/**
 * The first rows of a CSV text for a preview table: RFC 4180 quoting, `,` or the given
 * delimiter, CRLF or LF. Not the data loader (that is lib/data); ragged rows are kept as is.
 */
export function csvPreviewRows(text: string, maxRows = CSV_PREVIEW_ROWS, delimiter = ','): { rows: string[][]; more: boolean } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  const endRow = () => { row.push(cell); cell = ''; rows.push(row); row = []; };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      cell += ch; i++; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i++; continue; }
    if (ch === delimiter) { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (rows.length > maxRows + 1) return { rows: rows.slice(0, maxRows + 1), more: true };
      continue;
    }
    cell += ch; i++;
  }
  if (cell !== '' || row.length > 0) endRow();
  // rows[0] is the header; maxRows counts data rows.
  return { rows: rows.slice(0, maxRows + 1), more: rows.length > maxRows + 1 };
}

/** Human-readable byte size. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
