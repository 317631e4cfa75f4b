import { describe, expect, it } from 'vitest';
import { compileFilterText } from '../../src/lib/search/index';
import { filterKey, filterKeys, suggestFilterKeys } from '../../src/lib/ui-model/filter-suggest';

const keys = filterKeys({ metrics: ['rmse', 'r2', 'val loss'], params: ['alpha', 'l1_ratio'], tags: ['team', 'mlflow.user'] });

describe('filter key suggestions', () => {
  it('lists the runs keys, quoting keys that are not plain words so they still parse', () => {
    expect(keys).toContain('metrics.rmse');
    expect(filterKey('metrics', 'val loss')).toBe('metrics.`val loss`');
    for (const k of keys) expect(() => compileFilterText(k.startsWith('metrics.') ? `${k} < 1` : `${k} = '1'`)).not.toThrow();
  });

  it('complete the word under the caret where a key can stand', () => {
    expect(suggestFilterKeys('met', 3, keys).options).toEqual(['metrics.rmse', 'metrics.r2', 'metrics.`val loss`']);
    expect(suggestFilterKeys('metrics.r', 9, keys).options).toEqual(['metrics.rmse', 'metrics.r2']);
    // A bare key name finds its entity.
    expect(suggestFilterKeys('alp', 3, keys).options).toEqual(['params.alpha']);
    const text = "metrics.rmse < 0.8 and par";
    const s = suggestFilterKeys(text, text.length, keys);
    expect(s.options).toEqual(['params.alpha', 'params.l1_ratio']);
    expect(text.slice(0, s.from) + s.options[0] + text.slice(s.to)).toBe('metrics.rmse < 0.8 and params.alpha');
    expect(suggestFilterKeys('(ta', 3, keys).options).toEqual(['tags.team', 'tags.mlflow.user']);
  });

  it('stay quiet inside values, operators, after a complete key, and on an empty word', () => {
    expect(suggestFilterKeys("params.alpha = 'al", 18, keys).options).toEqual([]);
    expect(suggestFilterKeys('metrics.rmse < 0.8', 18, keys).options).toEqual([]);
    expect(suggestFilterKeys('metrics.rmse', 12, keys).options).toEqual([]);
    expect(suggestFilterKeys('', 0, keys).options).toEqual([]);
    expect(suggestFilterKeys('metrics.rmse < 0.8 and ', 23, keys).options).toEqual([]);
    expect(suggestFilterKeys('band', 4, keys).options).toEqual([]);
  });
});
