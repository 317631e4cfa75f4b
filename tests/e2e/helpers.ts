import { expect, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';

/** The sizes every journey is walked at: a laptop's and a phone's (the lab must be usable at 1440 px and at 390 px). */
export const SIZES = [{ width: 1440, height: 900 }, { width: 390, height: 844 }] as const;

/** Waits until the lab in `page` is ready (`window.mfflow` set), e.g. after a reload. */
export async function expectLabReady(page: Page, timeout = 30_000): Promise<void> {
  await expect(page.locator('html[data-lab-ready="true"]')).toBeAttached({ timeout });
}

/** Opens the lab and waits until `window.mfflow` is ready. */
export async function openLab(page: Page, query = ''): Promise<void> {
  await page.goto(`./${query}`);
  await expectLabReady(page);
}

/** Clicks Export lab (in the layout chosen in "Export as", if given) and returns the path of the zip it downloads. */
export async function exportLabFile(page: Page, layout?: 'sqlite' | 'mlruns'): Promise<string> {
  if (layout) await page.getByLabel('Export as').selectOption(layout);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export lab' }).click();
  return (await download).path();
}

/** Picks the file at `path` with Import bundle…, as a person would. */
export async function pickBundle(page: Page, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import bundle…' }).click();
  await (await chooser).setFiles(path);
}

/** On a phone the navigation (and the storage meter under it) is behind the Menu button: opens it there. */
export async function openMenu(page: Page): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible() && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
}

/** Follows a main-navigation link; on a phone the navigation is behind the Menu button first. */
export async function go(page: Page, label: string): Promise<void> {
  await openMenu(page);
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
  const moves = (await link.getAttribute('href')) !== new URL(page.url()).hash;
  await link.click();
  // The menu folds on the route change, a task after the click: wait for it, so a following
  // openMenu does not see it still open, skip its click, and then find it folded.
  const menu = page.getByRole('button', { name: 'Menu' });
  if (moves && await menu.isVisible()) await expect(menu).toHaveAttribute('aria-expanded', 'false');
}

/** The page never scrolls sideways: everything wider scrolls inside its own box. */
export async function expectNoOverflow(page: Page): Promise<void> {
  const width = page.viewportSize()!.width;
  await expect.poll(() => page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(width);
}

/** The serious and critical accessibility violations (axe) on the page as it is now, each a line starting with `where`. */
export async function seriousViolations(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** No serious or critical accessibility violation on the page as it is now; `where` names the step in the failure. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(await seriousViolations(page, where)).toEqual([]);
}

/** The focused element draws a visible outline (not `none`, not zero width) or a focus shadow. */
export async function expectFocusVisible(page: Page): Promise<void> {
  const style = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth), boxShadow: s.boxShadow };
  });
  expect(style).not.toBeNull();
  expect(style!.outline !== 'none' && style!.width > 0 || style!.boxShadow !== 'none').toBe(true);
}

/** A screenshot for people to look at, `test-results/<name>-<viewport width>.png` (e.g. name `tour/step-1`). */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: `test-results/${name}-${page.viewportSize()!.width}.png`, fullPage: options.fullPage });
}

/** Replaces the script editor's text with `source`: select all, delete, then the text as one paste. */
export async function typeScript(page: Page, source: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Script' }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(source);
}
