import { expect, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { join, resolve } from 'node:path';
import { WRAPPED_KERNELSPEC } from './wrapped-kernel';

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

/**
 * Opens a new notebook of `cells` on the plain ipykernel (the page records
 * it) or, with `agent`, on the agent-wrapped one (installWrappedKernel);
 * resolves once it records.
 */
export async function openNewNotebook(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  cells: string[],
  agent = false
): Promise<void> {
  const kernelspec = agent
    ? WRAPPED_KERNELSPEC
    : { name: 'python3', display_name: 'Python 3 (ipykernel)' };
  await page.contents.uploadContent(
    JSON.stringify(notebookOf(cells, kernelspec)),
    'text',
    `${tmpPath}/${name}.ipynb`
  );
  await page.notebook.openByPath(`${tmpPath}/${name}.ipynb`);
  await page.notebook.activate(`${name}.ipynb`);
  await expect(page.locator('.jp-provenance-status')).toHaveText(
    `Provenance: recording · ${agent ? 'agent' : 'frontend only'}`,
    { timeout: 30_000 }
  );
}
