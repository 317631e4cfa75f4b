import { expect, type Page } from '@playwright/test';

/** Opens the lab and waits until `window.mfflow` is ready. */
export async function openLab(page: Page, query = ''): Promise<void> {
  await page.goto(`./${query}`);
  await expect(page.locator('html[data-lab-ready="true"]')).toBeAttached({ timeout: 20_000 });
}
