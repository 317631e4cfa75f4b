import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/interop/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
