/** Workshop links: what the dialog builds is what the Projects page reads back, for any values. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildWorkshopLink, linkable, readWorkshopLink } from '../../src/lib/projects/workshop-link';

describe('workshop links', () => {
  it('round-trip project, entry point, -P values, experiment and import URL (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(fc.property(name, fc.dictionary(name, fc.string({ minLength: 1, maxLength: 12 })), fc.option(name, { nil: undefined }), fc.option(name, { nil: undefined }),
      (entry, params, experiment, importUrl) => {
        const link = { project: 'https://example.org/p.zip', entryPoint: entry, params, experiment, importUrl };
        const url = buildWorkshopLink('https://lab.example/sub/path/', link);
        expect(url.startsWith('https://lab.example/sub/path/?project=')).toBe(true);
        const back = readWorkshopLink(new URL(url).searchParams)!;
        expect(back.project).toBe(link.project);
        expect(back.entryPoint).toBe(entry === 'main' ? undefined : entry);
        expect(back.params).toEqual({ ...params });
        expect(back.experiment).toBe(experiment || undefined);
        expect(back.importUrl).toBe(importUrl || undefined);
      }));
  });
  it('needs a project, and only carries examples and http(s) URLs', () => {
    expect(readWorkshopLink(new URLSearchParams('P.alpha=1'))).toBeNull();
    expect(linkable('examples/sklearn_elasticnet_wine')).toBe(true);
    expect(linkable('https://x.org/MLproject')).toBe(true);
    expect(linkable('my-project.zip')).toBe(false);
    expect(linkable('javascript:alert(1)')).toBe(false);
  });
});
