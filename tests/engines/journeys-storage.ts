/**
 * S3 in every engine: the lab's data deleted between two visits is said on the next open.
 * Neither Firefox's BiDi nor WebDriver classic can clear site data (Chromium's test uses CDP's
 * Storage.clearDataForOrigin). What an eviction or "clear site data" of IndexedDB leaves is the
 * same whoever deletes it: no database, the marker in localStorage kept. So a page of the origin
 * that runs none of the lab's code deletes the database while no lab page is open.
 */
import assert from 'node:assert/strict';
import type { EnginePage } from './driver';
import { openLab, waitFor, type Journey } from './journeys';

/** A page of the lab's origin outside the lab (the server's 404), where no lab code holds the database. */
async function deleteLabDatabase(page: EnginePage, keepMarker: boolean): Promise<void> {
  await page.goto('../storage-probe');
  await page.eval(async (keep) => {
    if (!keep) localStorage.removeItem('mfflow:stored-runs');
    await new Promise((res, rej) => {
      const r = indexedDB.deleteDatabase('mfflow');
      r.onsuccess = res;
      r.onerror = () => rej(r.error);
      r.onblocked = () => rej(new Error('a lab page still holds the database'));
    });
  }, keepMarker);
}

const NOTICE = '[role="alert"][aria-label="Stored data was deleted"]';

const deletedBetweenVisits: Journey = {
  name: 'S3: data deleted between visits is said on the next open with an import prompt, once',
  timeoutMs: 90_000,
  async run(s) {
    const page = await s.freshPage();
    try {
      // From an empty lab (WebKit's fresh page is another origin, which earlier journeys may have used).
      await deleteLabDatabase(page, false);
      await openLab(page);
      await page.eval(async () => {
        const m = window.mfflow;
        await m.setExperiment('soon gone');
        for (const name of ['soon-gone', 'also-gone']) {
          await m.startRun({ runName: name });
          for (let i = 0; i < 20; i++) m.logMetric('loss', 1 / (i + 1), i);
          await m.endRun();
        }
      });
      // The marker outside IndexedDB follows the store a second after a change.
      await waitFor(page, 'the marker to count 2 runs', () => JSON.parse(localStorage.getItem('mfflow:stored-runs') ?? '{}').runs === 2, undefined, 5000);

      await deleteLabDatabase(page, true);
      await openLab(page);
      await waitFor(page, 'the deleted-data notice', (css) => document.querySelector(css) !== null, NOTICE, 10_000);
      const notice = await page.eval((css) => {
        const n = document.querySelector(css)!;
        return { text: n.textContent ?? '', buttons: [...n.querySelectorAll('button')].map((b) => b.textContent?.trim()) };
      }, NOTICE);
      assert.match(notice.text, /The browser deleted this lab/);
      assert.match(notice.text, /2 runs/);
      assert.ok(notice.buttons.includes('Import a bundle…'), notice.buttons.join(', '));
      await page.eval((css) => {
        document.querySelectorAll('[data-journey-click]').forEach((e) => e.removeAttribute('data-journey-click'));
        [...document.querySelectorAll(`${css} button`)].find((b) => b.textContent?.trim() === 'Dismiss')!.setAttribute('data-journey-click', '');
      }, NOTICE);
      await page.click('[data-journey-click]');
      await waitFor(page, 'the notice to go', (css) => document.querySelector(css) === null, NOTICE);
      // Said once: the next open is quiet.
      await page.reload();
      await openLab(page);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await page.eval((css) => document.querySelector(css) !== null, NOTICE), false);
    } finally {
      await page.close();
    }
  },
};

export const STORAGE_JOURNEYS: Journey[] = [deletedBetweenVisits];
