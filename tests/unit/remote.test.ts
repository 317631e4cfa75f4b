/**
 * The parts of src/lib/remote that need no server: the filter split between MLflow's search and
 * the lab's, the wire form of doubles, server records, the digest that tells a complete copy,
 * and the outbox in IndexedDB. Everything that talks to a server is proven against a real
 * `mlflow server` in tests/interop/remote-server.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { authHeader, MlflowClient, normalizeUrl, proxiedArtifactPath, RemoteError } from '../../src/lib/remote/client';
import { splitFilter } from '../../src/lib/remote/pull';
import { pushDigest, tagsForServer } from '../../src/lib/remote/push-run';
import { corsFix, mixedContent, testConnection, validateServer } from '../../src/lib/remote/servers';
import { num, wireValue } from '../../src/lib/remote/wire';
import { mlmodelForServer, supportsLoggedModels } from '../../src/lib/remote/push-logged-models';
import { Session } from '../../src/lib/remote/session';
import { buildMLmodel, onnxFlavors, parseMLmodel } from '../../src/lib/mlflow/mlmodel';
import { compileFilter, parseFilter } from '../../src/lib/search';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { captureConnections } from './storage-helpers';
import type { Run } from '../../src/lib/tracking/types';

const run = (over: Partial<Run> = {}): Run => ({
  info: { runId: 'a'.repeat(32), experimentId: '1', runName: 'r', userId: 'u', status: 'FINISHED', startTime: 1, endTime: 2, lifecycleStage: 'active', deletedTime: null, artifactUri: '' },
  params: { alpha: '0.5' }, tags: { 'mlflow.parentRunId': 'b'.repeat(32), t: 'v' },
  metrics: { loss: { latest: 0.1, step: 3, timestamp: 4, min: 0.1, max: 1, count: 4 } }, inputs: [], ...over,
});

describe('filter split', () => {
  it('sends the comparisons of a top-level AND to the server and keeps OR groups for the lab', () => {
    expect(splitFilter("params.a = '1' and metrics.m < 2")).toEqual({ server: "params.a = '1' and metrics.m < 2", lab: null });
    const s = splitFilter("tags.team = 'python' and (params.alpha = '0.1' or params.alpha = '1.0')");
    expect(s.server).toBe("tags.team = 'python'");
    expect(s.lab?.kind).toBe('or');
    expect(splitFilter("params.a = '1' or params.a = '2'").server).toBe('');
    expect(splitFilter('  ')).toEqual({ server: '', lab: null });
  });

  it('server half AND lab half select exactly what the whole filter selects', () => {
    const runs = [0.1, 0.5, 1, 2].flatMap((a) => ['x', 'y'].map((t) => run({ params: { alpha: String(a) }, tags: { team: t } })));
    const filters = ["tags.team = 'x' and (params.alpha = '0.1' or params.alpha = '2')", "params.alpha != '1' and tags.team = 'y'", "(tags.team = 'x') or params.alpha = '1'"];
    for (const f of filters) {
      const whole = compileFilter(parseFilter(f));
      const { server, lab } = splitFilter(f);
      const srv = compileFilter(parseFilter(server));
      const rest = compileFilter(lab);
      expect(runs.map((r) => srv(r) && rest(r)), f).toEqual(runs.map((r) => whole(r)));
    }
  });
});

describe('wire', () => {
  it('doubles survive the JSON text MLflow receives, bit for bit; non-finite ones as protobuf spells them', () => {
    fc.assert(fc.property(fc.double(), (v) => {
      const back = num(JSON.parse(JSON.stringify(wireValue(v))) as number | string);
      expect(Object.is(back, v) || (Number.isNaN(v) && Number.isNaN(back)) || (v === 0 && back === 0)).toBe(true);
    }));
    expect([wireValue(NaN), wireValue(Infinity), wireValue(-Infinity)]).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(num('123')).toBe(123);
  });

  it('proxied artifact paths, URLs and auth headers', () => {
    expect(proxiedArtifactPath('mlflow-artifacts:/3/abc/artifacts')).toBe('3/abc/artifacts');
    expect(proxiedArtifactPath('mlflow-artifacts://host:5000/3/abc/artifacts/')).toBe('3/abc/artifacts');
    expect(proxiedArtifactPath('s3://bucket/x')).toBeNull();
    expect(normalizeUrl('http://h:5000/')).toBe('http://h:5000');
    expect(() => normalizeUrl('ftp://h')).toThrow(/only http/);
    expect(() => normalizeUrl('nope')).toThrow(/not a URL/);
    expect(authHeader({ id: '1', name: 'n', url: 'http://h', auth: { kind: 'basic', user: 'ü', password: 'p:w' } })).toBe(`Basic ${Buffer.from('ü:p:w').toString('base64')}`);
    expect(authHeader({ id: '1', name: 'n', url: 'http://h', auth: { kind: 'bearer', token: 't' } })).toBe('Bearer t');
    expect(() => validateServer({ id: '1', name: ' ', url: 'http://h' })).toThrow(/needs a name/);
    expect(corsFix('http://10.0.0.5:5000', 'https://lab.example')).toBe('mlflow server --cors-allowed-origins https://lab.example --allowed-hosts 10.0.0.5:5000');
  });

  it('an https lab and a plain-http server that is not localhost: mixed content, said before any request', async () => {
    let calls = 0;
    const counting: typeof fetch = async () => { calls++; return new Response('3.17.2'); };
    const r = await testConnection({ id: '1', name: 'n', url: 'http://10.0.0.5:5000' }, 'https://lab.example', counting);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/mixed content/);
    expect(calls).toBe(0);
    expect(mixedContent('http://127.0.0.1:5000', 'https://lab.example')).toBe(false);
    expect(mixedContent('http://localhost:5000', 'https://lab.example')).toBe(false);
    expect(mixedContent('https://10.0.0.5', 'https://lab.example')).toBe(false);
    expect(mixedContent('http://10.0.0.5', 'http://lab.example')).toBe(false);
  });

  it('a server that does not answer is reported, not thrown', async () => {
    const refused: typeof fetch = async () => { throw new TypeError('Failed to fetch'); };
    const r = await testConnection({ id: '1', name: 'n', url: 'http://127.0.0.1:9' }, 'http://lab', refused);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/No answer from http:\/\/127.0.0.1:9/);
    // The opaque request goes through: the server is up but refuses this origin; the fix names it.
    const cors: typeof fetch = async (_u, init) => { if (init?.mode === 'no-cors') return new Response(null); throw new TypeError('Failed to fetch'); };
    const c = await testConnection({ id: '1', name: 'n', url: 'http://10.1.2.3:5000' }, 'http://lab:8080', cors);
    expect(c.fix).toBe('mlflow server --cors-allowed-origins http://lab:8080 --allowed-hosts 10.1.2.3:5000');
    const unauthorized: typeof fetch = async (u) => (String(u).endsWith('/version') ? new Response('3.17.2') : new Response('{"error_code":"UNAUTHENTICATED"}', { status: 401 }));
    const a = await testConnection({ id: '1', name: 'n', url: 'http://h' }, null, unauthorized);
    expect(a).toMatchObject({ ok: false, version: '3.17.2' });
    expect(a.error).toMatch(/refused the login \(401\)/);
    expect(new RemoteError('auth', 'x').kind).toBe('auth');
  });
});

describe('push digest', () => {
  it('changes with anything a push sends and maps the parent to its server id', () => {
    const r = run();
    const tags = tagsForServer(r, 'c'.repeat(32));
    expect(tags['mlflow.parentRunId']).toBe('c'.repeat(32));
    expect(tags['mfflow.lab_run_id']).toBe(r.info.runId);
    const d = pushDigest(r, tags, []);
    expect(pushDigest(run(), tagsForServer(run(), 'c'.repeat(32)), [])).toBe(d);
    expect(pushDigest(r, tags, [{ path: 'a', isDir: false, size: 1 }])).not.toBe(d);
    expect(pushDigest(run({ metrics: { loss: { ...r.metrics.loss, count: 5 } } }), tags, [])).not.toBe(d);
    expect(pushDigest(run({ params: { alpha: '0.6' } }), tags, [])).not.toBe(d);
    expect(pushDigest(run({ info: { ...r.info, status: 'RUNNING' } }), tags, [])).not.toBe(d);
  });
});

describe('outbox', () => {
  it('keeps one waiting entry per run and server, in order, besides the one being sent; on the tracking store\'s one connection', async () => {
    const dbName = `remote-${Math.random()}`;
    const connections = captureConnections();
    const tracking = await TrackingStore.open({ dbName });
    const store = tracking.remote;
    expect(await store.enqueue({ runId: 'a', serverId: 's', enqueuedAt: 1 })).toBe(true);
    expect(await store.enqueue({ runId: 'a', serverId: 's', enqueuedAt: 2 })).toBe(false);
    expect(await store.enqueue({ runId: 'b', serverId: 's', enqueuedAt: 3 })).toBe(true);
    const [first] = await store.outbox();
    expect(await store.enqueue({ runId: 'a', serverId: 's', enqueuedAt: 4 }, first.seq)).toBe(true);
    expect((await store.outbox()).map((e) => [e.runId, e.enqueuedAt])).toEqual([['a', 1], ['b', 3], ['a', 4]]);
    await store.removeEntry(first.seq!);
    expect((await store.outbox()).map((e) => e.runId)).toEqual(['b', 'a']);
    await store.putServer({ id: 'x', name: 'team', url: 'http://h', auth: { kind: 'basic', user: 'u', password: 'p' }, createdAt: 1 });
    expect((await store.listServers())[0].auth).toEqual({ kind: 'basic', user: 'u', password: 'p' });
    expect(connections.length).toBe(1); // servers and the outbox share the tracking store's connection
    vi.restoreAllMocks();
    tracking.close();
  });
});

describe('logged model MLmodel', () => {
  it("carries the server's model id, run id and location, and keeps flavors, signature and the rest", () => {
    const src = new TextEncoder().encode(buildMLmodel({
      flavors: { ...onnxFlavors({ onnxVersion: '1.17.0', pythonVersion: '3.11.7' }), tfjs: { model_json: 'model.json', feature_names: ['a', 'b'] } },
      modelUuid: 'm-lab', modelId: 'm-lab', runId: 'lab-run', artifactPath: 'model', createdAt: 1_700_000_000_000,
      signature: { inputs: [{ type: 'double', name: 'a' }], outputs: [{ type: 'double', name: 'predictions' }], params: null }, inputExample: true,
    }));
    const before = parseMLmodel(src);
    const after = parseMLmodel(mlmodelForServer(src, { modelId: 'm-0123', runId: 'srv-run', artifactUri: 'mlflow-artifacts:/1/models/m-0123/artifacts' }));
    expect([after.modelId, after.modelUuid, after.runId, after.artifactPath]).toEqual(['m-0123', 'm-0123', 'srv-run', 'mlflow-artifacts:/1/models/m-0123/artifacts']);
    expect(after.flavors).toEqual(before.flavors);
    expect(after.signature).toEqual(before.signature);
    expect({ ...after, modelId: '', modelUuid: '', runId: '', artifactPath: '' }).toEqual({ ...before, modelId: '', modelUuid: '', runId: '', artifactPath: '' });
  });
});

describe('logged models: which servers have them', () => {
  // The answers of MLflow 3 (JSON) and of MLflow 2.22's Flask app, which has no such route (HTML 404).
  const session = (status: number, body: string, type: string) => new Session(new MlflowClient({ id: 's', name: 's', url: 'http://h:5000' },
    { fetch: async () => new Response(body, { status, headers: { 'Content-Type': type } }) }));
  it('MLflow 3 answers the logged-models search; MLflow 2 does not know the endpoint; other failures stay failures', async () => {
    expect(await supportsLoggedModels(session(200, '{"models": []}', 'application/json'), '1')).toBe(true);
    expect(await supportsLoggedModels(session(404, '<!doctype html><title>404 Not Found</title>', 'text/html'), '1')).toBe(false);
    await expect(supportsLoggedModels(session(404, '{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "No Experiment with id=1 exists"}', 'application/json'), '1')).rejects.toThrow('No Experiment');
    await expect(supportsLoggedModels(session(500, 'boom', 'text/plain'), '1')).rejects.toThrow('500');
  });
});
