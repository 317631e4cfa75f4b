import { afterAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { openDB } from 'idb';
import { TrackingStore } from '../../src/lib/storage/tracking-store';
import { ARTIFACT_CHUNK_BYTES, validateArtifactPath } from '../../src/lib/storage/artifact-files';
import type { StoredDataset } from '../../src/lib/data/types';
import { uniqueDbName } from './storage-helpers';

const dbName = uniqueDbName('artifacts');
const storeP = TrackingStore.open({ dbName });
afterAll(async () => (await storeP).close());
const newRun = async () => (await (await storeP).createRun({ experimentId: '0' })).runId;

describe('artifacts', () => {
  it('S8: round-trips 10 MiB through ArrayBuffer chunks of at most 4 MiB, never Blobs', async () => {
    const s = await storeP;
    const runId = await newRun();
    const bytes = new Uint8Array(10 * 1024 * 1024 + 7);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 13)) & 0xff;
    const putSpy = vi.spyOn(IDBObjectStore.prototype, 'put');
    await s.logArtifact(runId, 'model/weights.bin', bytes, 'application/octet-stream');
    const stored = putSpy.mock.calls.map((c) => c[0] as { bytes?: unknown });
    putSpy.mockRestore();
    expect(stored.some((v) => v instanceof Blob || (v.bytes instanceof Blob))).toBe(false);

    const raw = await openDB(dbName);
    const chunks = await raw.getAll('artifactChunks', IDBKeyRange.bound([runId, 'model/weights.bin', 0], [runId, 'model/weights.bin', Infinity]));
    raw.close();
    expect(chunks.map((c) => c.bytes.byteLength)).toEqual([ARTIFACT_CHUNK_BYTES, ARTIFACT_CHUNK_BYTES, 2 * 1024 * 1024 + 7]);
    expect(chunks.every((c) => c.bytes instanceof ArrayBuffer)).toBe(true);

    const back = await s.readArtifact(runId, 'model/weights.bin');
    expect(back.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(bytes))).toBe(0);
  });

  it('R5: a preview reads only the head of a big artifact, from its first chunks', async () => {
    const s = await storeP;
    const runId = await newRun();
    const bytes = new Uint8Array(3 * ARTIFACT_CHUNK_BYTES + 5);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
    await s.logArtifact(runId, 'logs/big.log', bytes);
    const getAll = vi.spyOn(IDBObjectStore.prototype, 'getAll');
    const head = await s.readArtifact(runId, 'logs/big.log', 1000);
    const counts = getAll.mock.calls.map((c) => c[1]);
    getAll.mockRestore();
    expect(counts).toEqual([1]);
    expect(Buffer.compare(Buffer.from(head), Buffer.from(bytes.subarray(0, 1000)))).toBe(0);
    const two = await s.readArtifact(runId, 'logs/big.log', ARTIFACT_CHUNK_BYTES + 1);
    expect(Buffer.compare(Buffer.from(two), Buffer.from(bytes.subarray(0, ARTIFACT_CHUNK_BYTES + 1)))).toBe(0);
    expect((await s.readArtifact(runId, 'logs/big.log', bytes.length + 10)).length).toBe(bytes.length);
  });

  it('lists immediate children like MLflow list_artifacts, with sizes and folders', async () => {
    const s = await storeP;
    const runId = await newRun();
    const enc = new TextEncoder();
    await s.logArtifact(runId, 'model/MLmodel', enc.encode('flavors: {}\n'), 'text/yaml');
    await s.logArtifact(runId, 'model/data/model.onnx', new Uint8Array(100));
    await s.logArtifact(runId, 'notes.txt', enc.encode('hi'));
    await s.logArtifact(runId, 'empty.txt', new Uint8Array(0));
    expect(await s.listArtifacts(runId)).toEqual([
      { path: 'empty.txt', isDir: false, size: 0 },
      { path: 'model', isDir: true, size: 0 },
      { path: 'notes.txt', isDir: false, size: 2 },
    ]);
    expect(await s.listArtifacts(runId, 'model')).toEqual([
      { path: 'model/MLmodel', isDir: false, size: 12, contentType: 'text/yaml' },
      { path: 'model/data', isDir: true, size: 0 },
    ]);
    expect(await s.listArtifacts(runId, 'model/data/')).toEqual([{ path: 'model/data/model.onnx', isDir: false, size: 100 }]);
    expect(await s.listArtifacts(runId, 'nothing')).toEqual([]);
    expect((await s.readArtifact(runId, 'empty.txt')).length).toBe(0);
    // Another run's files are not listed.
    expect(await s.listArtifacts(await newRun())).toEqual([]);
  });

  it('overwriting a file replaces its bytes and drops surplus chunks', async () => {
    const s = await storeP;
    const runId = await newRun();
    await s.logArtifact(runId, 'big.bin', new Uint8Array(ARTIFACT_CHUNK_BYTES + 10).fill(1));
    await s.logArtifact(runId, 'big.bin', new Uint8Array([9, 8, 7]));
    expect([...(await s.readArtifact(runId, 'big.bin'))]).toEqual([9, 8, 7]);
    const raw = await openDB(dbName);
    expect(await raw.count('artifactChunks', IDBKeyRange.bound([runId, 'big.bin', 0], [runId, 'big.bin', Infinity]))).toBe(1);
    raw.close();
  });

  it('refuses unsafe paths and file/folder clashes, naming the path', async () => {
    const s = await storeP;
    const runId = await newRun();
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a\\b', '..\\x', 'C:/x', 'a/./b', 'a//b', 'a/', '', 'nul\0byte', 'x'.repeat(1025)]) {
      await expect(s.logArtifact(runId, bad, new Uint8Array(1)), bad).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    }
    await expect(s.readArtifact(runId, '../secret')).rejects.toThrow(/Invalid artifact path "..\/secret"/);
    await s.logArtifact(runId, 'a/b', new Uint8Array(1));
    await expect(s.logArtifact(runId, 'a', new Uint8Array(1))).rejects.toThrow(/"a" is a folder/);
    await expect(s.logArtifact(runId, 'a/b/c', new Uint8Array(1))).rejects.toThrow(/"a\/b" is a file/);
    await expect(s.readArtifact(runId, 'missing')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('logArtifacts writes a folder in one transaction, announced once, and all or none', async () => {
    const s = await storeP;
    const runId = await newRun();
    await s.logArtifact(runId, 'model/big.bin', new Uint8Array(ARTIFACT_CHUNK_BYTES + 10).fill(1));
    const heard: string[][] = [];
    const stop = s.subscribe((c) => heard.push(c.runIds));
    const txSpy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    await s.logArtifacts(runId, [
      { path: 'model/big.bin', bytes: new Uint8Array([9]) }, // overwrite: surplus chunk dropped
      { path: 'model/model.json', bytes: new TextEncoder().encode('{}'), contentType: 'application/json' },
      { path: 'model/MLmodel', bytes: new TextEncoder().encode('flavors: {}\n') },
    ]);
    const writes = txSpy.mock.calls.filter((c) => c[1] === 'readwrite').length;
    txSpy.mockRestore();
    stop();
    expect(writes).toBe(1);
    expect(heard).toEqual([[runId]]);
    expect((await s.listArtifacts(runId, 'model')).map((a) => [a.path, a.size])).toEqual([['model/MLmodel', 12], ['model/big.bin', 1], ['model/model.json', 2]]);
    const raw = await openDB(dbName);
    expect(await raw.count('artifactChunks', IDBKeyRange.bound([runId, 'model/big.bin', 0], [runId, 'model/big.bin', Infinity]))).toBe(1);
    raw.close();
    // A clash inside the batch (a file, then a folder of that name) refuses the whole batch.
    await expect(s.logArtifacts(runId, [{ path: 'out/a', bytes: new Uint8Array(1) }, { path: 'out/a/b', bytes: new Uint8Array(1) }]))
      .rejects.toThrow(/"out\/a" is a file/);
    expect(await s.listArtifacts(runId, 'out')).toEqual([]);
  });

  it('accepted paths never contain "." or ".." segments, backslashes or a leading slash', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a./\\:C]{1,10}$/), (p) => {
      let ok = true;
      try { validateArtifactPath(p); } catch { ok = false; }
      if (ok) {
        expect(p.startsWith('/')).toBe(false);
        expect(p.includes('\\')).toBe(false);
        expect(p.split('/').some((seg) => seg === '.' || seg === '..' || seg === '')).toBe(false);
      }
    }));
  });
});

describe('datasets store', () => {
  const dataset = (digest: string, createdAt: number): StoredDataset => ({
    digest, name: `wine-${digest}`, sourceType: 'local', source: '{"uri":"wine.csv"}', createdAt, byteSize: 12,
    delimiter: ';', profile: [{ name: 'x', type: 'number', count: 2, missing: 0 }],
    table: { columns: ['x'], types: ['number'], data: [Float64Array.from([1, NaN])], rowCount: 2 },
  });

  it('puts, gets, lists without tables and deletes by digest', async () => {
    const s = await storeP;
    await s.putDataset(dataset('aaaa', 1));
    await s.putDataset(dataset('bbbb', 2));
    const got = await s.getDataset('aaaa');
    expect(got?.table.data[0]).toBeInstanceOf(Float64Array);
    expect(Number.isNaN((got!.table.data[0] as Float64Array)[1])).toBe(true);
    const list = await s.listDatasets();
    expect(list.map((d) => d.digest)).toEqual(['bbbb', 'aaaa']);
    expect('table' in list[0]).toBe(false);
    await s.deleteDataset('aaaa');
    expect(await s.getDataset('aaaa')).toBeUndefined();
  });
});
