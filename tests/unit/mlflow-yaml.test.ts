import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareCodePoints, dumpYaml, parseYamlSafe, type YamlValue } from '../../src/lib/mlflow/yaml';
import { FormatError } from '../../src/lib/mlflow/errors';
import { dictFrom } from '../../src/lib/util/dict';

const F = 'mlruns/1/meta.yaml';

describe('dumpYaml', () => {
  it('writes block style, sorted keys, quoted strings, bare numbers and null', () => {
    const out = dumpYaml({ name: 'x', experiment_id: '0', creation_time: 5, b: null, tags: [], a: { z: 'null', y: 'yes' } });
    expect(out).toBe(
      "a:\n  y: 'yes'\n  z: 'null'\nb: null\ncreation_time: 5\nexperiment_id: '0'\nname: 'x'\ntags: []\n",
    );
  });

  it('sorts by code point like Python, not by UTF-16 unit', () => {
    // U+FF61 sorts after U+1F600 in UTF-16 order but before it by code point.
    expect(compareCodePoints('\u{ff61}', '\u{1f600}')).toBeLessThan(0);
    expect(dumpYaml({ '\u{1f600}': 1, '\u{ff61}': 2 }).indexOf('\u{ff61}')).toBe(0);
  });

  it('keeps a __proto__ key as data', () => {
    const v = dictFrom<YamlValue>([['__proto__', 'x'], ['a', 1]]);
    const back = parseYamlSafe(dumpYaml(v as { [k: string]: YamlValue }), F) as Record<string, YamlValue>;
    expect(Object.getOwnPropertyNames(back).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('refuses non-finite numbers', () => {
    expect(() => dumpYaml({ a: NaN })).toThrow(/non-finite/);
  });

  it('round-trips arbitrary plain data', () => {
    const key = fc.string({ maxLength: 8 });
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
    })).v as fc.Arbitrary<YamlValue>;
    fc.assert(fc.property(value, (v) => {
      const back = parseYamlSafe(dumpYaml(v), F);
      expect(back).toEqual(v);
    }), { numRuns: 500 });
  });
});

describe('parseYamlSafe', () => {
  const err = (src: string, re: RegExp) => {
    let e: unknown;
    try { parseYamlSafe(src, F); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).message).toMatch(re);
    expect((e as FormatError).file).toBe(F);
  };

  it('reads what PyYAML safe_dump writes', () => {
    const v = parseYamlSafe("artifact_location: file:///tmp/mlruns/1\nexperiment_id: '1'\ncreation_time: 1717000000000\nx: .nan\ny: -.inf\nl:\n- a\n- 2\n", F);
    expect(v).toEqual({ artifact_location: 'file:///tmp/mlruns/1', experiment_id: '1', creation_time: 1717000000000, x: NaN, y: -Infinity, l: ['a', 2] });
  });

  // 9 levels of 9 aliases would expand to 387 million nodes: finishing at all means it was
  // refused before expanding (its time is a bench figure, not a test's).
  it('Y1: rejects an alias bomb before expanding it', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'bcdefghi';
    let prev = 'a';
    for (const n of names) {
      lines.push(`${n}: &${n} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
      prev = n;
    }
    err(lines.join('\n'), /alias bomb/);
  });

  it('accepts a few harmless aliases as plain copies', () => {
    const v = parseYamlSafe('a: &x [1, 2]\nb: *x\n', F) as Record<string, number[]>;
    expect(v.b).toEqual([1, 2]);
    expect(v.a).not.toBe(v.b);
  });

  it('Y2: rejects custom tags', () => {
    err('a: !!python/object/apply:os.system ["echo hi"]\n', /TAG_RESOLVE_FAILED/);
    err('a: !!js/function "function(){}"\n', /TAG_RESOLVE_FAILED/);
    err('a: !custom x\n', /TAG_RESOLVE_FAILED/);
  });

  it('rejects duplicate keys, including keys that collide only after stringifying', () => {
    err('a: 1\na: 2\n', /DUPLICATE_KEY|duplicate/);
    err("1: a\n'1': b\n", /duplicate key '1'/);
  });

  it('Y2: does not pollute prototypes through __proto__ or merge keys', () => {
    const v = parseYamlSafe('__proto__: {polluted: 1}\nb:\n  <<: {__proto__: {polluted: 2}}\n', F) as Record<string, YamlValue>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(v)).toContain('__proto__');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it('Y3: caps the size and refuses bad UTF-8 and deep nesting', () => {
    expect(() => parseYamlSafe('a: 1\n'.repeat(300_000), F)).toThrow(/larger than/);
    expect(() => parseYamlSafe(Uint8Array.from([0x61, 0x3a, 0x20, 0xff]), F)).toThrow(/UTF-8/);
    expect(() => parseYamlSafe('['.repeat(200) + ']'.repeat(200), F)).toThrow(FormatError);
  });

  it('Y3: never throws anything but FormatError on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      try { parseYamlSafe(s, F); } catch (e) { expect(e).toBeInstanceOf(FormatError); }
    }), { numRuns: 500 });
  });
});
