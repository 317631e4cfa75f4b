/**
 * Projects kept in the lab (schema v5): the script editor's "Keep in lab" saves a project's zip
 * here by name; the Projects page lists them and opens them as `saved/<name>`. Apart from runs:
 * exports of runs never read this store.
 */
import type { Connection } from './db';
import type { SavedProjectRecord } from './schema';

export class ProjectStore {
  /** On the tracking store's connection (`TrackingStore.projects`): one connection per page. */
  constructor(private readonly conn: Connection) {}

  /** Names and times, newest first (the zips stay in the store until one is opened). */
  async list(): Promise<{ name: string; savedAt: number }[]> {
    const all = await this.conn.read(['savedProjects'], (tx) => tx.objectStore('savedProjects').getAll());
    return all.map(({ name, savedAt }) => ({ name, savedAt })).sort((a, b) => b.savedAt - a.savedAt || a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<SavedProjectRecord | undefined> {
    return this.conn.read(['savedProjects'], (tx) => tx.objectStore('savedProjects').get(name));
  }

  /** Saves (or replaces) the project `name`. */
  async put(name: string, zip: Uint8Array): Promise<void> {
    const record: SavedProjectRecord = { name, savedAt: Date.now(), zip: zip.slice().buffer as ArrayBuffer };
    await this.conn.write(['savedProjects'], () => `project "${name}"`, (tx) => tx.objectStore('savedProjects').put(record));
  }

  async delete(name: string): Promise<void> {
    await this.conn.write(['savedProjects'], () => `the removal of project "${name}"`, (tx) => tx.objectStore('savedProjects').delete(name));
  }
}
