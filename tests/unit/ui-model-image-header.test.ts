import fc from 'fast-check';
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { IMAGE_PIXEL_BUDGET, checkImageForPreview, readImageHeader } from '../../src/lib/ui-model/image-header';

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: (Uint8Array | number[])[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];

/** A PNG whose IHDR declares w × h and whose IDAT is a little deflated zeros (a decompression bomb's shape). */
function png(w: number, h: number): Uint8Array {
  const ihdr = cat(enc('IHDR'), be32(w), be32(h), [8, 6, 0, 0, 0]);
  const idat = cat(enc('IDAT'), deflateSync(new Uint8Array(1 << 16)));
  return cat([0x89], enc('PNG\r\n\x1a\n'), be32(13), ihdr, [0, 0, 0, 0], be32(idat.length - 4), idat, [0, 0, 0, 0]);
}
/** A JPEG with an APP0 segment, then a baseline frame header of w × h. */
function jpeg(w: number, h: number, sof = 0xc0): Uint8Array {
  const app0 = cat([0xff, 0xe0], [0, 16], enc('JFIF\0'), [1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const dqt = cat([0xff, 0xc4], [0, 4], [0, 0]); // a DHT (C4) must not be read as a frame
  return cat([0xff, 0xd8], app0, dqt, [0xff, sof, 0, 11, 8, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0]);
}
function gif(screenW: number, screenH: number, frame?: [number, number, number, number]): Uint8Array {
  const head = cat(enc('GIF89a'), le16(screenW), le16(screenH), [0x80, 0, 0], new Uint8Array(6)); // 2-colour table
  const gce = [0x21, 0xf9, 4, 0, 0, 0, 0, 0];
  const desc = frame ? cat([0x2c], le16(frame[0]), le16(frame[1]), le16(frame[2]), le16(frame[3]), [0]) : new Uint8Array();
  return cat(head, gce, desc, [0x3b]);
}
const riff = (chunk: Uint8Array) => cat(enc('RIFF'), le32(chunk.length + 4), enc('WEBP'), chunk);
const vp8 = (w: number, h: number) => riff(cat(enc('VP8 '), le32(10), [0, 0, 0, 0x9d, 0x01, 0x2a], le16(w), le16(h)));
const vp8l = (w: number, h: number) => {
  const bits = ((w - 1) | ((h - 1) << 14)) >>> 0;
  return riff(cat(enc('VP8L'), le32(5), [0x2f], le32(bits), [0, 0, 0, 0, 0]));
};
const vp8x = (w: number, h: number) => riff(cat(enc('VP8X'), le32(10), [0, 0, 0, 0],
  [(w - 1) & 255, ((w - 1) >> 8) & 255, ((w - 1) >> 16) & 255, (h - 1) & 255, ((h - 1) >> 8) & 255, ((h - 1) >> 16) & 255]));

describe('R5: image sizes from the header, before decoding', () => {
  it('R5: reads width and height of PNG, JPEG (any frame type), GIF and WebP (lossy, lossless, extended)', () => {
    const onePx = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));
    expect(readImageHeader(onePx)).toEqual({ type: 'image/png', width: 1, height: 1 });
    expect(readImageHeader(png(640, 480))).toEqual({ type: 'image/png', width: 640, height: 480 });
    expect(readImageHeader(jpeg(1024, 768))).toEqual({ type: 'image/jpeg', width: 1024, height: 768 });
    expect(readImageHeader(jpeg(300, 200, 0xc2))).toEqual({ type: 'image/jpeg', width: 300, height: 200 });
    expect(readImageHeader(gif(40, 30))).toEqual({ type: 'image/gif', width: 40, height: 30 });
    expect(readImageHeader(vp8(800, 600))).toEqual({ type: 'image/webp', width: 800, height: 600 });
    expect(readImageHeader(vp8l(16383, 2))).toEqual({ type: 'image/webp', width: 16383, height: 2 });
    expect(readImageHeader(vp8x(20000, 30000))).toEqual({ type: 'image/webp', width: 20000, height: 30000 });
  });

  it('R5: a GIF frame larger than its logical screen counts with the frame size', () => {
    expect(readImageHeader(gif(1, 1, [0, 0, 60000, 60000]))).toEqual({ type: 'image/gif', width: 60000, height: 60000 });
  });

  it('R5: refuses a 50000 × 50000 PNG bomb and other images over the pixel budget, with a sentence', () => {
    const bomb = png(50_000, 50_000);
    expect(bomb.length).toBeLessThan(1000);
    const r = checkImageForPreview(bomb);
    expect(r).toEqual({ ok: false, reason: 'The image is 50,000 × 50,000 pixels (2,500 megapixels), over the 50 megapixels preview limit; download it instead.' });
    for (const img of [jpeg(65535, 65535), gif(1, 1, [0, 0, 9000, 9000]), vp8x(16384, 16384)]) expect(checkImageForPreview(img).ok).toBe(false);
    expect(checkImageForPreview(png(7071, 7071)).ok).toBe(true); // just under 50 MP
    expect(checkImageForPreview(png(7072, 7072)).ok).toBe(false);
    expect(7071 * 7071).toBeLessThan(IMAGE_PIXEL_BUDGET);
  });

  it('R5: refuses headers that give no size, a zero size, and files that are no image', () => {
    expect(checkImageForPreview(png(640, 480).subarray(0, 20))).toEqual({ ok: false, reason: 'The PNG header gives no readable size, so it is not decoded.' });
    expect(checkImageForPreview(cat([0xff, 0xd8, 0xff, 0xd9]))).toMatchObject({ ok: false, reason: expect.stringContaining('JPEG header gives no readable size') });
    expect(checkImageForPreview(png(0, 10))).toEqual({ ok: false, reason: 'The PNG header gives a size of 0 × 10 pixels.' });
    expect(checkImageForPreview(enc('<svg onload="alert(1)">'))).toEqual({ ok: false, reason: 'The file is not a PNG, JPEG, GIF or WebP image.' });
  });

  it('R5: never throws on arbitrary bytes after any magic, and passes nothing over the budget (property)', () => {
    const magics = [png(1, 1).subarray(0, 8), Uint8Array.of(0xff, 0xd8, 0xff), enc('GIF89a'), cat(enc('RIFF'), [0, 0, 0, 0], enc('WEBP'))];
    fc.assert(fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 200 }), (magic, tail) => {
      const r = checkImageForPreview(cat(magic, tail));
      expect(typeof r.ok).toBe('boolean');
      if (r.ok) expect(r.header.width * r.header.height).toBeLessThanOrEqual(IMAGE_PIXEL_BUDGET);
    }), { numRuns: 2000 });
  });
});
