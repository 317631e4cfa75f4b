import { describe, expect, it } from 'vitest';
import type { CsvProgress } from '../../src/lib/data/csv';
import { CsvError } from '../../src/lib/data/csv-errors';
import { createCsvWorkerApi, tableTransferables, unwrapCsvOutcome } from '../../src/lib/data/worker-api';
import { EXAMPLE_DATASETS } from '../../src/lib/data/examples';
import { tableDigest } from '../../src/lib/data/digest';
import { WINE_URLS, wineText } from '../data/wine';

/** A fetch that serves fixed texts as streamed responses, like a CDN would. */
function fakeFetch(files: Record<string, string>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (!(url in files)) return new Response('not here', { status: 404, statusText: 'Not Found' });
    const bytes = new TextEncoder().encode(files[url]);
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (init?.signal?.aborted) return c.error(new DOMException('aborted', 'AbortError'));
        if (at >= bytes.length) return c.close();
        c.enqueue(bytes.slice(at, at + 4096));
        at += 4096;
      },
    });
    return new Response(body, { headers: { 'content-length': String(bytes.length) } });
  }) as typeof fetch;
}

describe('CSV worker API', () => {
  it('lists the wine examples at the URLs the test data comes from', () => {
    expect(EXAMPLE_DATASETS.map((e) => [e.name, e.url, e.defaultTarget])).toEqual([
      ['Wine quality (red)', WINE_URLS['winequality-red.csv'], 'quality'],
      ['Wine quality (white)', WINE_URLS['wine-quality.csv'], 'quality'],
    ]);
  });

  it('parses a URL by streaming it, with progress, profile and digest', async () => {
    const red = await wineText('winequality-red.csv');
    const url = EXAMPLE_DATASETS[0].url;
    const api = createCsvWorkerApi({ fetch: fakeFetch({ [url]: red }) });
    const seen: CsvProgress[] = [];
    const r = unwrapCsvOutcome(await api.parse({ url }, {}, (p) => seen.push(p)));
    expect(r.table.rowCount).toBe(EXAMPLE_DATASETS[0].expectedRows);
    expect(r.table.columns).toHaveLength(EXAMPLE_DATASETS[0].expectedColumns);
    expect(r.delimiter).toBe(';');
    expect(r.byteSize).toBe(Buffer.byteLength(red));
    expect(r.digest).toBe(tableDigest(r.table));
    expect(r.profile[11]).toMatchObject({ name: 'quality', min: 3, max: 8 });
    expect(r.sourceType).toBe('http');
    expect(JSON.parse(r.source)).toEqual({ url });
    expect(seen.at(-1)).toMatchObject({ loadedBytes: r.byteSize, totalBytes: r.byteSize, rows: 1599 });
    // Every numeric column can be transferred: one buffer each, none shared.
    const buffers = tableTransferables(r.table);
    expect(buffers).toHaveLength(12);
    expect(new Set(buffers).size).toBe(12);
    expect(buffers[0].byteLength).toBe(1599 * 8);
  });

  it('parses a File and names it as a local source', async () => {
    const api = createCsvWorkerApi();
    const file = new File(['a,b\n1,2\n'], 'mine.csv');
    const r = unwrapCsvOutcome(await api.parse(file, {}));
    expect(r.sourceType).toBe('local');
    expect(r.source).toBe('{"uri": "mine.csv"}');
  });

  it('returns CsvErrors as data and rethrows them on the page side with row and column', async () => {
    const api = createCsvWorkerApi();
    const outcome = await api.parse(new Blob(['a,b\n1,2\n3\n']), {});
    expect(outcome.ok).toBe(false);
    // What crosses the worker boundary must survive structured clone unchanged.
    const cloned = structuredClone(outcome);
    expect(() => unwrapCsvOutcome(cloned)).toThrow(CsvError);
    try {
      unwrapCsvOutcome(cloned);
    } catch (e) {
      expect(e).toMatchObject({ code: 'ragged-row', row: 3 });
    }
  });

  it('reports HTTP failures', async () => {
    const api = createCsvWorkerApi({ fetch: fakeFetch({}) });
    const outcome = await api.parse({ url: 'https://example.org/missing.csv' }, {});
    expect(() => unwrapCsvOutcome(outcome)).toThrow(/answered 404/);
  });

  it('cancel(jobId) stops a running parse with an AbortError', async () => {
    const big = 'x,y\n' + '1,2\n'.repeat(3_000_000);
    const api = createCsvWorkerApi();
    let cancelled = false;
    const pending = api.parse(new Blob([big]), { jobId: 'j1' }, (p) => {
      if (!cancelled && p.loadedBytes > 1_000_000) {
        cancelled = true;
        api.cancel('j1');
      }
    });
    const outcome = await pending;
    expect(outcome).toMatchObject({ ok: false, error: { name: 'AbortError' } });
    expect(() => unwrapCsvOutcome(outcome)).toThrow(expect.objectContaining({ name: 'AbortError' }));
  });
});
