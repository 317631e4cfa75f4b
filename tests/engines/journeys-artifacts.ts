/**
 * Untrusted files in every engine (docs/reliability-matrix.md Z4, R3, R4, R5): a zip bomb given
 * to importBundle, an HTML artifact whose script reaches for the lab, an SVG artifact with script
 * opened as a document of its own, an image bomb and a 200 MB text artifact in the preview. The
 * same checks as the Chromium tests of those rows (tests/e2e/bundles.spec.ts,
 * artifact-isolation.spec.ts, artifact-limits.spec.ts), through the driver-neutral EnginePage.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'fflate';
import type { EnginePage } from './driver';
import { openLab, waitFor, type Journey } from './journeys';
import { rawZip } from '../unit/archive-zip-craft';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Marks the first button under `within` whose text contains `text`, then clicks it with the driver. */
async function clickButton(page: EnginePage, within: string, text: string): Promise<void> {
  await waitFor(page, `a button "${text}" in ${within}`, ({ within: w, text: t }) => {
    const b = [...document.querySelectorAll(`${w} button`)].find((x) => x.textContent?.includes(t));
    if (!b) return false;
    document.querySelectorAll('[data-journey-click]').forEach((e) => e.removeAttribute('data-journey-click'));
    b.setAttribute('data-journey-click', '');
    return true;
  }, { within, text });
  await page.click('[data-journey-click]');
}

async function openRun(page: EnginePage, runId: string): Promise<void> {
  await page.goto(`#/run/${runId}`);
  await waitFor(page, 'the artifact tree', () => document.querySelector('[aria-label="Artifacts"]') !== null, undefined, 20_000);
}

const countRuns = (page: EnginePage) => page.eval(async () => {
  const ids = (await window.mfflow.listExperiments('ALL')).map((e) => e.experimentId);
  return (await window.mfflow.searchRuns({ experimentIds: ids, runViewType: 'ALL' })).runs.length;
});

const zipBomb: Journey = {
  name: 'Z4: a zip bomb is refused from its table of contents, nothing imported; a wrong argument gets a sentence',
  timeoutMs: 90_000,
  async run({ page }) {
    await openLab(page);
    const before = await countRuns(page);
    // 300 entries of 1 MiB of zeros each: a small zip declaring 300 MiB.
    const zeros = new Uint8Array(1 << 20);
    const body = deflateSync(zeros, { level: 1 });
    const bomb = rawZip(Array.from({ length: 300 }, (_, i) => ({ name: `mlruns/0/z${i}`, data: zeros, body, method: 8, crc: 0xa738ea1c })));
    const out = await page.eval(async (zip) => {
      const m = window.mfflow;
      const t0 = performance.now();
      const bomb = await m.importBundle(Uint8Array.from(atob(zip), (c) => c.charCodeAt(0))).then(() => 'imported', (e: Error) => e.message);
      const ms = performance.now() - t0;
      const nul = await m.importBundle(null as unknown as string).then(() => 'imported', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
      return { bomb, nul, ms };
    }, b64(bomb));
    // The API's error names the entry and the rule; the import form words it as the Chromium test reads.
    assert.match(out.bomb, /^mlruns\/0\/z\d+: archive of [\d,]+ bytes declares more than [\d,]+ bytes of content/);
    assert.match(out.bomb, /\(rule: ratio\)/);
    assert.match(out.bomb, /as a zip bomb does/);
    assert.equal(out.nul, "INVALID_PARAMETER_VALUE: importBundle() takes the zip's bytes (Uint8Array, ArrayBuffer), a File or Blob, or a URL; got null.");
    assert.equal(await countRuns(page), before);
  },
};

const HOSTILE_HTML = `<h1>Quarterly report</h1><script>
  try { parent.document.title = 'owned'; } catch (e) {}
  try { indexedDB.deleteDatabase('mfflow'); indexedDB.open('planted-by-artifact'); } catch (e) {}
  try { top.location = 'about:blank#owned'; } catch (e) {}
  try { parent.__pwned = 1; } catch (e) {}
</script><img src="x" onerror="top.location='about:blank#owned2'">`;
const HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" onload="window.__svg=1;document.title=\'svg-ran\'">'
  + '<script>document.title=\'svg-script-ran\';try{indexedDB.open(\'planted-by-svg\')}catch(e){window.__idbError=e.name}</script>'
  + '<rect width="40" height="30" fill="#228833"/></svg>';

async function seedHostile(page: EnginePage): Promise<string> {
  return page.eval(async (a) => {
    const m = window.mfflow;
    await m.setExperiment('isolation');
    const run = await m.startRun({ runName: 'hostile-artifacts' });
    for (let i = 0; i < 10; i++) m.logMetric('loss', 1 / (i + 1), i);
    await m.logText(a.html, 'report.html');
    await m.logText(a.svg, 'plots/chart.svg');
    await m.endRun();
    return run.runId;
  }, { html: HOSTILE_HTML, svg: HOSTILE_SVG });
}

const dbNames = (page: EnginePage) => page.eval(async () => (await indexedDB.databases()).map((d) => d.name ?? '').sort());

const htmlArtifact: Journey = {
  name: 'R3: an HTML artifact with scripts on cannot open the lab\'s IndexedDB, touch the parent or navigate the tab',
  timeoutMs: 90_000,
  // Its inline script is refused by the policy the srcdoc frame inherits: a violation on purpose.
  injectsViolations: true,
  async run({ page }) {
    await openLab(page);
    const runId = await seedHostile(page);
    const before = await dbNames(page);
    await openRun(page, runId);
    const url = await page.eval(() => location.href.replace(/#.*/, ''));
    await clickButton(page, '[aria-label="Artifacts"]', 'report.html');
    const frame = 'iframe[title^="HTML artifact"]';
    await waitFor(page, 'the sandboxed frame', (css) => document.querySelector(css) !== null, frame);
    await page.click('[aria-label^="Preview of"] input[type="checkbox"]');
    await waitFor(page, 'the frame with scripts on', (css) => document.querySelector(css)?.getAttribute('sandbox') === 'allow-scripts', frame);
    await new Promise((r) => setTimeout(r, 800));

    const seen = await page.eval((css) => {
      const f = document.querySelector(css) as HTMLIFrameElement;
      let parentSees: string;
      // An opaque-origin frame is cross-origin to the lab: its document is closed to the parent.
      try { parentSees = f.contentDocument === null ? 'no access' : 'document'; } catch (e) { parentSees = (e as Error).name; }
      return {
        sandboxes: [...document.querySelectorAll('iframe')].map((x) => x.getAttribute('sandbox')),
        parentSees,
        url: location.href.replace(/#.*/, ''),
        title: document.title,
        pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      };
    }, frame);
    assert.ok(seen.sandboxes.length > 0);
    for (const sb of seen.sandboxes) assert.ok(sb !== null && !(sb.includes('allow-scripts') && sb.includes('allow-same-origin')), `sandbox ${sb}`);
    assert.equal(seen.parentSees, 'no access');
    assert.equal(seen.url, url);
    assert.notEqual(seen.title, 'owned');
    assert.equal(seen.pwned, null);
    // Chromium also reads the policy's refusal of the frame's inline script on the console; neither
    // Firefox over BiDi nor WebKit's driver reports a sandboxed srcdoc frame's console to the page,
    // so here the witnesses are the effects above and below (none took place).
    const after = await dbNames(page);
    assert.deepEqual(after, before);
    assert.ok(before.includes('mfflow'));
    assert.equal(await page.eval(async (id) => (await window.mfflow.getMetricHistory(id, 'loss')).values.length, runId), 10);
  },
};

const svgArtifact: Journey = {
  name: 'R4: an SVG artifact with scripts previews as an image that runs nothing, and opened as a document of its own never gets the lab\'s origin',
  timeoutMs: 90_000,
  async run(s) {
    const { page } = s;
    await openLab(page);
    const runId = await seedHostile(page);
    const before = await dbNames(page);
    await openRun(page, runId);
    await clickButton(page, '[aria-label="Artifacts"]', 'plots');
    await clickButton(page, '[aria-label="Artifacts"]', 'chart.svg');
    const img = '[aria-label^="Preview of"] img[alt="chart.svg"]';
    await waitFor(page, 'the SVG drawn as an image', (css) => (document.querySelector(css) as HTMLImageElement | null)?.naturalWidth === 40, img);
    const inLab = await page.eval((css) => ({
      title: document.title,
      svg: (window as unknown as { __svg?: unknown }).__svg ?? null,
      src: (document.querySelector(css) as HTMLImageElement).src,
    }), img);
    assert.doesNotMatch(inLab.title, /svg/);
    assert.equal(inLab.svg, null);
    assert.ok(inLab.src.startsWith('data:image/svg+xml'), inLab.src.slice(0, 40));

    // "Open image in new tab": the same URL as a document of its own.
    const tab = await s.secondTab();
    let inTab: { origin: string; root: string; title: string; idb: string; storage: string };
    try {
      await tab.goto(inLab.src);
      inTab = await tab.eval(async () => ({
        origin,
        root: document.documentElement?.nodeName ?? '',
        title: document.title,
        idb: await Promise.resolve().then(() => { try { indexedDB.open('probe'); return 'opened'; } catch (e) { return (e as Error).name; } }),
        storage: (() => { try { return String(localStorage.length); } catch (e) { return (e as Error).name; } })(),
      }));
    } finally {
      await tab.close();
    }
    // The SVG document and its scripts run (its inline script, then its onload), with an opaque
    // origin: IndexedDB and localStorage refuse. Firefox and WebKit both open the data: URL the driver navigates to.
    assert.deepEqual(inTab, { origin: 'null', root: 'svg', title: 'svg-ran', idb: 'SecurityError', storage: 'SecurityError' });
    assert.deepEqual(await dbNames(page), before);
    assert.equal(await page.eval(async (id) => (await window.mfflow.getRun(id)).info.status, runId), 'FINISHED');
  },
};

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A 20000 × 20000 RGBA PNG header with a little deflated data: decoding it would take 1.6 GB. */
function pngBomb(): number[] {
  const enc = (t: string) => [...t].map((c) => c.charCodeAt(0));
  const idat = [...enc('IDAT'), ...deflateSync(new Uint8Array(1 << 16))];
  return [0x89, ...enc('PNG\r\n\x1a\n'), ...be32(13), ...enc('IHDR'), ...be32(20000), ...be32(20000), 8, 6, 0, 0, 0, 0, 0, 0, 0,
    ...be32(idat.length - 4), ...idat, 0, 0, 0, 0];
}

const previewLimits: Journey = {
  name: 'R5: images from the engine\'s own encoders preview, a 20000 × 20000 PNG is refused from its header, a 200 MB text shows only its first 256 KiB',
  timeoutMs: 240_000,
  async run({ page }) {
    await openLab(page);
    const runId = await page.eval(async (bomb) => {
      const m = window.mfflow;
      await m.setExperiment('previews');
      const run = await m.startRun({ runName: 'images' });
      const canvas = document.createElement('canvas');
      canvas.width = 300;
      canvas.height = 200;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#4477aa';
      g.fillRect(0, 0, 300, 200);
      for (const [type, name] of [['image/png', 'a.png'], ['image/jpeg', 'b.jpg']]) {
        const blob = await new Promise<Blob>((res) => canvas.toBlob((b) => res(b!), type));
        await m.logArtifact(`plots/${name}`, new Uint8Array(await blob.arrayBuffer()));
      }
      await m.logArtifact('plots/bomb.png', new Uint8Array(bomb));
      const line = new TextEncoder().encode('epoch 1 loss 0.123456 val_loss 0.234567 ok\n'); // 44 bytes
      const bytes = new Uint8Array(200 * 1000 * 1000);
      for (let o = 0; o < bytes.length; o += line.length) bytes.set(line.subarray(0, Math.min(line.length, bytes.length - o)), o);
      await m.logArtifact('logs/train.log', bytes);
      await m.endRun();
      return run.runId;
    }, pngBomb());
    await openRun(page, runId);
    const tree = '[aria-label="Artifacts"]';
    await clickButton(page, tree, 'plots');
    for (const name of ['a.png', 'b.jpg']) {
      await clickButton(page, tree, name);
      await waitFor(page, `${name} decoded at 300 × 200`, (n) => {
        const img = document.querySelector(`[aria-label^="Preview of"] img[alt="${n}"]`) as HTMLImageElement | null;
        return img?.naturalWidth === 300 && img.naturalHeight === 200;
      }, name);
    }
    await clickButton(page, tree, 'bomb.png');
    await waitFor(page, 'the bomb refused', () => document.querySelector('[aria-label="Preview of plots/bomb.png"] [role="status"]')?.textContent?.includes('Not previewed'));
    const bomb = await page.eval(() => {
      const p = document.querySelector('[aria-label="Preview of plots/bomb.png"]')!;
      return { text: p.querySelector('[role="status"]')!.textContent!.trim(), imgs: p.querySelectorAll('img').length };
    });
    assert.deepEqual(bomb, {
      text: 'Not previewed: The image is 20,000 × 20,000 pixels (400 megapixels), over the 50 megapixels preview limit; download it instead.',
      imgs: 0,
    });

    await clickButton(page, tree, 'logs');
    await clickButton(page, tree, 'train.log');
    await waitFor(page, 'the head of train.log', () => document.querySelector('[aria-label="Preview of logs/train.log"] pre') !== null, undefined, 60_000);
    const text = await page.eval(() => {
      const p = document.querySelector('[aria-label="Preview of logs/train.log"]')!;
      const pre = p.querySelector('pre')!.textContent!;
      return { notice: p.querySelector('.notice')?.textContent?.trim(), length: pre.length, head: pre.slice(0, 21) };
    });
    assert.deepEqual(text, { notice: 'Showing the first 256.0 KiB of 190.7 MiB; download for the rest.', length: 256 * 1024, head: 'epoch 1 loss 0.123456' });
  },
};

export const ARTIFACT_JOURNEYS: Journey[] = [zipBomb, htmlArtifact, svgArtifact, previewLimits];
