import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const shared = { environment: 'node' as const, setupFiles: ['tests/unit/setup.ts'], testTimeout: 20000 };

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['tests/unit/**/*.test.ts'], exclude: ['tests/unit/state-*.test.ts'] } },
      {
        // The rune classes of src/state: compiled by Svelte's plugin for the client (Vitest's node
        // environment would make it the server build, where $effect never runs) against Svelte's
        // client runtime (the `browser` condition, svelte inlined so it applies), so $state,
        // $derived and $effect behave as in the page. Test files named *.svelte.test.ts may use runes.
        plugins: [svelte({ dynamicCompileOptions: () => ({ generate: 'client' }) })],
        resolve: { conditions: ['browser'] },
        ssr: { resolve: { conditions: ['browser'] } },
        test: { ...shared, name: 'state', include: ['tests/unit/state-*.test.ts'], server: { deps: { inline: ['svelte'] } } },
      },
    ],
  },
});
