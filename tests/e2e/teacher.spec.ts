import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openLab, expectLabReady, go, expectNoOverflow, expectAccessible, shot, SIZES } from './helpers';

// Issue 12's teacher journey, walked as people do (clicks and typing, never window.mfflow):
// three students each give their name, train MLflow's wine example with their own params and
// export their lab; the teacher imports the three bundles and reads a per-user leaderboard.
// Then Reset lab: an export is offered first, and everything the lab kept is proven gone.

// The students walk once, for both teachers' tests (the bundles are files; each teacher imports
// them into a lab of their own). Their sizes alternate, so every student step is walked at both.
const STUDENTS = [
  { name: 'Ada', alpha: '0.05', l1: '0.1', size: SIZES[0] },
  { name: 'Bob', alpha: '0.9', l1: '0.9', size: SIZES[1] },
  { name: 'Cy', alpha: '0.2', l1: '0.5', size: SIZES[0] },
] as const;

/** The rmse a finished training job shows. */
async function jobRmse(page: Page, index: number): Promise<number> {
  const job = page.getByRole('article', { name: /^Training job / }).nth(index);
  await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
  const cell = job.getByRole('table', { name: /^Metrics of / }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'rmse', exact: true }) }).getByRole('cell');
  return Number(await cell.getAttribute('title'));
}

/** A student's lab in a context of their own: name, two trainings, Export lab. Returns the zip's path and best rmse. */
async function student(browser: Browser, baseURL: string, s: (typeof STUDENTS)[number], dir: string): Promise<{ zip: string; best: number }> {
  const context = await browser.newContext({ baseURL, viewport: s.size, acceptDownloads: true });
  const page = await context.newPage();
  await openLab(page);
  const welcome = page.getByRole('region', { name: 'Welcome to the lab' });
  await welcome.getByRole('textbox', { name: /^Your name/ }).fill(s.name);
  await welcome.getByRole('button', { name: 'Save name' }).click();
  await expect(welcome).toContainText(`Your runs are saved as ${s.name}`);
  await welcome.getByRole('link', { name: /Train the wine example/ }).click();
  const tutorial = await jobRmse(page, 0);
  // Their own params, typed into the form.
  const form = page.getByRole('form', { name: 'New run' });
  await form.getByLabel('alpha', { exact: true }).fill(s.alpha);
  await form.getByLabel('l1_ratio', { exact: true }).fill(s.l1);
  await form.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('article', { name: /^Training job / })).toHaveCount(2);
  const all = [await jobRmse(page, 0), await jobRmse(page, 1)];
  expect(all).toContain(tutorial);
  expect(new Set(all).size).toBe(2);
  // The run says who made it.
  await go(page, 'Runs');
  const rows = page.getByRole('grid', { name: /^Runs of / }).locator('tbody tr[data-run-id]');
  await expect(rows).toHaveCount(2);
  await rows.first().getByRole('link').first().click();
  await expect(page.getByRole('definition').filter({ hasText: new RegExp(`^${s.name}$`) })).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  const zip = `${dir}/${s.name}.zip`;
  await (await download).saveAs(zip);
  if (s.name !== 'Cy') await shot(page, 'teacher/student-run', { fullPage: true });
  await context.close();
  return { zip, best: Math.min(...all) };
}

let bundles = '';
const made: ((typeof STUDENTS)[number] & { zip: string; best: number })[] = [];
test.beforeAll(async ({ browser }, info) => {
  // Three labs, six trainings and three exports: minutes on a loaded 2-core machine.
  test.setTimeout(600_000);
  bundles = mkdtempSync(join(tmpdir(), 'mfflow-students-'));
  for (const s of STUDENTS) made.push({ ...s, ...(await student(browser, info.project.use.baseURL!, s, bundles)) });
});
test.afterAll(() => { if (bundles) rmSync(bundles, { recursive: true, force: true }); });

for (const size of SIZES) {
  test(`a teacher at ${size.width}px imports three students' bundles and reads a per-user leaderboard, then resets the lab`, async ({ page, context }, info) => {
    // One lab, four imports and two exports.
    test.setTimeout(300_000);

    await page.setViewportSize(size);
    await openLab(page);
    const welcome = page.getByRole('region', { name: 'Welcome to the lab' });
    await expectAccessible(page, 'welcome with the name prompt');
    await welcome.getByRole('button', { name: 'Skip' }).click();
    await expect(welcome.getByRole('textbox', { name: /^Your name/ })).toHaveCount(0);
    for (const m of made) {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Import bundle…' }).click();
      await (await chooser).setFiles(m.zip);
      await expect(page.getByTestId('bundle-report')).toContainText(/2 run\(s\) added/, { timeout: 60_000 });
    }
    await go(page, 'Class');
    await expect(page).toHaveTitle('Class · MFFlow');
    const board = page.getByRole('table', { name: 'Leaderboard by rmse' });
    await expect(board).toBeVisible();
    // rmse is an error: smallest first, each student once with their best of two runs.
    const expected = [...made].sort((a, b) => a.best - b.best);
    const body = board.locator('tbody tr');
    await expect(body).toHaveCount(3);
    for (const [i, m] of expected.entries()) {
      const row = body.nth(i);
      await expect(row.getByRole('rowheader')).toHaveText(m.name);
      await expect(row.getByRole('cell').nth(0)).toHaveText(String(i + 1));
      await expect(row.getByRole('cell').nth(1)).toHaveText(String(Number(m.best.toPrecision(4))));
      await expect(row.getByRole('cell').nth(3)).toHaveText('2 of 2');
    }
    // A score sorts the other way: r2, highest first.
    await page.getByLabel('Metric', { exact: true }).selectOption('r2');
    const r2 = page.getByRole('table', { name: 'Leaderboard by r2' }).locator('tbody tr');
    const r2Values = (await r2.locator('td:nth-child(3)').allTextContents()).map(Number);
    expect(r2Values).toHaveLength(3);
    expect([...r2Values].sort((a, b) => b - a)).toEqual(r2Values);
    await page.getByLabel('Metric', { exact: true }).selectOption('rmse');
    // Runs by user: where each one came from.
    const people = page.getByRole('region', { name: 'Runs by user' });
    for (const m of made) await expect(people).toContainText(`${m.name}: 2 runs (2 imported)`);
    await expectNoOverflow(page);
    await expectAccessible(page, 'class');
    await shot(page, 'teacher/teacher-leaderboard', { fullPage: true });

    // A student's runs from the list: the runs table filtered to them.
    await people.getByRole('link', { name: new RegExp(`^${expected[0].name}'s runs in `) }).first().click();
    await expect(page.getByRole('grid', { name: /^Runs of / }).locator('tbody tr[data-run-id]')).toHaveCount(2);

    // Reset lab: the export comes first, then everything the lab kept is erased.
    await go(page, 'Class');
    const storageText = page.getByText(/^Used: /);
    await expect(storageText).toBeVisible();
    await page.getByRole('button', { name: 'Reset lab…' }).click();
    const reset = page.getByRole('group', { name: /Erase this lab\?/ });
    await expect(reset.getByRole('button', { name: '2. Erase everything' })).toBeDisabled();
    const download = page.waitForEvent('download');
    await reset.getByRole('button', { name: '1. Export lab first' }).click();
    const backup = `${info.outputDir}/before-reset.zip`;
    await (await download).saveAs(backup);
    await expect(reset.getByRole('status')).toContainText('Downloaded');
    await reset.getByRole('checkbox', { name: 'I have the export; erase everything' }).check();
    await expectAccessible(page, 'reset');
    await shot(page, 'teacher/teacher-reset', { fullPage: true });
    // Before erasing: the lab holds a database, caches, a service worker and settings.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    const before = await page.evaluate(footprint);
    expect(before.databases).toContain('mfflow');
    expect(before.caches.length).toBeGreaterThan(0);
    expect(before.registrations).toBe(1);
    expect(before.keys.length).toBeGreaterThan(0);
    // Hold the reload, to look at the browser's storage from a page outside the lab in between.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reloaded = false;
    // Held 30 s at most, and let go in `finally`: a route left waiting keeps the context from
    // closing, so a step below that never answered hung the test past its timeout (seen here in
    // about one run in three at 1440 px) instead of failing it.
    await context.route((url) => url.pathname === '/lab/', async (route) => {
      reloaded = true;
      await Promise.race([held, new Promise((r) => setTimeout(r, 30_000))]);
      await route.continue();
    });
    try {
      await reset.getByRole('button', { name: '2. Erase everything' }).click();
      await expect.poll(() => reloaded, { timeout: 30_000 }).toBe(true);
      const outside = await context.newPage();
      await outside.goto('/not-the-lab', { timeout: 30_000 });
      const after = await outside.evaluate(footprint);
      expect(after).toEqual({ databases: [], caches: [], registrations: 0, keys: [] });
      await outside.close();
    } finally {
      release();
    }
    await context.unroute((url) => url.pathname === '/lab/');
    await expectLabReady(page);
    await expect(page.getByRole('region', { name: 'Welcome to the lab' })).toBeVisible();
    // A clean welcome: the name is asked again, no banner says data was lost.
    await expect(page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('textbox', { name: /^Your name/ })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expectNoOverflow(page);
    await shot(page, 'teacher/teacher-after-reset', { fullPage: true });
    // And the export taken first brings the class back.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import bundle…' }).click();
    await (await chooser).setFiles(backup);
    await expect(page.getByTestId('bundle-report')).toContainText(/6 run\(s\) added/, { timeout: 60_000 });
  });
}

/** What the lab's origin holds in the browser. Runs in the page (serialised by Playwright). */
async function footprint(): Promise<{ databases: string[]; caches: string[]; registrations: number; keys: string[] }> {
  return {
    databases: (await indexedDB.databases()).map((d) => d.name ?? '').sort(),
    caches: (await caches.keys()).sort(),
    registrations: (await navigator.serviceWorker.getRegistrations()).length,
    keys: Object.keys(localStorage).sort(),
  };
}
