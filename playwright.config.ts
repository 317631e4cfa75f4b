import { defineConfig } from '@playwright/test';

// We never download a browser: Debian's Chromium is used, overridable by CHROMIUM_PATH.
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT || 4317);

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  workers: 1,
  timeout: 60_000,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}/lab/`,
    headless: true,
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    // Served under a sub-path on purpose: the build must not assume it sits at the root.
    command: `node scripts/serve.mjs --port ${port} --prefix /lab/`,
    url: `http://127.0.0.1:${port}/lab/`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
