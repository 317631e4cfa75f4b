/**
 * Untrusted files in every engine (docs/reliability-matrix.md Z4, R3, R4, R5): a zip bomb given
 * to importBundle, an HTML artifact whose script reaches for the lab, an SVG artifact with script
 * opened as a document of its own, an image bomb and a 200 MB text artifact in the preview. The
 * same checks as the Chromium tests of those rows (tests/e2e/bundles.spec.ts,
 * artifact-isolation.spec.ts, artifact-limits.spec.ts), through the driver-neutral EnginePage.
 */
import assert from 'node:assert/strict';
import type { EnginePage } from './driver';
import { openLab, waitFor, type Journey } from './journeys';
import { countRunsInPage } from '../fixtures/lab-in-page';
import {
  BIG_LOG, HOSTILE_FILES, IMPORT_NULL_ERROR, PNG_BOMB_REFUSAL, pngBomb, seedHostileRunInPage, seedPreviewRunInPage, zipBomb,
} from '../fixtures/untrusted-files';

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

const countRuns = (page: EnginePage) => page.eval(countRunsInPage);

const zipBombJourney: Journey = {
  name: 'Z4: a zip bomb is refused from its table of contents, nothing imported; a wrong argument gets a sentence',
  timeoutMs: 90_000,
  async run({ page }) {
    await openLab(page);
    const before = await countRuns(page);
    const out = await page.eval(async (zip) => {
      const m = window.mfflow;
      const t0 = performance.now();
      const bomb = await m.importBundle(Uint8Array.from(atob(zip), (c) => c.charCodeAt(0))).then(() => 'imported', (e: Error) => e.message);
      const ms = performance.now() - t0;
      const nul = await m.importBundle(null as unknown as string).then(() => 'imported', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
      return { bomb, nul, ms };
    }, b64(zipBomb()));
    // The API's error names the entry and the rule; the import form words it as the Chromium test reads.
    assert.match(out.bomb, /^mlruns\/0\/z\d+: archive of [\d,]+ bytes declares more than [\d,]+ bytes of content/);
    assert.match(out.bomb, /\(rule: ratio\)/);
    assert.match(out.bomb, /as a zip bomb does/);
    assert.equal(out.nul, IMPORT_NULL_ERROR);
    assert.equal(await countRuns(page), before);
  },
};

const seedHostile = (page: EnginePage) => page.eval(seedHostileRunInPage, HOSTILE_FILES);

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

const previewLimits: Journey = {
  name: 'R5: images from the engine\'s own encoders preview, a 20000 × 20000 PNG is refused from its header, a 200 MB text shows only its first 256 KiB',
  timeoutMs: 240_000,
  async run({ page }) {
    await openLab(page);
    const runId = await page.eval(seedPreviewRunInPage, {
      runName: 'images', images: [{ type: 'image/png', name: 'a.png' }, { type: 'image/jpeg', name: 'b.jpg' }], bomb: pngBomb(), log: BIG_LOG,
    });
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
    assert.deepEqual(bomb, { text: PNG_BOMB_REFUSAL, imgs: 0 });

    await clickButton(page, tree, 'logs');
    await clickButton(page, tree, 'train.log');
    await waitFor(page, 'the head of train.log', () => document.querySelector('[aria-label="Preview of logs/train.log"] pre') !== null, undefined, 60_000);
    const text = await page.eval((n) => {
      const p = document.querySelector('[aria-label="Preview of logs/train.log"]')!;
      const pre = p.querySelector('pre')!.textContent!;
      return { notice: p.querySelector('.notice')?.textContent?.trim(), length: pre.length, head: pre.slice(0, n) };
    }, BIG_LOG.line.length);
    assert.deepEqual(text, { notice: BIG_LOG.notice, length: BIG_LOG.previewChars, head: BIG_LOG.line });
  },
};

export const ARTIFACT_JOURNEYS: Journey[] = [zipBombJourney, htmlArtifact, svgArtifact, previewLimits];
