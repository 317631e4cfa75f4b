import { expect, test, type Page } from '@playwright/test';
import { SIZES, openLab, go, expectNoOverflow, expectAccessible } from './helpers';

// Issue 12's user name, changed in the browser: asked once on the welcome page, written as
// mlflow.user on the runs made afterwards, changed on the Class page, and the runs made before
// the change keep the old name. Names are typed and saved as a person does; runs are logged
// through window.mfflow, the lab's public API.

/** A finished run with one rmse; returns its id. */
async function logRun(page: Page, name: string, rmse: number): Promise<string> {
  return page.evaluate(async ({ name, rmse }) => {
    const m = window.mfflow;
    const run = await m.startRun({ runName: name });
    m.logMetric('rmse', rmse);
    await m.endRun();
    return run.runId;
  }, { name, rmse });
}

async function userOf(page: Page, runId: string): Promise<{ userId: string; tag: string | undefined }> {
  return page.evaluate(async (id) => {
    const r = await window.mfflow.getRun(id);
    return { userId: r.info.userId, tag: Object.prototype.hasOwnProperty.call(r.tags, 'mlflow.user') ? r.tags['mlflow.user'] : undefined };
  }, runId);
}

for (const size of SIZES) {
  test(`a name set on the welcome page, then changed on the Class page: each run keeps its own (${size.width} px)`, async ({ page }) => {
    await page.setViewportSize(size);
    await openLab(page);
    const welcome = page.getByRole('region', { name: 'Welcome to the lab' });
    await welcome.getByRole('textbox', { name: /^Your name/ }).fill('Ada');
    await welcome.getByRole('button', { name: 'Save name' }).click();
    await expect(welcome).toContainText('Your runs are saved as Ada');
    const first = await logRun(page, 'first', 0.5);
    expect(await userOf(page, first)).toEqual({ userId: 'Ada', tag: 'Ada' });

    await go(page, 'Class');
    const form = page.getByRole('form', { name: 'User name' });
    const field = form.getByRole('textbox', { name: /^Name on your runs/ });
    await expect(field).toHaveValue('Ada');
    await field.fill('  Bea  ');
    await form.getByRole('button', { name: 'Save name' }).click();
    await expect(form.getByRole('status')).toHaveText('Saved: new runs are by Bea.');
    await expect(page.getByText('New runs are by Bea.', { exact: true })).toBeVisible();
    const second = await logRun(page, 'second', 0.4);
    expect(await userOf(page, second)).toEqual({ userId: 'Bea', tag: 'Bea' });
    // The run made before the change is still Ada's.
    expect(await userOf(page, first)).toEqual({ userId: 'Ada', tag: 'Ada' });

    // The Class page's collection view and leaderboard show both people.
    const board = page.getByRole('table', { name: 'Leaderboard by rmse' });
    await expect(board.getByRole('rowheader')).toHaveText(['Bea', 'Ada']); // lowest rmse first
    await expect(board.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Ada' }) }).getByRole('link', { name: 'first' })).toBeVisible();
    const people = page.getByRole('region', { name: 'Runs by user' });
    await expect(people.getByRole('listitem')).toHaveCount(2);
    await expect(people.getByRole('listitem').filter({ hasText: 'Ada' })).toContainText('Ada: 1 run');
    await expect(people.getByRole('listitem').filter({ hasText: 'Bea' })).toContainText('Bea: 1 run');
    await expectNoOverflow(page);
    await expectAccessible(page, `class page ${size.width}`);

    // The name is remembered: after a reload the welcome question is not asked again.
    await page.reload();
    await expect(page.locator('html[data-lab-ready="true"]')).toBeAttached({ timeout: 30_000 });
    await expect(page.getByRole('form', { name: 'User name' }).getByRole('textbox')).toHaveValue('Bea');
    await page.screenshot({ path: `test-results/user-name/class-${size.width}.png`, fullPage: true });
  });
}
