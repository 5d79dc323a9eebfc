/**
 * The provenance timeline in a real JupyterLab (Galata, Debian's Chromium):
 * opened beside the notebook, one bar per execution, live, keyboard
 * navigation selecting the cell, the empty state, PNG/SVG pictures.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, openDemo } from './demo';

const ROOT = process.env.NBPROV_E2E_ROOT as string;

test.use({ autoGoto: true, serverFiles: 'on' });

async function openTimeline(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('provenance:open-timeline')
  );
  await expect(page.locator('.jp-provenance-timeline')).toBeVisible();
}

/** Positions of the demo's code cells. */
function codeCellIndices(): number[] {
  const notebook = JSON.parse(
    readFileSync(join(DEMO, 'train.ipynb'), 'utf8')
  ) as { cells: { cell_type: string }[] };
  return notebook.cells.flatMap((c, i) => (c.cell_type === 'code' ? [i] : []));
}

function codeCellCount(): number {
  return codeCellIndices().length;
}

test('an empty timeline says how to start it', async ({ page, tmpPath }) => {
  await openDemo(page, tmpPath);
  await openTimeline(page);
  await expect(
    page.getByText('Run a cell to start the timeline')
  ).toBeVisible();
  // Beside the notebook, not over it: both are visible.
  await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
});

test('one bar per execution, live, and the keyboard selects their cells', async ({
  page,
  tmpPath
}) => {
  await openDemo(page, tmpPath);
  await openTimeline(page);
  // Focus the notebook (the timeline opened beside it took the focus).
  await page.locator('.jp-NotebookPanel .jp-Cell').first().click();
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('notebook:run-all-cells')
  );
  const timeline = page.locator('.jp-provenance-timeline');
  const cells = codeCellCount();
  // Live: the bars arrive without reopening the timeline.
  await expect(timeline).toHaveAttribute('data-bars', String(cells), {
    timeout: 15_000
  });
  await expect(page.getByText('Run a cell to start the timeline')).toBeHidden();
  await expect(timeline.locator('canvas')).toBeVisible();

  // Arrow keys walk the executions; each selects its cell in the notebook.
  await timeline.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  // The second execution ran the second code cell: it is now active.
  const secondCode = codeCellIndices()[1];
  await expect
    .poll(() =>
      page.evaluate(() => {
        for (const widget of window.jupyterapp.shell.widgets('main')) {
          const content = (
            widget as unknown as { content?: { activeCellIndex?: number } }
          ).content;
          if (typeof content?.activeCellIndex === 'number') {
            return content.activeCellIndex;
          }
        }
        return undefined;
      })
    )
    .toBe(secondCode);
  await expect(
    timeline.locator('.jp-provenance-timeline-announce')
  ).toContainText('Execution [2]: ok');

  // A picture of it, beside the notebook.
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('provenance:save-timeline-picture', {
      format: 'svg'
    })
  );
  const svg = join(ROOT, tmpPath, 'train.timeline.svg');
  await expect.poll(() => existsSync(svg), { timeout: 15_000 }).toBe(true);
  expect(readFileSync(svg, 'utf8')).toContain('<svg');
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('provenance:save-timeline-picture', {
      format: 'png'
    })
  );
  const png = join(ROOT, tmpPath, 'train.timeline.png');
  await expect.poll(() => existsSync(png), { timeout: 15_000 }).toBe(true);
  // The PNG signature: a real image, not text saved under that name.
  expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
});
