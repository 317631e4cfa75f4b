/**
 * String-keyed records that are safe for untrusted keys. MLflow allows keys such as
 * `__proto__`, `constructor` or `toString`, so plain `obj[key]` lookups and assignments
 * would hit Object.prototype. Always read with `dictGet`/`dictHas` and write with `dictSet`.
 */
export type Dict<T> = Record<string, T>;

export function newDict<T>(): Dict<T> {
  return {} as Dict<T>;
}

export function dictHas(d: Dict<unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(d, key);
}

export function dictGet<T>(d: Dict<T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(d, key) ? d[key] : undefined;
}

/** Defines an own data property, so `__proto__` is stored as an ordinary key. */
export function dictSet<T>(d: Dict<T>, key: string, value: T): void {
  Object.defineProperty(d, key, { value, writable: true, enumerable: true, configurable: true });
}

export function dictDelete(d: Dict<unknown>, key: string): void {
  if (dictHas(d, key)) delete d[key];
}

export function dictFrom<T>(entries: Iterable<readonly [string, T]>): Dict<T> {
  const d = newDict<T>();
  for (const [k, v] of entries) dictSet(d, k, v);
  return d;
}
