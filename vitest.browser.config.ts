import { defineConfig } from 'vitest/config';

/**
 * The browser tests (Playwright driving Debian's Chromium): `npx vitest run --config
 * vitest.browser.config.ts`. Kept out of the default `npm test`, which needs no browser; they
 * skip themselves where /usr/bin/chromium is absent.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One server and one Chromium at a time: the machines have two cores.
    fileParallelism: false,
  },
});
