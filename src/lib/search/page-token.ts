/**
 * Page tokens: opaque to callers, base64 of the JSON `{"offset": n}` exactly as MLflow writes
 * them, so tokens from either side decode. Decoding validates everything: a token is
 * untrusted input (it comes back from URLs and REST clients).
 */
import { invalid } from '../util/errors';

export function encodePageToken(offset: number): string {
  return btoa(`{"offset": ${offset}}`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Offset encoded in the token; an absent or empty token means 0. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const bad = (why: string) => invalid(`Invalid page token: ${why}`);
  if (token.length > 1000 || token.length % 4 !== 0 || !BASE64.test(token)) throw bad('not base64');
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(token));
  } catch {
    throw bad('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('not an object');
  const offset: unknown = Object.prototype.hasOwnProperty.call(parsed, 'offset')
    ? (parsed as { offset: unknown }).offset : undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw bad('offset must be a non-negative integer');
  }
  return offset;
}
