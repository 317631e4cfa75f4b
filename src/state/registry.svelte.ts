/**
 * The model registry for the page: a reactive list of registered models, the edits the Models
 * page offers, and the files behind a model URI. Edits go through the tracking store's registry
 * (its connection, one transaction each); every write, here or in another tab, an edit or an
 * import, comes back on the store's change feed and the list is read again.
 */
import type { ModelVersion } from '../lib/mlflow/bundle';
import { runModelSource, type StoredRegisteredModel } from '../lib/registry/model-registry';
import type { RegistryStore, ResolvedModelUri } from '../lib/storage/registry-store';
import type { ModelFiles } from '../lib/serving/worker-api';
import { lab } from './lab.svelte';
import { errorMessage } from '../lib/util/errors';
import { readMlmodel, type MlmodelView } from '../lib/ui-model/mlmodel-view';

export class Registry {
  models = $state.raw<StoredRegisteredModel[]>([]);
  /** Bumped on every registry change here or in another tab; caches of resolved URIs key on it. */
  version = $state(0);
  /** The last failed edit, in words. */
  error = $state<string | null>(null);

  /** The read started by the last change the feed announced (edits wait for it). */
  private reading: Promise<void> | null = null;
  private listening = false;

  private db(): RegistryStore {
    if (!this.listening) {
      this.listening = true;
      lab.store.subscribe((change) => {
        if (change.models?.length) this.reading = this.read();
      });
    }
    return lab.store.registry;
  }

  private async read(): Promise<void> {
    const list = await this.db().listRegisteredModels();
    this.models = list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.version++;
  }

  /** Reads the list (pages call it when they open; afterwards the change feed keeps it current). */
  async refresh(): Promise<void> {
    this.reading = this.read();
    await this.reading;
  }

  /** Runs one edit; its commit announces itself on the feed, whose read it waits for. Failures land in `error` and are rethrown. */
  private async edit<T>(act: (s: RegistryStore) => Promise<T>): Promise<T> {
    try {
      const out = await act(this.db());
      this.error = null;
      await this.reading;
      return out;
    } catch (e) {
      this.error = errorMessage(e);
      throw e;
    }
  }

  model(name: string): StoredRegisteredModel | undefined {
    return this.models.find((m) => m.name === name);
  }

  /** `mlflow.register_model("runs:/<run>/<path>", name)`: creates the model when it is new. */
  register(runId: string, artifactPath: string, name: string, description?: string): Promise<ModelVersion> {
    return this.edit((s) => s.createModelVersion(name, {
      source: runModelSource(runId, artifactPath),
      runId,
      runLink: `#/run/${runId}`,
      description: description || null,
    }, true));
  }

  createModel(name: string, description?: string): Promise<StoredRegisteredModel> {
    return this.edit((s) => s.createRegisteredModel(name, { description: description || null }));
  }
  setAlias(name: string, alias: string, version: number | string): Promise<void> {
    return this.edit((s) => s.setRegisteredModelAlias(name, alias, version));
  }
  deleteAlias(name: string, alias: string): Promise<void> {
    return this.edit((s) => s.deleteRegisteredModelAlias(name, alias));
  }
  transitionStage(name: string, version: number, stage: string, archiveExisting = false): Promise<ModelVersion> {
    return this.edit((s) => s.transitionModelVersionStage(name, version, stage, archiveExisting));
  }
  describeModel(name: string, description: string): Promise<StoredRegisteredModel> {
    return this.edit((s) => s.updateRegisteredModel(name, description));
  }
  describeVersion(name: string, version: number, description: string): Promise<ModelVersion> {
    return this.edit((s) => s.updateModelVersion(name, version, description));
  }
  setModelTag(name: string, key: string, value: string): Promise<void> {
    return this.edit((s) => s.setRegisteredModelTag(name, key, value));
  }
  deleteModelTag(name: string, key: string): Promise<void> {
    return this.edit((s) => s.deleteRegisteredModelTag(name, key));
  }
  setVersionTag(name: string, version: number, key: string, value: string): Promise<void> {
    return this.edit((s) => s.setModelVersionTag(name, version, key, value));
  }
  deleteVersionTag(name: string, version: number, key: string): Promise<void> {
    return this.edit((s) => s.deleteModelVersionTag(name, version, key));
  }
  deleteVersion(name: string, version: number): Promise<void> {
    return this.edit((s) => s.deleteModelVersion(name, version));
  }
  deleteModel(name: string): Promise<void> {
    return this.edit((s) => s.deleteRegisteredModel(name));
  }

  async versionsOfRun(runId: string): Promise<(ModelVersion & { name: string })[]> {
    return this.db().versionsOfRun(runId);
  }

  /** `models:/…` or `runs:/…` → the run folder it names (through the registry for models:/). */
  async resolve(uri: string): Promise<ResolvedModelUri> {
    return this.db().resolveModelUri(uri.trim());
  }

  /** Every file under a run's model folder, keyed by its path inside the folder. */
  async modelFiles(runId: string, artifactPath: string): Promise<ModelFiles> {
    const files: ModelFiles = {};
    const root = artifactPath.replace(/\/+$/, '');
    const walk = async (dir: string): Promise<void> => {
      for (const info of await lab.store.listArtifacts(runId, dir || undefined)) {
        if (info.isDir) await walk(info.path);
        else files[root ? info.path.slice(root.length + 1) : info.path] = await lab.store.readArtifact(runId, info.path);
      }
    };
    await walk(root);
    if (Object.keys(files).length === 0) throw new Error(`Run ${runId} has no files under "${root}".`);
    return files;
  }

  /** The signature in a version's MLmodel (only that file is read); null when it has none or is unreadable. */
  async signatureOf(name: string, version: number): Promise<MlmodelView['signature']> {
    try {
      const where = await this.resolve(`models:/${name}/${version}`);
      const root = where.artifactPath.replace(/\/+$/, '');
      return readMlmodel(await lab.store.readArtifact(where.runId, root ? `${root}/MLmodel` : 'MLmodel')).signature;
    } catch {
      return null;
    }
  }

  /** Model folders of a run: the artifact folders that hold an MLmodel file. */
  async modelFolders(runId: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const list = await lab.store.listArtifacts(runId, dir || undefined);
      if (list.some((f) => !f.isDir && f.path === (dir ? `${dir}/MLmodel` : 'MLmodel'))) out.push(dir);
      if (depth < 2) for (const f of list) if (f.isDir) await walk(f.path, depth + 1);
    };
    await walk('', 0);
    return out;
  }
}

export const registry = new Registry();
