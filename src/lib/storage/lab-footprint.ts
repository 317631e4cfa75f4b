/**
 * What the lab keeps in a browser beside the page itself, by name: its IndexedDB databases
 * (`mfflow`, and tests' `mfflow-*`), its Cache Storage caches (`mfflow-shell-<build>`,
 * `mfflow-datasets`) and its localStorage keys (`mfflow:*`, `mfflow.*`). Reset lab erases exactly
 * these, so another app on the same origin (a lab under a sub-path of a shared host) keeps its own.
 */
import { DEFAULT_DB_NAME } from './schema';

const isLabName = (name: string) => name === DEFAULT_DB_NAME || /^mfflow[-:.]/.test(name);

export const isLabDatabase = isLabName;
export const isLabCache = (name: string) => name.startsWith('mfflow-');
export const isLabStorageKey = isLabName;

/** The lab's service worker registration is the one whose scope is the lab's base URL. */
export function isLabRegistration(scope: string, labBase: string): boolean {
  return new URL(scope).href === new URL('./', labBase).href;
}
