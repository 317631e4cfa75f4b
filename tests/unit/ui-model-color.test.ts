import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, runColor, runColorIndex } from '../../src/lib/ui-model/run-color';

describe('runColor', () => {
  it('is a pure function of the run id', () => {
    fc.assert(fc.property(fc.string(), (id) => {
      expect(runColor(id)).toBe(runColor(String(id)));
      expect(RUN_PALETTE).toContain(runColor(id));
    }));
  });

  it('spreads 32-hex run ids over the whole palette', () => {
    const counts = new Array<number>(RUN_PALETTE.length).fill(0);
    const hex = '0123456789abcdef';
    let seed = 12345;
    for (let n = 0; n < 12_000; n++) {
      let id = '';
      for (let i = 0; i < 32; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        id += hex[(seed >>> 16) & 15];
      }
      counts[runColorIndex(id)]++;
    }
    // Every colour is used, and none more than twice as often as a fair share.
    for (const c of counts) {
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThan(2 * 12_000 / RUN_PALETTE.length);
    }
  });

  it('keeps a known id on a fixed colour (charts and tables saved as screenshots stay comparable)', () => {
    // FNV-1a of "a" is 0xe40c292c = 3826002220; 3826002220 % 12 = 4.
    expect(runColorIndex('a')).toBe(3826002220 % 12);
    expect(runColor('a')).toBe(RUN_PALETTE[4]);
  });

  it('uses distinct, valid hex colours', () => {
    expect(new Set(RUN_PALETTE).size).toBe(RUN_PALETTE.length);
    for (const c of RUN_PALETTE) expect(c).toMatch(/^#[0-9A-F]{6}$/);
  });
});
