import { defineConfig } from 'vitest/config';

// Cross-engine browser journeys (Firefox, WebKit): one browser at a time, journeys in order.
export default defineConfig({
  test: {
    include: ['tests/engines/**/*.test.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
