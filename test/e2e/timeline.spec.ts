/**
 * The provenance timeline in a real JupyterLab (Galata, Debian's Chromium):
 * opened beside the notebook, one bar per execution, live, keyboard
 * navigation selecting the cell, the empty state, PNG/SVG pictures.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, openDemo } from './demo';
import {
  bigSession,
  notebookWithCells,
  syntheticJournal
} from './synthetic-journal';

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
  // Its details: the code as it ran, its resources and outputs.
  const details = timeline.locator('.jp-provenance-timeline-details');
  await expect(details.locator('h3')).toContainText('Execution [2] · ok');
  await expect(details.locator('.jp-provenance-timeline-source')).toContainText(
    'np.loadtxt'
  );
  await expect(details.locator('dt').first()).toHaveText('CPU');

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

/** Uploads a notebook and its journal, opens both and the timeline. */
async function openRecorded(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  cells: string[],
  journal: string
): Promise<void> {
  await page.contents.uploadContent(
    notebookWithCells(cells),
    'text',
    `${tmpPath}/${name}.ipynb`
  );
  await page.contents.uploadContent(
    journal,
    'text',
    `${tmpPath}/${name}.provenance.jsonl`
  );
  await page.notebook.openByPath(`${tmpPath}/${name}.ipynb`);
  await page.notebook.activate(`${name}.ipynb`);
  await openTimeline(page);
}

test('cell code is shown as text, never run as markup', async ({
  page,
  tmpPath
}) => {
  const dialogs: string[] = [];
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const hostile = [
    '<img src=x onerror=alert(1)>',
    'x = "</script><script>alert(2)</script>"'
  ];
  const { text } = syntheticJournal({
    notebookPath: `${tmpPath}/hostile.ipynb`,
    cells: hostile,
    executions: 2,
    samples: 4
  });
  await openRecorded(page, tmpPath, 'hostile', hostile, text);
  const timeline = page.locator('.jp-provenance-timeline');
  await expect(timeline).toHaveAttribute('data-bars', '2', { timeout: 15_000 });
  // Walk to each execution: the announcement is the code, literally.
  await timeline.focus();
  await page.keyboard.press('ArrowRight');
  await expect(
    timeline.locator('.jp-provenance-timeline-announce')
  ).toContainText(hostile[0]);
  await page.keyboard.press('ArrowRight');
  await expect(
    timeline.locator('.jp-provenance-timeline-announce')
  ).toContainText('</script><script>alert(2)</script>');
  await expect(timeline.locator('.jp-provenance-timeline-source')).toHaveText(
    hostile[1]
  );
  // Nothing became an element, nothing ran.
  expect(await timeline.locator('img, script').count()).toBe(0);
  // The SVG picture has the labels as escaped text.
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('provenance:save-timeline-picture', {
      format: 'svg'
    })
  );
  const file = join(ROOT, tmpPath, 'hostile.timeline.svg');
  await expect.poll(() => existsSync(file), { timeout: 15_000 }).toBe(true);
  const picture = readFileSync(file, 'utf8');
  expect(picture).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(picture).not.toContain('<img');
  expect(dialogs).toEqual([]);
});

test('5,000 executions and 200,000 samples load and stay interactive', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(120_000);
  const { cells, text } = bigSession(`${tmpPath}/big.ipynb`);
  const started = Date.now();
  await openRecorded(page, tmpPath, 'big', cells, text);
  const timeline = page.locator('.jp-provenance-timeline');
  await expect(timeline).toHaveAttribute('data-bars', '5000', {
    timeout: 60_000
  });
  console.log(
    `timeline of 5,000 executions / 200,000 samples drawn ${Date.now() - started} ms after opening the notebook`
  );
  // Interactive: the page answers at once and the keyboard still works.
  const t0 = Date.now();
  await page.evaluate(() => 1 + 1);
  expect(Date.now() - t0).toBeLessThan(1_000);
  await timeline.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(
    timeline.locator('.jp-provenance-timeline-announce')
  ).toContainText('Execution [5000]');
  // Downsampled: the lanes hold a few points per pixel column, not 200,000.
  const drawn = Number(await timeline.getAttribute('data-lane-points'));
  expect(drawn).toBeGreaterThan(0);
  expect(drawn).toBeLessThan(10_000);
});

test('the chart follows a theme change while open', async ({
  page,
  tmpPath
}) => {
  const cells = ['a = 1', 'b = a + 1'];
  const { text } = syntheticJournal({
    notebookPath: `${tmpPath}/themed.ipynb`,
    cells,
    executions: 2,
    samples: 10
  });
  await openRecorded(page, tmpPath, 'themed', cells, text);
  const timeline = page.locator('.jp-provenance-timeline');
  await expect(timeline).toHaveAttribute('data-bars', '2', { timeout: 15_000 });
  const background = () => timeline.getAttribute('data-background');
  const light = await background();
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    })
  );
  await expect.poll(background, { timeout: 20_000 }).not.toBe(light);
  const dark = await page.evaluate(() =>
    getComputedStyle(document.body)
      .getPropertyValue('--jp-layout-color0')
      .trim()
  );
  expect(await background()).toBe(dark);
  await expect(timeline).toHaveAttribute('data-bars', '2');
});

test('the timeline is restored with the layout after a reload', async ({
  page,
  tmpPath
}) => {
  await openDemo(page, tmpPath);
  await openTimeline(page);
  await expect(page.locator('.jp-provenance-timeline')).toHaveCount(1);
  // JupyterLab saves the layout shortly after it changes.
  await page.waitForTimeout(3_000);
  // Not galata's goto, which waits for a Launcher: JupyterLab restores the
  // notebook and its timeline instead.
  const url = page.url();
  await page.evaluate(to => window.location.assign(to), url);
  await page.waitForFunction(() =>
    typeof window.jupyterapp === 'object'
      ? window.jupyterapp.started.then(() => true)
      : false
  );
  await expect(page.locator('.jp-provenance-timeline')).toHaveCount(1, {
    timeout: 30_000
  });
  await expect(
    page.getByRole('tab', { name: /Timeline: train\.ipynb/ })
  ).toBeVisible();
});

test('compressing idle time cuts an overnight gap and keeps wall-clock labels', async ({
  page,
  tmpPath
}) => {
  const cells = ['load()', 'train()', 'evaluate()'];
  // Three executions at 08:00, a 3-hour break, three more at 11:00 (UTC).
  const { text } = syntheticJournal({
    notebookPath: `${tmpPath}/overnight.ipynb`,
    cells,
    executions: 6,
    samples: 60,
    gap: { before: 3, ms: 3 * 3600_000 }
  });
  await openRecorded(page, tmpPath, 'overnight', cells, text);
  const timeline = page.locator('.jp-provenance-timeline');
  await expect(timeline).toHaveAttribute('data-bars', '6', { timeout: 15_000 });
  await expect(timeline).toHaveAttribute('data-cuts', '0');
  await page.locator('.jp-provenance-timeline-idle').click();
  await expect(timeline).toHaveAttribute('data-cuts', '1', { timeout: 5_000 });
  await expect(timeline).toHaveAttribute('data-bars', '6');
  // The axis still reads wall-clock time on both sides of the cut.
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('provenance:save-timeline-picture', {
      format: 'svg'
    })
  );
  const file = join(ROOT, tmpPath, 'overnight.timeline.svg');
  await expect.poll(() => existsSync(file), { timeout: 15_000 }).toBe(true);
  const svg = readFileSync(file, 'utf8');
  // The compressed axis spans about 70 s; its labels read times from the
  // whole morning, so they were mapped back to the wall clock.
  const first = await page.evaluate(() =>
    new Date(Date.UTC(2026, 10, 24, 8)).getHours()
  );
  const hours = [...svg.matchAll(/>(\d\d):\d\d:\d\d</g)].map(m => Number(m[1]));
  expect(hours).toContain(first);
  expect(Math.max(...hours)).toBeGreaterThanOrEqual(first + 2);
});

test('the chart resizes with its panel', async ({ page, tmpPath }) => {
  const cells = ['a = 1', 'b = a + 1'];
  const { text } = syntheticJournal({
    notebookPath: `${tmpPath}/sized.ipynb`,
    cells,
    executions: 2,
    samples: 10
  });
  await openRecorded(page, tmpPath, 'sized', cells, text);
  const timeline = page.locator('.jp-provenance-timeline');
  await expect(timeline).toHaveAttribute('data-bars', '2', { timeout: 15_000 });
  const canvas = timeline.locator('canvas');
  const width = async () => (await canvas.boundingBox())?.width ?? 0;
  const before = await width();
  // A wider window gives the panel, and so the chart, more room: Lumino
  // resizes the panel without a window resize event reaching the chart.
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  await page.setViewportSize({
    width: viewport.width + 400,
    height: viewport.height
  });
  await expect.poll(width, { timeout: 10_000 }).toBeGreaterThan(before + 20);
  await page.setViewportSize(viewport);
  await expect.poll(width, { timeout: 10_000 }).toBeLessThan(before + 10);
});

// Pictures of the chart kept in the repository (timeline.spec.ts-snapshots/),
// updated deliberately with `npx playwright test timeline --update-snapshots`.
for (const theme of ['JupyterLab Light', 'JupyterLab Dark']) {
  test(`the chart looks as it did: ${theme}`, async ({ page, tmpPath }) => {
    const cells = ['load()', 'train()', 'evaluate()'];
    const { text } = syntheticJournal({
      notebookPath: `${tmpPath}/looks.ipynb`,
      cells,
      executions: 12,
      samples: 120
    });
    await page.evaluate(
      name =>
        window.jupyterapp.commands.execute('apputils:change-theme', {
          theme: name
        }),
      theme
    );
    await openRecorded(page, tmpPath, 'looks', cells, text);
    const timeline = page.locator('.jp-provenance-timeline');
    await expect(timeline).toHaveAttribute('data-bars', '12', {
      timeout: 15_000
    });
    const background = await page.evaluate(() =>
      getComputedStyle(document.body)
        .getPropertyValue('--jp-layout-color0')
        .trim()
    );
    await expect(timeline).toHaveAttribute('data-background', background);
    await expect(timeline.locator('canvas')).toHaveScreenshot(
      `timeline-${theme.endsWith('Dark') ? 'dark' : 'light'}.png`,
      { maxDiffPixelRatio: 0.01 }
    );
  });
}
