/**
 * The bundle worker (src/lib/bundles/worker-api.ts): untrusted archives are unzipped, checked
 * and read here, and export zips are built here, off the page's main thread. Each result
 * carries the time of its phases (the page turns them into performance measures).
 */
import * as Comlink from 'comlink';
import { zipFiles } from '../src/lib/archive/zip-write';
import { writeMlrunsTree } from '../src/lib/mlflow/write-tree';
import { StreamedExport } from '../src/lib/bundles/streamed-export';
import { SqliteExport } from '../src/lib/bundles/sqlite-export';
import { buildModelExport } from '../src/lib/bundles/model-export';
import { prepareArchive, prepareFolder, type LazySource } from '../src/lib/bundles/prepare-archive';
import { downloadToDisk } from './download-to-disk';
import { finishExport } from '../src/lib/bundles/export-finish';
import { ExportJobs } from '../src/lib/bundles/export-jobs';
import { sqlDbOf } from '../src/lib/mlflow/sqljs';
import { loadSqlJs } from './sqlite-engine';
import { loadDeflater } from '../src/lib/archive/fast-deflate';
import { buffersOf, importLaneOf, portSink, runBuffers, describeFailure, type BundleResult, type BundleWorkerApi, type ImportLaneApi } from '../src/lib/bundles/worker-api';
import { decodeShare, shareBuffers } from '../src/lib/bundles/import-lanes';
import { announceLiveness } from '../src/lib/workers/liveness';

// First: the page watches this worker's lifetime through a Web Lock (see liveness.ts).
announceLiveness(self);

/** Jobs that Cancel reaches (imports, and exports while they compress), with what to call them. */
const jobs = new Map<string, AbortController>();
const jobNames = new Map<string, string>();
/**
 * Imports whose big files the page still pulls (lazyNext), by job id: where to read them, the
 * piece streams open, and what to remove when the page is done (a downloaded temporary file).
 */
const lazyJobs = new Map<string, { source: LazySource; open: Map<string, AsyncGenerator<Uint8Array>>; dispose: () => Promise<void> }>();
/** The job of an export; the SQLite layout loads the engine (sql.js) then, only for such exports. */
async function newExport(layout: string): Promise<StreamedExport | SqliteExport> {
  return layout === 'sqlite' ? new SqliteExport(new (await loadSqlJs()).Database()) : new StreamedExport(await loadDeflater());
}
/** Streamed exports in progress (export-jobs.ts). */
const exports = new ExportJobs(newExport);
const drop = (jobId: string) => exports.drop(jobId);

function fail(e: unknown): BundleResult<never> {
  return { ok: false, error: describeFailure(e) };
}

const api: BundleWorkerApi = {
  async prepareImport(jobId, source, onProgress, lanePorts = [], stagePort) {
    const ctl = new AbortController();
    jobs.set(jobId, ctl);
    let dispose = async () => undefined as void;
    let kept = false;
    try {
      let blob: Blob | Uint8Array = source instanceof Uint8Array || source instanceof Blob ? source : new Blob();
      const t0 = performance.now();
      // Progress crosses to the page as a message: at most every 100 ms (a bundle has ~20k entries).
      let last = 0;
      const report = (phase: 'downloading' | 'reading', done: number, total: number) => {
        const now = performance.now();
        if (now - last < 100 && done < total) return;
        last = now;
        onProgress?.({ phase, done, total });
      };
      if ('url' in source) {
        onProgress?.({ phase: 'downloading', done: 0, total: 0 });
        const got = await downloadToDisk(source.url, ctl.signal, (done, total) => report('downloading', done, total));
        blob = got.file;
        dispose = got.dispose;
      }
      const opts = {
        signal: ctl.signal,
        lanes: lanePorts.map((port) => importLaneOf(Comlink.wrap<ImportLaneApi>(port))),
        stage: stagePort && portSink(stagePort),
        onProgress: (p: { bytesOut: number; bytesTotal: number; entriesDone: number; entriesTotal: number }) => report('reading', p.bytesOut, p.bytesTotal),
      };
      const t1 = performance.now();
      const openDb = async (bytes: Uint8Array) => sqlDbOf(new (await loadSqlJs()).Database(bytes));
      const { prep, timings: read, lazy } = 'folder' in source ? await prepareFolder(source.folder, { ...opts, openDb }) : await prepareArchive(blob, { ...opts, openDb });
      if (lazy) (lazyJobs.set(jobId, { source: lazy, open: new Map(), dispose }), (kept = true));
      const timings = { download: t1 - t0, ...read };
      return Comlink.transfer({ ok: true as const, value: prep, timings }, buffersOf(prep));
    } catch (e) {
      return fail(e);
    } finally {
      jobs.delete(jobId);
      for (const port of lanePorts) port.close();
      stagePort?.close();
      if (!kept) await dispose();
    }
  },

  serveImportLane(port, stagePort) {
    const lane: ImportLaneApi = {
      async decodeShare(blob, items) {
        try {
          const value = await decodeShare(blob, items, {}, stagePort && portSink(stagePort));
          return Comlink.transfer({ ok: true as const, value }, shareBuffers(value));
        } catch (e) {
          return fail(e);
        } finally {
          stagePort?.close();
        }
      },
    };
    // One share per port; the preparing worker closes its end when its import ends, which ends this one.
    Comlink.expose(lane, port);
  },

  async lazyNext(jobId, ref, pieceBytes) {
    const job = lazyJobs.get(jobId);
    try {
      if (!job) throw new Error(`import ${jobId} has no files left to read (it was finished or cancelled)`);
      let it = job.open.get(ref);
      if (!it) job.open.set(ref, (it = job.source.pieces(ref, pieceBytes)));
      const { done, value } = await it.next();
      if (done) {
        job.open.delete(ref);
        return { ok: true as const, value: null };
      }
      return Comlink.transfer({ ok: true as const, value }, [value.buffer as ArrayBuffer]);
    } catch (e) {
      job?.open.delete(ref);
      return fail(e);
    }
  },

  async importDone(jobId) {
    const job = lazyJobs.get(jobId);
    lazyJobs.delete(jobId);
    if (!job) return;
    for (const it of job.open.values()) await it.return(undefined).catch(() => undefined);
    await job.dispose();
  },

  async exportZip(bundle) {
    try {
      const t0 = performance.now();
      const tree = writeMlrunsTree(bundle);
      const t1 = performance.now();
      // 'auto': small exports deflate (level 1), big ones are stored (see zip-write.ts).
      const zip = zipFiles(tree, { method: 'auto', level: 1 });
      const timings = { tree: t1 - t0, zip: performance.now() - t1 };
      return Comlink.transfer({ ok: true as const, value: zip, timings }, [zip.buffer]);
    } catch (e) {
      return fail(e);
    }
  },

  async exportAddRuns(jobId, runs, layout = 'mlruns') {
    try {
      await exports.add(jobId, runs, layout);
      return { ok: true as const, value: null };
    } catch (e) {
      drop(jobId);
      return fail(e);
    }
  },

  async exportTakeRuns(jobId) {
    try {
      const job = await exports.take(jobId);
      if (job !== undefined && !(job instanceof StreamedExport)) throw new Error(`export ${jobId} is not an mlruns/ export`);
      const runs = job?.take() ?? []; // no job: no batch came to this lane
      return Comlink.transfer({ ok: true as const, value: runs }, runBuffers(runs));
    } catch (e) {
      return fail(e);
    }
  },

  async exportFinish(jobId, experiments, registeredModels = [], layout = 'mlruns', datasets = [], onProgress) {
    const pending = exports.take(jobId);
    let started: StreamedExport | SqliteExport | undefined;
    const ctl = new AbortController();
    jobs.set(jobId, ctl);
    jobNames.set(jobId, 'export');
    try {
      started = await pending;
      const job = started ?? (await newExport(layout));
      let last = 0;
      const progress = (done: number, total: number) => {
        const now = performance.now();
        if (now - last < 100 && done < total) return;
        last = now;
        onProgress?.({ phase: 'compressing', done, total });
      };
      const { parts, timings } = await finishExport(job, experiments, registeredModels, datasets, { signal: ctl.signal, onProgress: progress });
      const t2 = performance.now();
      const zip = new Blob(parts as Uint8Array<ArrayBuffer>[], { type: 'application/zip' });
      return { ok: true as const, value: zip, timings: { ...timings, blob: performance.now() - t2 } };
    } catch (e) {
      if (started instanceof SqliteExport) started.close();
      return fail(e);
    } finally {
      jobs.delete(jobId);
      jobNames.delete(jobId);
    }
  },

  exportDrop(jobId) {
    drop(jobId);
  },

  async exportModelZip(input) {
    try {
      const zip = zipFiles(buildModelExport(input));
      return Comlink.transfer({ ok: true as const, value: zip }, [zip.buffer]);
    } catch (e) {
      return fail(e);
    }
  },

  cancel(jobId) {
    jobs.get(jobId)?.abort(new DOMException(`The ${jobNames.get(jobId) ?? 'import'} was cancelled.`, 'AbortError'));
  },
};

Comlink.expose(api);
