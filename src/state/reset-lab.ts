/**
 * Reset lab: erases everything the lab keeps in this browser (lib/storage/lab-footprint): its
 * IndexedDB databases, caches, service worker registration and settings, then loads the lab
 * again at its welcome page. The page offers an export first (ResetLab.svelte). Other tabs of
 * the lab close their connections when the database is deleted (they say their data is gone);
 * one that does not answer within BLOCKED_MS makes the reset stop with a sentence saying so.
 */
import { isLabCache, isLabDatabase, isLabRegistration, isLabStorageKey } from '../lib/storage/lab-footprint';
import { DEFAULT_DB_NAME } from '../lib/storage/schema';
import { lab } from './lab.svelte';

const BLOCKED_MS = 10_000;

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    const timer = setTimeout(() => reject(new Error(`Database "${name}" is still open in another tab of the lab. Close the lab's other tabs and choose Reset again.`)), BLOCKED_MS);
    req.onsuccess = () => { clearTimeout(timer); resolve(); };
    req.onerror = () => { clearTimeout(timer); reject(req.error ?? new Error(`Database "${name}" could not be deleted.`)); };
  });
}

async function labDatabases(): Promise<string[]> {
  // indexedDB.databases() is in every current engine; an older one gets the lab's own name.
  if (typeof indexedDB.databases !== 'function') return [DEFAULT_DB_NAME];
  const names = (await indexedDB.databases()).map((d) => d.name).filter((n): n is string => !!n && isLabDatabase(n));
  return names.includes(DEFAULT_DB_NAME) ? names : [DEFAULT_DB_NAME, ...names];
}

function clearKeys(storage: Storage): void {
  for (const key of Object.keys(storage)) if (isLabStorageKey(key)) storage.removeItem(key);
}

/** What was erased, for the page to say (it is gone the moment the page reloads). */
export interface ResetReport { databases: string[]; caches: string[]; serviceWorkers: number }

export async function eraseLab(): Promise<ResetReport> {
  // This page's connection first, or deleting the database would wait on ourselves.
  if (lab.phase === 'ready') lab.store.close();
  const databases = await labDatabases();
  for (const name of databases) await deleteDatabase(name);
  const cacheNames = typeof caches === 'undefined' ? [] : (await caches.keys()).filter(isLabCache);
  for (const name of cacheNames) await caches.delete(name);
  let serviceWorkers = 0;
  if ('serviceWorker' in navigator) {
    for (const reg of await navigator.serviceWorker.getRegistrations()) {
      if (isLabRegistration(reg.scope, document.baseURI) && (await reg.unregister())) serviceWorkers++;
    }
  }
  // Last: the store's run-count marker is written a second after a change, and must not survive.
  clearKeys(localStorage);
  clearKeys(sessionStorage);
  return { databases, caches: cacheNames, serviceWorkers };
}

/** Loads the lab afresh at its welcome page (no route: the welcome shows when nothing is stored). */
export function reloadClean(): void {
  // A timer of this page (the run-count marker) may still write before it unloads: cleared again.
  addEventListener('pagehide', () => clearKeys(localStorage));
  clearKeys(localStorage);
  location.replace(new URL('./', document.baseURI).href);
}
