import { defineConfig } from 'vitest/config';

/**
 * Two groups: the fast suite (unit + embedded, no process outside Node) and the tiers that start
 * servers outside Node (MiniStack, moto, containers). `npm test` runs both; `npm run test:fast`
 * only the first.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Test files share worker processes: a third less wall time on 2 cores. Tests therefore keep
    // no global state (no process.env mutation; servers and clients are per file).
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
