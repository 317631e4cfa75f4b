/**
 * Image sizes read from the file header, before any decoding (reliability matrix R5): a 1 MB PNG
 * can declare 50000 × 50000 pixels, and decoding it takes 10 GB. The preview refuses images whose
 * header is unreadable or whose pixel count is over a budget; the download button still works.
 */

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
export interface ImageHeader { type: ImageType; width: number; height: number }

/** 50 megapixels decode to 200 MB of RGBA; real plots and photos stay far below. */
export const IMAGE_PIXEL_BUDGET = 50_000_000;

const u16be = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u16le = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u24le = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
const u32be = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
const ascii = (b: Uint8Array, o: number, s: string) => [...s].every((c, i) => b[o + i] === c.charCodeAt(0));

/** The raster type the magic bytes say, or null. */
export function sniffImage(b: Uint8Array): ImageType | null {
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG\r\n\x1a\n')) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a'))) return 'image/gif';
  if (b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image/webp';
  return null;
}

function png(b: Uint8Array): [number, number] | null {
  // The first chunk must be IHDR: length 13, then width and height as big-endian u32.
  if (b.length < 24 || !ascii(b, 12, 'IHDR')) return null;
  return [u32be(b, 16), u32be(b, 20)];
}

function jpeg(b: Uint8Array): [number, number] | null {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return null;
    const marker = b[o + 1];
    if (marker === 0xff) { o++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { o += 2; continue; } // no length
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame
    const len = u16be(b, o + 2);
    if (len < 2) return null;
    // Start of frame: every SOFn but DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (o + 9 > b.length) return null;
      return [u16be(b, o + 7), u16be(b, o + 5)];
    }
    o += 2 + len;
  }
  return null;
}

function gif(b: Uint8Array): [number, number] | null {
  if (b.length < 13) return null;
  let w = u16le(b, 6);
  let h = u16le(b, 8);
  // Decoders grow the canvas to the first frame when it is larger than the logical screen.
  let o = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
  while (o < b.length) {
    if (b[o] === 0x2c) {
      if (o + 9 >= b.length) return null;
      w = Math.max(w, u16le(b, o + 1) + u16le(b, o + 5));
      h = Math.max(h, u16le(b, o + 3) + u16le(b, o + 7));
      return [w, h];
    }
    if (b[o] !== 0x21) return [w, h];
    o += 2; // extension introducer and label, then sub-blocks up to a zero length
    while (o < b.length && b[o] !== 0) o += b[o] + 1;
    o++;
  }
  return [w, h];
}

function webp(b: Uint8Array): [number, number] | null {
  if (b.length < 30) return null;
  if (ascii(b, 12, 'VP8 ')) {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return [u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff];
  }
  if (ascii(b, 12, 'VP8L')) {
    if (b[20] !== 0x2f) return null;
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (ascii(b, 12, 'VP8X')) return [u24le(b, 24) + 1, u24le(b, 27) + 1];
  return null;
}

/** Type and size from the header alone, or null when the bytes are not a raster image we read. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const type = sniffImage(bytes);
  if (!type) return null;
  const size = type === 'image/png' ? png(bytes) : type === 'image/jpeg' ? jpeg(bytes) : type === 'image/gif' ? gif(bytes) : webp(bytes);
  return size ? { type, width: size[0], height: size[1] } : null;
}

export type ImageCheck = { ok: true; header: ImageHeader } | { ok: false; reason: string };

/** Whether an image may be decoded for a preview, and a sentence when not. */
export function checkImageForPreview(bytes: Uint8Array, budget = IMAGE_PIXEL_BUDGET): ImageCheck {
  const type = sniffImage(bytes);
  if (!type) return { ok: false, reason: 'The file is not a PNG, JPEG, GIF or WebP image.' };
  const header = readImageHeader(bytes);
  const kind = type.slice(6).toUpperCase();
  if (!header) return { ok: false, reason: `The ${kind} header gives no readable size, so it is not decoded.` };
  const { width, height } = header;
  if (width === 0 || height === 0) return { ok: false, reason: `The ${kind} header gives a size of ${width} × ${height} pixels.` };
  const pixels = width * height;
  if (pixels > budget) {
    const mp = (n: number) => `${Math.round(n / 1e6).toLocaleString('en-US')} megapixels`;
    return { ok: false, reason: `The image is ${width.toLocaleString('en-US')} × ${height.toLocaleString('en-US')} pixels (${mp(pixels)}), over the ${mp(budget)} preview limit; download it instead.` };
  }
  return { ok: true, header };
}
