import { expect, it } from 'vitest';
import { fixNavigatorLanguage } from '../../src/ui/locale-fix';

it("a navigator language Intl refuses (WebKitGTK's 'C') is replaced by a tag Intl takes; valid ones are left alone", () => {
  const posix = { language: 'C', languages: ['C'] as readonly string[] };
  expect(() => new Intl.NumberFormat(posix.language)).toThrow(RangeError);
  const tag = fixNavigatorLanguage(posix);
  expect(tag).not.toBeNull();
  expect(posix.language).toBe(tag);
  expect(posix.languages).toEqual([tag]);
  expect(new Intl.NumberFormat(posix.language).format(5000)).toMatch(/^5.?000$/);

  const german = { language: 'de-DE', languages: ['de-DE', 'en'] as readonly string[] };
  expect(fixNavigatorLanguage(german)).toBeNull();
  expect(german).toEqual({ language: 'de-DE', languages: ['de-DE', 'en'] });
});
