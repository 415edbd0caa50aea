import { defineConfig } from 'vitest/config';

/**
 * Two groups: the fast suite (unit + embedded, no process outside Node) and the tiers that start
 * servers outside Node (MiniStack, moto, containers). `npm test` runs both; `npm run test:fast`
 * only the first.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
