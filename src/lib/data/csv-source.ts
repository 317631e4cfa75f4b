/**
 * Turns every input the lab accepts (a string, a File/Blob, a fetched ReadableStream or any async
 * iterable of chunks) into one stream of decoded text pieces, counting bytes for progress and
 * enforcing the size cap while reading, so a 500 MB file is never held as one string.
 */
import { CsvError } from './csv-errors';

export type CsvSource =
  | string
  | Blob
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

export interface TextPiece {
  text: string;
  /** Bytes consumed from the source so far (UTF-8 bytes for text sources). */
  loaded: number;
}

export interface SourceInfo {
  /** Total size in bytes when known (Blob size, Content-Length, or given by the caller). */
  total?: number;
  pieces: AsyncIterable<TextPiece>;
}

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

export function openSource(
  source: CsvSource,
  opts: { maxBytes: number; totalBytes?: number; encoding?: string; pieceChars: number },
): SourceInfo {
  const { maxBytes } = opts;
  let total = opts.totalBytes;
  if (typeof source === 'string') {
    total = utf8Length(source);
  } else if (isBlob(source)) {
    total = source.size;
  }
  if (total !== undefined && total > maxBytes) throw tooLarge(total, maxBytes);

  if (typeof source === 'string') return { total, pieces: stringPieces(source, opts.pieceChars) };
  const raw: AsyncIterable<Uint8Array | string> = isBlob(source)
    ? readableIterable(source.stream() as ReadableStream<Uint8Array>)
    : isReadableStream(source)
      ? readableIterable(source)
      : source;
  return { total, pieces: decodePieces(raw, maxBytes, opts.encoding ?? 'utf-8') };
}

function tooLarge(size: number, cap: number): CsvError {
  return new CsvError(
    'too-large',
    `The file is ${formatMB(size)}, over the ${formatMB(cap)} limit for a dataset in the browser. ` +
      'Use a smaller sample of the data.',
  );
}

function formatMB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array | string> {
  return typeof (x as ReadableStream).getReader === 'function';
}

async function* readableIterable<T>(stream: ReadableStream<T>): AsyncIterable<T> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops a fetch or file read when the parser gives up early (error or cancel).
    reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* stringPieces(text: string, pieceChars: number): AsyncIterable<TextPiece> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let loaded = start ? 3 : 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + pieceChars);
    // Keep surrogate pairs whole so byte counts stay right.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end++;
    const piece = text.slice(start, end);
    loaded += utf8Length(piece);
    start = end;
    yield { text: piece, loaded };
  }
}

async function* decodePieces(
  raw: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
  encoding: string,
): AsyncIterable<TextPiece> {
  // TextDecoder drops a leading UTF-8 BOM by default; `stream: true` keeps multi-byte
  // characters that straddle two chunks intact.
  const decoder = new TextDecoder(encoding);
  let loaded = 0;
  let first = true;
  for await (const chunk of raw) {
    let text: string;
    if (typeof chunk === 'string') {
      text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      loaded += utf8Length(chunk);
    } else {
      text = decoder.decode(chunk, { stream: true });
      loaded += chunk.byteLength;
    }
    first = false;
    if (loaded > maxBytes) throw tooLarge(loaded, maxBytes);
    if (text) yield { text, loaded };
  }
  const tail = decoder.decode();
  if (tail) yield { text: tail, loaded };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** UTF-8 byte length without allocating an encoded copy. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
