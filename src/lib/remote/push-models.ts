/**
 * Pushes registered models: the model (created when missing), each lab version whose run is on
 * the server (found again by the tag `mfflow.lab_version`, so a second push or a retry adds no
 * version), its stage, tags and description, and the aliases mapped to the server's version
 * numbers (they differ when the server already had versions).
 */
import type { ModelVersion, RegisteredModel } from '../mlflow/bundle';
import { parseRunsUri } from '../registry/uri';
import { RemoteError } from './client';
import type { Session } from './session';
import { dictKv, kvDict, type KV } from './wire';
import { LAB_TAG } from '../tracking/tags';
import { loggedModelId } from '../bundles/logged-models';

export const LAB_VERSION_TAG = LAB_TAG.labVersion;

interface WireVersion { name: string; version: string; current_stage?: string; tags?: KV[]; run_id?: string }
interface WireModel { name: string; aliases?: { alias: string; version: string }[] }

export interface ModelOutcome { name: string; outcome: 'added' | 'updated' | 'unchanged'; versions: number }

/** Where the version's files are on the server: the server run's artifact root + the path in the run. */
function relPath(v: ModelVersion): string | null {
  if (v.source.startsWith('runs:/')) return parseRunsUri(v.source).artifactPath;
  const m = /\/artifacts\/(.+)$/.exec(v.source);
  return m ? m[1] : null;
}

async function getModel(s: Session, name: string): Promise<WireModel | null> {
  try {
    return (await s.client.call<{ registered_model: WireModel }>('GET', 'mlflow/registered-models/get', { name })).registered_model;
  } catch (e) {
    if (e instanceof RemoteError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
    throw e;
  }
}

async function serverVersions(s: Session, name: string): Promise<WireVersion[]> {
  const out: WireVersion[] = [];
  let token: string | undefined;
  do {
    const res = await s.client.call<{ model_versions?: WireVersion[]; next_page_token?: string }>('GET', 'mlflow/model-versions/search',
      { filter: `name='${name.replace(/'/g, "\\'")}'`, max_results: 200_000, page_token: token });
    out.push(...(res.model_versions ?? []));
    token = res.next_page_token || undefined;
  } while (token);
  return out;
}

/**
 * `serverRuns` maps lab run ids to the server's run id and artifact root URI. Versions of runs
 * not on the server are left out (the caller pushes the runs first). `serverModels` maps lab
 * model ids (loggedModelId of run and folder) to the server's MLflow 3 logged models: a new
 * version of such a folder is registered from the logged model (`models:/<model_id>`, with its
 * model_id), as MLflow 3 registers; otherwise from the run's artifacts, as MLflow 2 does.
 */
export async function pushModel(s: Session, model: RegisteredModel, serverRuns: Map<string, { runId: string; artifactUri: string }>, serverModels: ReadonlyMap<string, string> = new Map()): Promise<ModelOutcome> {
  const versions = model.versions.filter((v) => v.runId && serverRuns.has(v.runId) && relPath(v) !== null);
  let changed = false;
  let wire = await getModel(s, model.name);
  if (!wire) {
    await s.client.call('POST', 'mlflow/registered-models/create', {
      name: model.name, description: model.description ?? undefined, tags: dictKv(model.tags),
    }).catch((e: unknown) => { if (!(e instanceof RemoteError && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e; });
    wire = { name: model.name, aliases: [] };
    changed = true;
  }
  const existing = new Map<string, WireVersion>();
  for (const v of await serverVersions(s, model.name)) {
    const lab = kvDict(v.tags)[LAB_VERSION_TAG];
    if (lab) existing.set(lab, v);
  }
  const numberOf = new Map<number, string>();
  for (const v of [...versions].sort((a, b) => a.version - b.version)) {
    s.checkCancelled();
    let sv = existing.get(String(v.version));
    if (!sv) {
      const run = serverRuns.get(v.runId!)!;
      const tags = dictKv(v.tags).filter((t) => t.key !== LAB_VERSION_TAG);
      tags.push({ key: LAB_VERSION_TAG, value: String(v.version) });
      const logged = serverModels.get(loggedModelId(v.runId!, relPath(v)!));
      const res = await s.client.call<{ model_version: WireVersion }>('POST', 'mlflow/model-versions/create', {
        name: model.name, source: logged ? `models:/${logged}` : `${run.artifactUri}/${relPath(v)}`, run_id: run.runId,
        model_id: logged, description: v.description ?? undefined, tags,
      });
      sv = res.model_version;
      changed = true;
    }
    numberOf.set(v.version, sv.version);
    if (v.currentStage && v.currentStage !== 'None' && sv.current_stage !== v.currentStage) {
      await s.client.call('POST', 'mlflow/model-versions/transition-stage', {
        name: model.name, version: sv.version, stage: v.currentStage, archive_existing_versions: false,
      });
      changed = true;
    }
  }
  const haveAliases = new Map((wire.aliases ?? []).map((a) => [a.alias, String(a.version)]));
  for (const alias of Object.keys(model.aliases)) {
    const target = numberOf.get(model.aliases[alias]);
    if (!target || haveAliases.get(alias) === target) continue;
    await s.client.call('POST', 'mlflow/registered-models/alias', { name: model.name, alias, version: target });
    changed = true;
  }
  const outcome = !changed ? 'unchanged' : existing.size === 0 && numberOf.size > 0 ? 'added' : 'updated';
  return { name: model.name, outcome, versions: numberOf.size };
}
