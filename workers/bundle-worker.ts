/**
 * The bundle worker (src/lib/bundles/worker-api.ts): untrusted archives are unzipped, checked
 * and read here, and export zips are built here, off the page's main thread.
 */
import * as Comlink from 'comlink';
import { exportMlflowZip } from '../src/lib/mlflow/bundle-zip';
import { zipFiles } from '../src/lib/archive/zip-write';
import { buildModelExport } from '../src/lib/bundles/model-export';
import { prepareArchiveBlob, prepareArchiveBytes } from '../src/lib/bundles/prepare-archive';
import { buffersOf, describeFailure, type BundleResult, type BundleWorkerApi } from '../src/lib/bundles/worker-api';

const jobs = new Map<string, AbortController>();

function fail(e: unknown): BundleResult<never> {
  return { ok: false, error: describeFailure(e) };
}

const api: BundleWorkerApi = {
  async prepareImport(jobId, source, onProgress) {
    const ctl = new AbortController();
    jobs.set(jobId, ctl);
    try {
      let blob: Blob | Uint8Array = source instanceof Uint8Array || source instanceof Blob ? source : new Blob();
      if (!(source instanceof Uint8Array) && !(source instanceof Blob)) {
        onProgress?.({ phase: 'downloading', done: 0, total: 0 });
        const res = await fetch(source.url, { signal: ctl.signal });
        if (!res.ok) throw new Error(`could not download ${source.url}: HTTP ${res.status}`);
        blob = await res.blob();
      }
      const opts = {
        signal: ctl.signal,
        onProgress: (p: { bytesOut: number; bytesTotal: number }) => onProgress?.({ phase: 'reading', done: p.bytesOut, total: p.bytesTotal }),
      };
      const prep = blob instanceof Uint8Array ? prepareArchiveBytes(blob, opts) : await prepareArchiveBlob(blob, opts);
      return Comlink.transfer({ ok: true as const, value: prep }, buffersOf(prep));
    } catch (e) {
      return fail(e);
    } finally {
      jobs.delete(jobId);
    }
  },

  async exportZip(bundle) {
    try {
      // 'auto': small exports deflate (level 1), big ones are stored (see zip-write.ts).
      const zip = exportMlflowZip(bundle, { method: 'auto', level: 1 });
      return Comlink.transfer({ ok: true as const, value: zip }, [zip.buffer]);
    } catch (e) {
      return fail(e);
    }
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
    jobs.get(jobId)?.abort(new DOMException('The import was cancelled.', 'AbortError'));
  },
};

Comlink.expose(api);
