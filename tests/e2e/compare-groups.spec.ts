import { expect, test, type Locator, type Page } from '@playwright/test';
import { SIZES, openLab, expectNoOverflow, expectAccessible } from './helpers';

// Compare's grouped charts (issue 12: "grouped runs (e.g. seeds) chart as mean with a min–max
// band") and its bar charts' value labels, at both widths. Runs are logged through window.mfflow;
// grouping, selecting and comparing are done in the runs table as a person does.

/**
 * Six finished runs in one experiment: lr 0.1 with seeds 1..3 (loss 10 + seed·2 + small wiggle
 * at steps 0..49, the seed-3 run stopped at step 39) and lr 0.5 with seeds 1..3 (loss near 1),
 * each with one final `score` (a single value: drawn as bars; one of them long on purpose).
 */
async function logSeeds(page: Page): Promise<{ experimentId: string; ids: string[] }> {
  return page.evaluate(async () => {
    const m = window.mfflow;
    const ids: string[] = [];
    const { experimentId } = await m.setExperiment('seeds');
    for (const lr of [0.1, 0.5]) {
      for (const seed of [1, 2, 3]) {
        ids.push((await m.startRun({ runName: `lr${lr}-seed${seed}` })).runId);
        await m.logParams({ lr, seed });
        const steps = lr === 0.1 && seed === 3 ? 40 : 50;
        for (let i = 0; i < steps; i++) m.logMetric('loss', (lr === 0.1 ? 10 + seed * 2 : 1 + seed * 0.1) + Math.sin(i) * 0.05, i);
        m.logMetric('score', lr === 0.1 ? 123456.789 * seed : 0.5 + seed);
        await m.endRun();
      }
    }
    return { experimentId, ids };
  });
}

/** The colour of a pixel of a chart's canvas at a value (x, y) of its scales, read from the canvas. */
async function pixelAt(chart: Locator, fx: number, y: number): Promise<[number, number, number, number]> {
  return chart.evaluate((fig, [fx, y]) => {
    const canvas = fig.querySelector('canvas')!;
    const over = fig.querySelector('.u-over')!.getBoundingClientRect();
    const box = canvas.getBoundingClientRect();
    const yMin = Number(fig.getAttribute('data-y-min'));
    const yMax = Number(fig.getAttribute('data-y-max'));
    const cssX = over.left - box.left + fx * over.width;
    const cssY = over.top - box.top + (1 - (y - yMin) / (yMax - yMin)) * over.height;
    const k = canvas.width / box.width;
    const d = canvas.getContext('2d')!.getImageData(Math.round(cssX * k), Math.round(cssY * k), 1, 1).data;
    return [d[0], d[1], d[2], d[3]] as [number, number, number, number];
  }, [fx, y] as const);
}

for (const size of SIZES) {
  test(`grouped by a param, Compare draws each group's mean in a min–max band (${size.width} px)`, async ({ page }) => {
    await page.setViewportSize(size);
    await openLab(page);
    const { experimentId } = await logSeeds(page);
    await page.goto(`./#/runs?exp=${experimentId}`);
    await page.getByRole('combobox', { name: 'Group by' }).selectOption({ label: 'param lr' });
    await page.getByRole('checkbox', { name: /^Select all 6 runs/ }).check();
    await page.getByRole('toolbar', { name: 'Selected runs' }).getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page).toHaveURL(/[?&]group=p%3Alr(&|$)/);

    const loss = page.locator('figure[data-metric="loss"]');
    await loss.scrollIntoViewIfNeeded();
    await expect(loss).toHaveAttribute('data-ready', 'true');
    const legend = loss.getByRole('list', { name: 'Groups in loss' });
    await expect(legend.getByRole('button')).toHaveCount(2);
    await expect(legend.getByRole('button', { name: /lr = 0\.1 \(3 runs\)/ })).toBeVisible();
    await expect(legend.getByRole('button', { name: /lr = 0\.5 \(3 runs\)/ })).toBeVisible();
    // The y range holds the band's extremes: seed 1's lowest (12 − 0.05) and seed 3's highest (16 + 0.05).
    expect(Number(await loss.getAttribute('data-y-max'))).toBeGreaterThanOrEqual(16);
    expect(Number(await loss.getAttribute('data-y-min'))).toBeLessThanOrEqual(1.2);

    // Between the lr 0.1 group's mean (~14) and its max (~16) the band is filled; above the
    // max (17.5, when the scale reaches it) and between the two groups (7) nothing is drawn.
    const yMax = Number(await loss.getAttribute('data-y-max'));
    const inBand = await pixelAt(loss, 0.3, 15.3);
    const between = await pixelAt(loss, 0.3, 7.3);
    expect(inBand[3]).toBeGreaterThan(0);
    expect(between[3]).toBe(0);
    if (yMax > 17.5) expect((await pixelAt(loss, 0.3, 17.3))[3]).toBe(0);

    // Hiding a group from its legend entry removes its band.
    await legend.getByRole('button', { name: /lr = 0\.1/ }).click();
    await expect.poll(async () => (await pixelAt(loss, 0.3, 15.3))[3]).toBe(0);
    await legend.getByRole('button', { name: /lr = 0\.1/ }).click();

    // Without grouping, a line per run: six legend entries, and no band between the lines.
    await page.getByRole('combobox', { name: 'Group lines by' }).selectOption({ label: 'None (a line per run)' });
    await expect(loss.getByRole('list', { name: 'Runs in loss' }).getByRole('button')).toHaveCount(6);
    await expect.poll(async () => (await pixelAt(loss, 0.3, 15.3))[3]).toBe(0);
    await page.getByRole('combobox', { name: 'Group lines by' }).selectOption({ label: 'param lr' });
    await expect(loss.getByRole('list', { name: 'Groups in loss' }).getByRole('button')).toHaveCount(2);

    await expectNoOverflow(page);
    await expectAccessible(page, `compare grouped ${size.width}`);
    await loss.screenshot({ path: `test-results/compare-groups/band-${size.width}.png` });
  });

  test(`every bar's value label lies inside its card (${size.width} px)`, async ({ page }) => {
    await page.setViewportSize(size);
    await openLab(page);
    const { ids } = await logSeeds(page);
    await page.goto(`./#/compare?runs=${ids.join(',')}`);
    const bars = page.getByRole('img', { name: /^Bar chart of score over 6 runs/ });
    await expect(bars).toBeVisible();
    // The longest bar (seed 3 of lr 0.1, 370,370.367) ends at the right edge, its label after it.
    const card = page.locator('figure.bars').filter({ has: bars });
    const cardBox = (await card.boundingBox())!;
    const labels = await bars.locator('text').evaluateAll((els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent ?? '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }));
    expect(labels.length).toBe(12); // a name and a value per run
    for (const l of labels) {
      expect.soft(l.left, `${l.text} left`).toBeGreaterThanOrEqual(cardBox.x);
      expect.soft(l.right, `${l.text} right`).toBeLessThanOrEqual(cardBox.x + cardBox.width);
    }
    // Inside the card's visible (clipping) box too, not only the figure.
    const boxEl = (await card.locator('.box').boundingBox())!;
    for (const l of labels) expect.soft(l.right, `${l.text} inside the scroll box`).toBeLessThanOrEqual(boxEl.x + boxEl.width);
    await expectNoOverflow(page);
    await card.screenshot({ path: `test-results/compare-groups/bars-${size.width}.png` });
  });
}
