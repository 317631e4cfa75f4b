import { expect, test } from '@playwright/test';
import { openLab, expectLabReady, expectNoOverflow, expectAccessible, shot, SIZES } from './helpers';

// The guided tour of MLflow's wine tutorial, followed as a student alone would: each step's
// "Show me" goes to the page and marks the real control, the student uses that control, and the
// tour moves on by itself. Midway the page reloads and the tour resumes at the same step.

for (const size of SIZES) {
  test(`the guided tour at ${size.width}px: a student follows it from the welcome page to the export, with a reload midway`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await openLab(page);
    const welcome = page.getByRole('region', { name: 'Welcome to the lab' });
    await welcome.getByRole('button', { name: 'Skip' }).click();
    await welcome.getByRole('button', { name: 'Take the guided tour' }).click();
    const tour = page.getByRole('complementary', { name: 'Guided tour' });
    const marked = page.locator('[data-tour-target]');
    const step = async (n: number, title: string) => {
      await expect(tour).toContainText(`Step ${n} of 6`, { timeout: 60_000 });
      await expect(tour.getByRole('heading')).toHaveText(title);
    };
    /** "Show me", then the marked control must be the one named. */
    const showMe = async (name: RegExp | string) => {
      await tour.getByRole('button', { name: 'Show me' }).click();
      await expect(marked).toHaveCount(1);
      await expect(marked).toHaveAccessibleName(name);
    };

    await step(1, 'Load the wine data');
    await expectAccessible(page, 'tour step 1');
    await shot(page, 'tour/tour-1');
    await showMe('Wine quality (red)');
    await expect(page).toHaveTitle('Datasets · MFFlow');
    await marked.click();

    await step(2, 'Train three models');
    await showMe('Train');
    await expect(page).toHaveTitle('New run · MFFlow');
    await marked.click();
    await expect(tour.getByRole('status')).toHaveText('1 of 3 trained', { timeout: 60_000 });
    const form = page.getByRole('form', { name: 'New run' });
    for (const [alpha, l1] of [['0.1', '0.2'], ['0.9', '0.7']]) {
      await form.getByLabel('alpha', { exact: true }).fill(alpha);
      await form.getByLabel('l1_ratio', { exact: true }).fill(l1);
      await marked.click();
    }
    await expectNoOverflow(page);
    await shot(page, 'tour/tour-2');

    await step(3, 'Compare them');
    // Resumable: a reload keeps the student at this step.
    await page.reload();
    await expectLabReady(page);
    await step(3, 'Compare them');
    await showMe(/^Select all 3 runs$/);
    await marked.click();
    await expect(marked).toHaveAccessibleName('Compare', { timeout: 5_000 });
    await marked.click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Compare · 3 runs');

    await step(4, 'Register the best model');
    await expectAccessible(page, 'tour step 4 on compare');
    await showMe(/.+/);
    await marked.click();
    await expect(page).toHaveTitle('Run · MFFlow');
    await expect(marked).toHaveAttribute('aria-label', 'Register model', { timeout: 5_000 });
    await marked.getByPlaceholder('model name').fill('wine-quality');
    await marked.getByRole('button', { name: 'Register model' }).click();

    await step(5, 'Serve it');
    await showMe('Model to serve');
    await expect(page).toHaveTitle('Serve · MFFlow');
    // The tour marks the Load form, then Predict once a model is loaded; the Serve page may
    // already have loaded the model just registered, so Load is pressed where the person sees it.
    const toServe = page.getByRole('form', { name: 'Model to serve' });
    await toServe.getByLabel('Model URI').fill('models:/wine-quality/1');
    await toServe.getByRole('button', { name: 'Load' }).click();
    await expect(marked).toHaveAccessibleName('Predict', { timeout: 30_000 });
    await marked.click();
    await expect(page.getByLabel('Prediction', { exact: true })).not.toBeEmpty();

    await step(6, 'Export your work');
    await showMe('Export lab');
    const download = page.waitForEvent('download');
    await marked.click();
    expect((await download).suggestedFilename()).toMatch(/\.zip$/);
    await expect(tour.getByRole('heading')).toHaveText("You did MLflow's wine tutorial");
    await expectNoOverflow(page);
    await expectAccessible(page, 'tour complete');
    await shot(page, 'tour/tour-done');
    await tour.getByRole('button', { name: 'Close the tour' }).click();
    await expect(tour).toHaveCount(0);
    // Closed for good: a reload does not bring it back.
    await page.reload();
    await expectLabReady(page);
    await expect(page.getByRole('complementary', { name: 'Guided tour' })).toHaveCount(0);
  });

  test(`the guided tour at ${size.width}px can be skipped`, async ({ page }) => {
    await page.setViewportSize(size);
    await openLab(page);
    await page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('button', { name: 'Take the guided tour' }).click();
    const tour = page.getByRole('complementary', { name: 'Guided tour' });
    await expect(tour).toContainText('Step 1 of 6');
    await tour.getByRole('button', { name: 'Skip tour' }).click();
    await expect(tour).toHaveCount(0);
    await expect(page.locator('[data-tour-target]')).toHaveCount(0);
    await page.reload();
    await expectLabReady(page);
    await expect(page.getByRole('complementary', { name: 'Guided tour' })).toHaveCount(0);
  });
}
