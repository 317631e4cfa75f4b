/**
 * The model registry on IndexedDB: one `registeredModels` record per model (schema v3), edited
 * with the pure rules of src/lib/registry/model-registry.ts inside one transaction each, so a
 * failed write leaves the old record. Registries are small (tens of models, hundreds of
 * versions), so there is no cache: every read goes to IndexedDB.
 */
import type { ModelVersion, RegisteredModel } from '../mlflow/bundle';
import {
  createVersion, deleteAlias, deleteModelTag, deleteVersion, deleteVersionTag, latestVersions, newRegisteredModel,
  renameModel, resolveInModel, storedFromBundle, setAlias, setModelTag, setVersionTag, transitionStage, updateModelDescription,
  updateVersionDescription, versionArtifacts, versionByAlias, getVersion,
  type NewModelOptions, type NewVersionOptions, type StoredRegisteredModel,
} from '../registry/model-registry';
import { parseModelUri, parseRunsUri } from '../registry/uri';
import { validateModelName } from '../registry/validate';
import { exists, invalid, notFound } from '../util/errors';
import { Connection, type StorageCallbacks, type Tx } from './db';
import { DEFAULT_DB_NAME } from './schema';

export interface RegistryStoreOptions extends StorageCallbacks {
  dbName?: string;
  blockedTimeoutMs?: number;
  now?: () => number;
}

/** What a model URI points at: a run's artifact folder (or the version that names one). */
export interface ResolvedModelUri {
  runId: string;
  artifactPath: string;
  /** Set when the URI went through the registry. */
  version?: ModelVersion & { name: string };
}

type ModelsTx = Tx<['registeredModels'], 'readwrite'>;

export class RegistryStore {
  /**
   * Over a connection the caller owns (the page's is the TrackingStore's: `store.registry`);
   * `committed` hears the names of the models each write changed (the store's change feed).
   */
  constructor(private readonly conn: Connection, private readonly clock: () => number = Date.now,
    private readonly committed: (names: string[]) => void = () => undefined) {}

  /** Its own connection (tests, tools); the page uses the TrackingStore's `registry`. */
  static async open(options: RegistryStoreOptions = {}): Promise<RegistryStore> {
    const conn = await Connection.open({ ...options, name: options.dbName ?? DEFAULT_DB_NAME });
    return new RegistryStore(conn, options.now);
  }

  close(): void {
    this.conn.close();
  }

  /** One write transaction on the models; once it commits, the feed hears which names changed. */
  private async write<T>(names: string[] | ((out: T) => string[]), what: () => string, body: (tx: ModelsTx) => Promise<T>): Promise<T> {
    const out = await this.conn.write(['registeredModels'], what, body);
    const changed = typeof names === 'function' ? names(out) : names;
    if (changed.length) this.committed(changed);
    return out;
  }

  private notFoundModel(name: string): Error {
    return notFound(`Registered Model with name=${name} not found`);
  }

  async getRegisteredModel(name: string): Promise<StoredRegisteredModel> {
    validateModelName(name);
    const m = await this.conn.read(['registeredModels'], (tx) => tx.objectStore('registeredModels').get(name));
    if (!m) throw this.notFoundModel(name);
    return m;
  }

  /** Every registered model, by name. */
  async listRegisteredModels(): Promise<StoredRegisteredModel[]> {
    return this.conn.read(['registeredModels'], (tx) => tx.objectStore('registeredModels').getAll());
  }

  async createRegisteredModel(name: string, o: NewModelOptions = {}): Promise<StoredRegisteredModel> {
    const m = newRegisteredModel(name, this.clock(), o);
    return this.write([name], () => `registered model "${name}"`, async (tx) => {
      const store = tx.objectStore('registeredModels');
      if (await store.get(name)) throw exists(`Registered Model (name=${name}) already exists.`);
      await store.put(m);
      return m;
    });
  }

  /** Reads the model, applies `edit` and writes the result, all in one transaction. */
  private async edit<T>(name: string, what: string, edit: (m: StoredRegisteredModel, now: number) => [StoredRegisteredModel, T]): Promise<T> {
    validateModelName(name);
    const now = this.clock();
    return this.write([name], () => what, async (tx) => {
      const store = tx.objectStore('registeredModels');
      const m = await store.get(name);
      if (!m) throw this.notFoundModel(name);
      const [next, out] = edit(m, now);
      if (next !== m) await store.put(next);
      return out;
    });
  }

  /**
   * A new version. With `createModel`, a missing model is created first in the same transaction
   * (what `mlflow.register_model` does).
   */
  async createModelVersion(name: string, o: NewVersionOptions, createModel = false): Promise<ModelVersion> {
    validateModelName(name);
    const now = this.clock();
    return this.write([name], () => `a version of registered model "${name}"`, async (tx) => {
      const store = tx.objectStore('registeredModels');
      let m = await store.get(name);
      if (!m) {
        if (!createModel) throw this.notFoundModel(name);
        m = newRegisteredModel(name, now);
      }
      const [next, v] = createVersion(m, o, now);
      await store.put(next);
      return v;
    });
  }

  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    return getVersion(await this.getRegisteredModel(name), version);
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return latestVersions(await this.getRegisteredModel(name), stages);
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return versionByAlias(await this.getRegisteredModel(name), alias);
  }

  async setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void> {
    return this.edit(name, `alias ${alias} of "${name}"`, (m, now) => [setAlias(m, alias, version, now), undefined]);
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.edit(name, `alias ${alias} of "${name}"`, (m, now) => [deleteAlias(m, alias, now), undefined]);
  }

  async transitionModelVersionStage(name: string, version: number | string, stage: string, archiveExistingVersions = false): Promise<ModelVersion> {
    return this.edit(name, `the stage of "${name}" v${version}`, (m, now) => transitionStage(m, version, stage, archiveExistingVersions, now));
  }

  async updateModelVersion(name: string, version: number | string, description: string): Promise<ModelVersion> {
    return this.edit(name, `"${name}" v${version}`, (m, now) => updateVersionDescription(m, version, description, now));
  }

  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    return this.edit(name, `the deletion of "${name}" v${version}`, (m, now) => [deleteVersion(m, version, now), undefined]);
  }

  async setModelVersionTag(name: string, version: number | string, key: string, value: string): Promise<void> {
    return this.edit(name, `a tag of "${name}" v${version}`, (m, now) => [setVersionTag(m, version, key, value, now), undefined]);
  }

  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    return this.edit(name, `a tag of "${name}" v${version}`, (m, now) => [deleteVersionTag(m, version, key, now), undefined]);
  }

  async updateRegisteredModel(name: string, description: string): Promise<StoredRegisteredModel> {
    return this.edit(name, `registered model "${name}"`, (m, now) => { const n = updateModelDescription(m, description, now); return [n, n]; });
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    return this.edit(name, `a tag of "${name}"`, (m, now) => [setModelTag(m, key, value, now), undefined]);
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.edit(name, `a tag of "${name}"`, (m, now) => [deleteModelTag(m, key, now), undefined]);
  }

  async renameRegisteredModel(name: string, newName: string): Promise<StoredRegisteredModel> {
    validateModelName(name);
    const now = this.clock();
    return this.write([name, newName], () => `the rename of "${name}"`, async (tx) => {
      const store = tx.objectStore('registeredModels');
      const m = await store.get(name);
      if (!m) throw this.notFoundModel(name);
      const next = renameModel(m, newName, now);
      if (newName === name) return m;
      if (await store.get(newName)) throw exists(`Registered Model (name=${newName}) already exists.`);
      await store.delete(name);
      await store.put(next);
      return next;
    });
  }

  /** Deletes the model with all its versions, tags and aliases. */
  async deleteRegisteredModel(name: string): Promise<void> {
    validateModelName(name);
    return this.write([name], () => `the deletion of "${name}"`, async (tx) => {
      const store = tx.objectStore('registeredModels');
      if (!(await store.get(name))) throw this.notFoundModel(name);
      await store.delete(name);
    });
  }

  /**
   * Adds the registered models of an imported bundle in one transaction. A model whose name is
   * taken is skipped (and named in the result) unless `replace`; nothing is written if any
   * model is invalid.
   */
  async importRegisteredModels(models: readonly RegisteredModel[], replace = false): Promise<{ added: string[]; skipped: string[] }> {
    const records = models.map(storedFromBundle);
    return this.write((r: { added: string[] }) => r.added, () => `${records.length} registered models`, async (tx) => {
      const store = tx.objectStore('registeredModels');
      const added: string[] = [], skipped: string[] = [];
      for (const r of records) {
        if (!replace && (await store.get(r.name))) { skipped.push(r.name); continue; }
        await store.put(r);
        added.push(r.name);
      }
      return { added, skipped };
    });
  }

  /** Versions made from a run's models, for the run page. */
  async versionsOfRun(runId: string): Promise<(ModelVersion & { name: string })[]> {
    const out: (ModelVersion & { name: string })[] = [];
    for (const m of await this.listRegisteredModels()) for (const v of m.versions) if (v.runId === runId) out.push({ ...v, name: m.name });
    return out;
  }

  /** `models:/…` (version, alias, latest, stage) or `runs:/…` → the run artifact folder to load. */
  async resolveModelUri(uri: string): Promise<ResolvedModelUri> {
    if (/^runs:/i.test(uri)) return parseRunsUri(uri);
    const parsed = parseModelUri(uri);
    if (parsed.kind === 'modelId') throw invalid(`${uri} names an MLflow 3 logged model; the lab registers run models only.`);
    const m = await this.getRegisteredModel(parsed.name);
    const v = resolveInModel(m, parsed);
    const where = versionArtifacts(v);
    if (!where) throw invalid(`Version ${v.version} of "${m.name}" comes from ${v.source}, which is not a run of this lab.`);
    return { ...where, version: { ...v, name: m.name } };
  }
}
