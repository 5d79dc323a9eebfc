/**
 * Browser benchmarks: the end-to-end configuration (same server, same
 * Chromium), pointed at bench/browser. Not run by CI: benchmarks report,
 * they do not gate.
 *
 *   npx playwright test -c bench/playwright.bench.config.ts
 */
import { defineConfig } from '@playwright/test';
import e2e from '../playwright.config.js';

export default defineConfig({
  ...e2e,
  testDir: 'browser',
  timeout: 600_000,
  reporter: [['list']]
});
