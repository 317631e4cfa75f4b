import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  aliasesOf, createVersion, deleteAlias, deleteVersion, latestVersions, newRegisteredModel, renameModel, resolveInModel,
  setAlias, setModelTag, transitionStage, versionArtifacts, versionByAlias, type StoredRegisteredModel,
} from '../../src/lib/registry/model-registry';
import { formatModelUri, parseModelUri, parseRunsUri } from '../../src/lib/registry/uri';
import { canonicalStage, validateAliasName, validateAliasNotReserved, validateModelName } from '../../src/lib/registry/validate';
import { MlflowError } from '../../src/lib/util/errors';

function codeOf(f: () => unknown): string | null {
  try { f(); return null; } catch (e) { return e instanceof MlflowError ? e.code : `not MlflowError: ${String(e)}`; }
}

const RUN = 'a'.repeat(32);

function withVersions(n: number): StoredRegisteredModel {
  let m = newRegisteredModel('wine', 1000);
  for (let i = 0; i < n; i++) m = createVersion(m, { source: `runs:/${RUN}/model` }, 2000 + i)[0];
  return m;
}

describe('names, aliases and stages', () => {
  it('model names: no / : or %, not blank, not . or ..x', () => {
    for (const ok of ['ElasticnetWineModel', 'Ads Model 1', '12345', 'a.b', 'wine-v2', '__proto__', 'modèle']) expect(codeOf(() => validateModelName(ok))).toBeNull();
    for (const bad of ['', '   ', 'a/b', 'a:b', '50%', '.', '..', '..x', 'a\\b', 'tab\there', 'nul\u0000']) expect(codeOf(() => validateModelName(bad))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('aliases: word characters and dashes, at most 255, latest and v<digits> reserved', () => {
    for (const ok of ['champion', 'prod-2', 'A_b', 'x'.repeat(255), 'vX', 'v1a', 'été']) {
      expect(codeOf(() => { validateAliasName(ok); validateAliasNotReserved(ok); })).toBeNull();
    }
    for (const bad of ['', 'a b', 'a.b', 'a/b', 'x'.repeat(256)]) expect(codeOf(() => validateAliasName(bad))).toBe('INVALID_PARAMETER_VALUE');
    for (const reserved of ['latest', 'LATEST', 'v1', 'V22']) expect(codeOf(() => validateAliasNotReserved(reserved))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('stages are case-insensitive and come back canonical', () => {
    expect(canonicalStage('production')).toBe('Production');
    expect(canonicalStage('NONE')).toBe('None');
    expect(codeOf(() => canonicalStage('Deleted_Internal'))).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('models:/ and runs:/ URIs', () => {
  it('parses every models:/ form MLflow accepts', () => {
    expect(parseModelUri('models:/AdsModel1/0')).toEqual({ kind: 'version', name: 'AdsModel1', version: 0 });
    expect(parseModelUri('models:/Ads Model 1/12345')).toEqual({ kind: 'version', name: 'Ads Model 1', version: 12345 });
    expect(parseModelUri('models:/12345/67890')).toEqual({ kind: 'version', name: '12345', version: 67890 });
    expect(parseModelUri('models:/wine@champion')).toEqual({ kind: 'alias', name: 'wine', alias: 'champion' });
    expect(parseModelUri('models:/wine/Latest')).toEqual({ kind: 'latest', name: 'wine' });
    expect(parseModelUri('models:/wine/production')).toEqual({ kind: 'stage', name: 'wine', stage: 'production' });
    expect(parseModelUri('models:/m-0123abcd')).toEqual({ kind: 'modelId', modelId: 'm-0123abcd' });
    // Two parts: the suffix wins, an @ stays in the name.
    expect(parseModelUri('models:/a@b/3')).toEqual({ kind: 'version', name: 'a@b', version: 3 });
  });

  it('refuses improper models:/ URIs', () => {
    for (const bad of ['models:/', 'models:', 'models:wine/1', 'models:/a/b/c', 'models:/ /1', 'models:/wine/ ', 'models:/wine@', 'runs:/x/model', 'models://host/wine/1']) {
      expect(codeOf(() => parseModelUri(bad))).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('format ∘ parse is the identity on version and alias URIs', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9 _.-]{1,20}$/).filter((s) => s.trim() !== '' && !s.includes('@'));
    fc.assert(fc.property(name, fc.nat(), (n, v) => {
      const u = { kind: 'version' as const, name: n, version: v };
      expect(parseModelUri(formatModelUri(u))).toEqual(u);
    }));
    fc.assert(fc.property(name, fc.stringMatching(/^[\w-]{1,12}$/), (n, a) => {
      const u = { kind: 'alias' as const, name: n, alias: a };
      expect(parseModelUri(formatModelUri(u))).toEqual(u);
    }));
  });

  it('runs:/ URIs give the run and a normalised run-relative path', () => {
    expect(parseRunsUri(`runs:/${RUN}/model`)).toEqual({ runId: RUN, artifactPath: 'model' });
    expect(parseRunsUri(`runs:/${RUN}/a//b/./c/`)).toEqual({ runId: RUN, artifactPath: 'a/b/c' });
    expect(parseRunsUri(`runs:/${RUN}`)).toEqual({ runId: RUN, artifactPath: '' });
    for (const bad of ['runs:/', 'runs://x/model', `runs:/${RUN}/../other`, 'models:/x/1']) expect(codeOf(() => parseRunsUri(bad))).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('registry edits', () => {
  it('versions count up from 1, READY, stage None, with the run taken from a runs:/ source', () => {
    const m = withVersions(3);
    expect(m.versions.map((v) => [v.version, v.status, v.currentStage, v.runId, v.creationTimestamp])).toEqual([
      [1, 'READY', 'None', RUN, 2000], [2, 'READY', 'None', RUN, 2001], [3, 'READY', 'None', RUN, 2002],
    ]);
    expect(versionArtifacts(m.versions[0])).toEqual({ runId: RUN, artifactPath: 'model' });
  });

  it('edits never change their input', () => {
    const m = withVersions(2);
    const before = structuredClone(m);
    setAlias(m, 'champion', 1, 5);
    transitionStage(m, 2, 'Production', true, 5);
    deleteVersion(m, 1, 5);
    setModelTag(m, '__proto__', 'x', 5);
    expect(m).toEqual(before);
  });

  it('aliases point at one version, can move, and die with their version; deleted numbers are not reused', () => {
    let m = withVersions(3);
    m = setAlias(m, 'champion', 1, 10);
    m = setAlias(m, 'challenger', '3', 11);
    expect(versionByAlias(m, 'champion').version).toBe(1);
    m = setAlias(m, 'champion', 2, 12);
    expect(versionByAlias(m, 'champion').version).toBe(2);
    expect(aliasesOf(m, 2)).toEqual(['champion']);
    expect(versionByAlias(m, 'LATEST').version).toBe(3);
    expect(codeOf(() => setAlias(m, 'x', 9, 13))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(codeOf(() => setAlias(m, 'v2', 2, 13))).toBe('INVALID_PARAMETER_VALUE');
    expect(codeOf(() => versionByAlias(m, 'nobody'))).toBe('INVALID_PARAMETER_VALUE');
    m = deleteVersion(m, 3, 14);
    expect(m.aliases).toEqual({ champion: 2 });
    expect(deleteAlias(m, 'gone', 15)).toBe(m);
    m = createVersion(m, { source: `runs:/${RUN}/model` }, 16)[0];
    expect(m.versions.map((v) => v.version)).toEqual([1, 2, 4]);
    expect(m.lastUpdatedTimestamp).toBe(16);
  });

  it('stages: archive_existing_versions archives the others in that stage only, and needs an active stage', () => {
    let m = withVersions(4);
    m = transitionStage(m, 1, 'production', false, 10)[0];
    m = transitionStage(m, 2, 'Production', false, 11)[0];
    m = transitionStage(m, 3, 'staging', false, 12)[0];
    const [next, v] = transitionStage(m, 4, 'Production', true, 13);
    expect(v.currentStage).toBe('Production');
    expect(next.versions.map((x) => x.currentStage)).toEqual(['Archived', 'Archived', 'Staging', 'Production']);
    expect(codeOf(() => transitionStage(m, 4, 'Archived', true, 14))).toBe('INVALID_PARAMETER_VALUE');
    expect(latestVersions(next).map((x) => [x.currentStage, x.version])).toEqual([['Staging', 3], ['Production', 4], ['Archived', 2]]);
    expect(latestVersions(next, ['production']).map((x) => x.version)).toEqual([4]);
    expect(resolveInModel(next, parseModelUri('models:/wine/Archived')).version).toBe(2);
    expect(codeOf(() => resolveInModel(next, parseModelUri('models:/wine/None')))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(codeOf(() => resolveInModel(next, parseModelUri('models:/wine/Shipping')))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('rename keeps versions, stages and aliases', () => {
    let m = setAlias(withVersions(2), 'champion', 2, 10);
    m = renameModel(m, 'red-wine', 20);
    expect([m.name, m.versions.length, m.aliases, m.lastUpdatedTimestamp]).toEqual(['red-wine', 2, { champion: 2 }, 20]);
    expect(codeOf(() => renameModel(m, 'a/b', 21))).toBe('INVALID_PARAMETER_VALUE');
  });

  it('a __proto__ tag key is stored as an ordinary key', () => {
    const m = setModelTag(withVersions(0), '__proto__', 'x', 5);
    expect(Object.keys(m.tags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(m.tags)).toBe(Object.prototype);
  });
});
