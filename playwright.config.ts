/**
 * End-to-end tests: Galata (Playwright) driving Debian's Chromium against a
 * real JupyterLab with the built extension installed and a real ipykernel.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import galataConfig from '@jupyterlab/galata/lib/playwright-config.js';

// Galata's default configuration (CommonJS, typed as an empty module).
const baseConfig = galataConfig as unknown as PlaywrightTestConfig;

const PORT = Number(process.env.NBPROV_E2E_PORT ?? 18888);
/** The repository root, whichever configuration extends this one. */
const ROOT = fileURLToPath(new URL('.', import.meta.url));
const VENV = (process.env.NBPROV_VENV ??= join(ROOT, '.venv'));
// The server's root folder: tests read what the extension wrote from here.
// Set in the environment so the test workers see the same folder.
process.env.NBPROV_E2E_ROOT ??= mkdtempSync(join(tmpdir(), 'nbprov-e2e-'));

export default defineConfig({
  ...baseConfig,
  testDir: 'test/e2e',
  workers: 1,
  retries: 0,
  timeout: 180_000,
  reporter: [['list'], ['junit', { outputFile: 'test-reports/junit-e2e.xml' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${PORT}`,
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.NBPROV_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    // The server's log goes to a file: it is noisy, and read only on failure.
    command: `mkdir -p test-reports && exec ${VENV}/bin/jupyter lab --config test/e2e/jupyter_server_test_config.py > test-reports/jupyter-server.log 2>&1`,
    url: `http://127.0.0.1:${PORT}/lab`,
    cwd: ROOT,
    timeout: 120_000,
    reuseExistingServer: false,
    env: {
      NBPROV_E2E_PORT: String(PORT),
      JUPYTERLAB_GALATA_ROOT_DIR: process.env.NBPROV_E2E_ROOT
    }
  }
});
