import { expect, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { join, resolve } from 'node:path';

/** The demo notebook's folder in the repository. */
export const DEMO = resolve('demo');

/** Copies the demo notebook and its data to the server and opens it. */
export async function uploadAndOpenDemo(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<void> {
  for (const name of ['train.ipynb', 'measurements.csv']) {
    await page.contents.uploadFile(join(DEMO, name), `${tmpPath}/${name}`);
  }
  await page.notebook.openByPath(`${tmpPath}/train.ipynb`);
  await page.notebook.activate('train.ipynb');
}

/** Opens the demo notebook and waits until its recorder runs. */
export async function openDemo(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<void> {
  await uploadAndOpenDemo(page, tmpPath);
  await expect(page.locator('.jp-provenance-status')).toHaveText(
    'Provenance: recording · frontend only',
    { timeout: 30_000 }
  );
}

/** A notebook of code cells (ids `cell-0`, …) saved with a kernel. */
export function notebookOf(
  sources: string[],
  kernelspec: { name: string; display_name: string }
): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { ...kernelspec, language: 'python' } },
    cells: sources.map((source, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null
    }))
  };
}
