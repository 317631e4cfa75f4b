import { expect, test } from '@playwright/test';
import { openLab, go, expectNoOverflow, expectAccessible, expectFocusVisible, shot, SIZES } from './helpers';

// Issue 12's journeys, walked as a person does: clicks and typing in the built lab (never
// window.mfflow), at a laptop's and a phone's size, with a screenshot per step in test-results/.
// Each checks what the person would: the number, the row order, that nothing scrolls sideways,
// that keyboard focus shows.

for (const size of SIZES) {
  test(`a student's workshop at ${size.width}px: wine example, run, register, serve @champion; offline on the second visit`, async ({ page, context }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(size);
    // The lab must never ask GitHub for the wine data (a school network may block it).
    let github = 0;
    await context.route(/github(usercontent)?\.com/, (route) => { github++; return route.abort(); });

    await openLab(page);
    await expect(page).toHaveTitle(/MFFlow/);
    // Keyboard: the first Tab reaches the skip link, and it shows.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await expectFocusVisible(page);
    await expectNoOverflow(page);
    await expectAccessible(page, 'welcome');
    await shot(page, 'journeys/workshop-1-welcome');

    await page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('link', { name: /Train the wine example/ }).click();
    const job = page.getByRole('article', { name: /^Training job / }).first();
    await expect(job.getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });
    // MLflow's tutorial numbers (alpha 0.5, l1_ratio 0.5, red wine).
    await expect(job.getByRole('table', { name: /^Metrics of / }).getByRole('row', { name: 'rmse 0.7932' })).toBeVisible();
    await expect(page).toHaveTitle('New run · MFFlow');
    const form = page.getByRole('form', { name: 'New run' });
    await expect(form.getByLabel('alpha', { exact: true })).toHaveValue('0.5');
    await expectNoOverflow(page);
    await expectAccessible(page, 'new run');
    await shot(page, 'journeys/workshop-2-trained');

    await go(page, 'Runs');
    const grid = page.getByRole('grid', { name: /^Runs of / });
    const rows = grid.locator('tbody tr[data-run-id]');
    await expect(rows).toHaveCount(1);
    await expect(grid.getByRole('columnheader', { name: 'M rmse', exact: true })).toBeVisible();
    await expect(rows.first()).toContainText('0.7932');
    await expect(page).toHaveTitle(/^Runs · Default · MFFlow$/);
    await expectNoOverflow(page);
    await expectAccessible(page, 'runs');
    await shot(page, 'journeys/workshop-3-runs');

    await rows.first().getByRole('link').first().click();
    await expect(page).toHaveTitle('Run · MFFlow');
    const register = page.getByRole('form', { name: 'Register model' });
    await register.getByPlaceholder('model name').fill('wine-quality');
    await register.getByRole('button', { name: 'Register model' }).click();
    await expect(page.getByRole('list', { name: 'Registered versions of this run' })).toContainText('wine-quality version 1');
    await expectNoOverflow(page);
    await expectAccessible(page, 'run');
    await shot(page, 'journeys/workshop-4-run');

    await go(page, 'Models');
    await page.getByRole('navigation', { name: 'Registered models' }).getByRole('link', { name: 'wine-quality' }).click();
    const aliasForm = page.getByRole('form', { name: 'Set alias' });
    // Typed as URIs show it, with its @.
    await aliasForm.getByLabel('Alias').fill('@champion');
    await aliasForm.getByLabel('Version').selectOption('1');
    await aliasForm.getByRole('button', { name: 'Set alias' }).click();
    await expect(page.getByRole('navigation', { name: 'Registered models' })).toContainText('@champion→v1');
    await expectNoOverflow(page);
    await expectAccessible(page, 'models');
    await shot(page, 'journeys/workshop-5-models');

    await go(page, 'Serve');
    await page.getByLabel('Model URI').fill('models:/wine-quality@champion');
    await page.getByRole('form', { name: 'Model to serve' }).getByRole('button', { name: 'Load' }).click();
    const predict = page.getByRole('form', { name: 'Prediction form' });
    // Prefilled from the model's input example: nothing to type before the first prediction.
    await expect(predict.getByLabel('alcohol', { exact: true })).not.toHaveValue('');
    await predict.getByRole('button', { name: 'Predict' }).click();
    const prediction = Number(await page.getByLabel('Prediction', { exact: true }).textContent());
    // A wine's quality on the data's 3–8 scale.
    expect(prediction).toBeGreaterThan(3);
    expect(prediction).toBeLessThan(8);
    await expectNoOverflow(page);
    await expectAccessible(page, 'serve');
    await shot(page, 'journeys/workshop-6-serve');

    // Second visit, offline: the lab, the run and the shipped examples come from the cache.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await openLab(page, '#/runs');
    await expect(page.getByRole('grid', { name: /^Runs of / }).locator('tbody tr[data-run-id]')).toHaveCount(1);
    await go(page, 'Datasets');
    await page.getByRole('group', { name: 'Built-in examples' }).getByRole('button', { name: 'Wine quality (white)' }).click();
    await expect(page.getByRole('status')).toContainText('Loaded Wine quality (white): 4,898 rows', { timeout: 30_000 });
    await expectNoOverflow(page);
    await expectAccessible(page, 'datasets');
    await shot(page, 'journeys/workshop-7-offline');
    await context.setOffline(false);
    expect(github).toBe(0);
  });
}

for (const size of SIZES) {
  test(`a sweep at ${size.width}px: the best child sorts first by rmse and is in Compare with one click`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(size);
    await openLab(page);
    await page.getByRole('region', { name: 'Welcome to the lab' }).getByRole('link', { name: /Train the wine example/ }).click();
    await expect(page.getByRole('article', { name: /^Training job / }).first().getByTestId('job-status')).toHaveText('FINISHED', { timeout: 60_000 });

    // A grid sweep over alpha from the form.
    const form = page.getByRole('form', { name: 'New run' });
    await form.getByLabel('Run name').fill('alpha-sweep');
    await form.getByRole('radio', { name: /^Sweep/ }).check();
    await form.getByRole('checkbox', { name: 'Sweep alpha' }).check();
    await form.getByLabel('Values of alpha').fill('1, 0.01, 0.5, 0.1');
    await expectNoOverflow(page);
    await form.getByRole('button', { name: 'Start sweep' }).click();
    const sweep = page.getByRole('region', { name: 'Sweep alpha-sweep' });
    await expect(sweep.getByTestId('sweep-status')).toHaveText('FINISHED', { timeout: 90_000 });
    const bestId = (await sweep.getByRole('link', { name: 'best run' }).getAttribute('href'))!.split('/').pop()!;
    const bestRmse = (await sweep.locator('.num').first().textContent())!.trim();
    await shot(page, 'journeys/sweep-1-finished');

    await go(page, 'Runs');
    const grid = page.getByRole('grid', { name: /^Runs of / });
    const rows = grid.locator('tbody tr[data-run-id]');
    // Sorted from the keyboard: Tab to the rmse header's button, Enter. Errors sort smallest first.
    const rmseHeader = grid.getByRole('columnheader', { name: 'M rmse', exact: true });
    await rmseHeader.getByRole('button').focus();
    await expectFocusVisible(page);
    await page.keyboard.press('Enter');
    await expect(rmseHeader).toHaveAttribute('aria-sort', 'ascending');
    // Children are rows of their own: all 4 and the single run, then the parent (no rmse) last.
    await expect(rows).toHaveCount(6);
    await expect(rows.first()).toHaveAttribute('data-run-id', bestId);
    await expect(rows.first()).toContainText(bestRmse);
    await expect(rows.last()).toContainText('alpha-sweep');
    const rmseTexts = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id')));
    expect(new Set(rmseTexts).size).toBe(6);
    await expectNoOverflow(page);
    await expectAccessible(page, 'runs sorted');
    await shot(page, 'journeys/sweep-2-sorted');

    // The parent offers its children: one click to Compare.
    await grid.getByRole('checkbox', { name: 'Select alpha-sweep', exact: true }).check();
    await page.getByRole('toolbar', { name: 'Selected runs' }).getByRole('button', { name: 'Compare children' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Compare · 4 runs');
    await expect(page).toHaveTitle('Compare · MFFlow');
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(bestId);
    // The scatter answers the question by default: rmse against the swept alpha.
    await expect(page.getByRole('img', { name: /Scatter of rmse against alpha over 4 runs/ })).toBeVisible();
    // A final score is a bar per run (not dots at step 0), the best child's bar says its rmse.
    const bars = page.getByRole('img', { name: /^Bar chart of rmse over 4 runs/ });
    await expect(bars).toBeVisible();
    expect(await bars.getAttribute('aria-label')).toContain(bestRmse);
    // Parallel coordinates: axes only for what varies (alpha) and the metric, lines coloured by rmse.
    const pc = page.getByRole('group', { name: /^Parallel coordinates/ });
    await expect(pc.getByRole('slider')).toHaveCount(2);
    await expect(pc.getByRole('slider', { name: /^Brush alpha/ })).toBeVisible();
    await expect(pc.getByRole('slider', { name: /^Brush rmse/ })).toBeVisible();
    await expect(page.getByLabel(/^Line colour: rmse from .*, lowest brightest$/)).toBeVisible();
    // Parameter importance, computed in a worker: the only swept param explains it all, and
    // rmse grows with alpha (more regularisation, worse fit) so r is positive.
    const importance = page.getByRole('region', { name: 'Parameter importance' });
    await importance.getByRole('button', { name: 'Compute importance' }).click();
    const impTable = importance.getByRole('table', { name: 'Parameter importance for rmse' });
    await expect(impTable.getByRole('row', { name: /^alpha 1 r 0\.\d+$/ })).toBeVisible({ timeout: 30_000 });
    await expect(importance.getByRole('img', { name: /^Bar chart of Importance for rmse over 1 param: alpha 1$/ })).toBeVisible();
    await expectNoOverflow(page);
    await expectAccessible(page, 'compare');
    await shot(page, 'journeys/sweep-3-compare');
  });
}
