import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closestKey, editDistance, filterMessage, withoutPosition } from '../../src/lib/ui-model/filter-messages';

const known = { metrics: ['rmse', 'r2', 'mae', 'train_rmse', 'val_loss'], params: ['alpha', 'l1_ratio'], tags: ['team'] };

describe('unknown keys in a filter', () => {
  it('names an unknown metric and suggests the close one', () => {
    expect(filterMessage('metrics.rsme < 0.8', known)).toEqual({
      text: 'At character 1: no run has metric `rsme`; did you mean `rmse`?', position: 0, length: 12, severity: 'unknown',
    });
  });
  it('names an unknown parameter after AND, with its own position', () => {
    const m = filterMessage("metrics.rmse < 0.8 and params.aplha = '0.5'", known)!;
    expect(m.text).toBe('At character 24: no run has parameter `aplha`; did you mean `alpha`?');
    expect(m.position).toBe(23);
    expect(m.severity).toBe('unknown');
  });
  it('says no suggestion when nothing is close', () => {
    expect(filterMessage('metrics.accuracy > 0.9', known)!.text).toBe('At character 1: no run has metric `accuracy`');
  });
  it('is quiet for known keys, IS NULL on any key, tags, attributes, and without the runs\' keys', () => {
    expect(filterMessage("metrics.rmse < 0.8 and params.alpha = '0.5'", known)).toBeNull();
    expect(filterMessage('params.aplha IS NULL', known)).toBeNull();
    expect(filterMessage("tags.reviewed = 'yes'", known)).toBeNull();
    expect(filterMessage("attributes.status = 'FINISHED'", known)).toBeNull();
    expect(filterMessage('metrics.rsme < 0.8')).toBeNull();
    expect(filterMessage('   ', known)).toBeNull();
  });
  it('a syntax error comes first, blocking, in the same wording (1-based character)', () => {
    const m = filterMessage('metrics.rmse 0.8', known)!;
    expect(m).toMatchObject({ severity: 'error', position: 13, length: 3 });
    expect(m.text).toBe('At character 14: Expected a comparison operator after `metrics.rmse`, found `0.8`');
    expect(filterMessage("metrics.rmse > '0.8'", known)!.text).toMatch(/^At character 16: Metrics compare with numbers: `'0.8'` is a string$/);
    expect(filterMessage("(params.a = 'x'", known)!.text).toBe('At character 1: Missing `)` to close the `(`');
  });
  it('no parser message keeps a position phrase of its own', () => {
    const samples = ['metrics.rmse 0.8', "metrics.rmse > '0.8'", "params.a = 'x' params.b = 'y'", "(params.a = 'x'", "params.a = 'x",
      'metrics.rmse == 1', 'metrics.rmse ! 1', 'metrics.rmse < 1.2.3', 'foo.bar = 1', 'a)', 'metrics. = 1', '#'];
    for (const s of samples) {
      const m = filterMessage(s, known);
      expect(m, s).not.toBeNull();
      expect(m!.text, s).not.toMatch(/position/);
      expect(m!.text, s).toMatch(/^At character \d+: /);
    }
  });
});

describe('suggestions', () => {
  it('swaps, slips and case count as close; far words do not', () => {
    expect(closestKey('rsme', known.metrics)).toBe('rmse');
    expect(closestKey('RMSE', known.metrics)).toBe('rmse');
    expect(closestKey('val_los', known.metrics)).toBe('val_loss');
    expect(closestKey('mea', known.metrics)).toBe('mae');
    expect(closestKey('r', ['rmse'])).toBeUndefined();
    expect(closestKey('accuracy', known.metrics)).toBeUndefined();
    expect(closestKey('x', [])).toBeUndefined();
  });
  it('edit distance: a transposition is one edit; symmetric; zero only for equal strings', () => {
    expect(editDistance('rsme', 'rmse')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    fc.assert(fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
      const d = editDistance(a, b);
      return d === editDistance(b, a) && (d === 0) === (a === b) && d <= Math.max(a.length, b.length);
    }));
  });
  it('withoutPosition drops both phrasings', () => {
    expect(withoutPosition('Unexpected `!` at position 5; did you mean `!=`?')).toBe('Unexpected `!`; did you mean `!=`?');
    expect(withoutPosition("Metrics compare with numbers: `'0.8'` is a string (position 15)")).toBe("Metrics compare with numbers: `'0.8'` is a string");
  });
});
