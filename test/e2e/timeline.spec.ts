/**
 * The provenance timeline in a real JupyterLab (Galata, Debian's Chromium):
 * opened beside the notebook, one bar per execution, live, keyboard
 * navigation selecting the cell, the empty state, PNG/SVG pictures.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, openDemo, openNewNotebook } from './demo';
import { installWrappedKernel } from './wrapped-kernel';
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

/** A bar as the chart holds it (its vega data set). */
interface IDrawnBar {
  id: string;
  cellId: string;
  status: string;
  count: string;
}

/** The bars the open timeline's chart holds now. */
function drawnBars(page: IJupyterLabPageFixture): Promise<IDrawnBar[]> {
  return page.evaluate(() => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      if (widget.hasClass('jp-provenance-timeline-panel')) {
        const chart = (
          widget as unknown as {
            content: { chart?: { data(name: string): IDrawnBar[] } };
          }
        ).content.chart;
        return (chart?.data('bars') ?? []).map(bar => ({
          id: bar.id,
          cellId: bar.cellId,
          status: bar.status,
          count: bar.count
        }));
      }
    }
    return [];
  });
}

/** Where the open timeline draws an execution's bar, in page pixels. */
function barBox(
  page: IJupyterLabPageFixture,
  execution: string
): Promise<{ x: number; y: number; width: number; height: number } | null> {
  return page.evaluate(id => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      if (widget.hasClass('jp-provenance-timeline-panel')) {
        const content = (
          widget as unknown as {
            content: {
              barBox(
                id: string
              ):
                | { x: number; y: number; width: number; height: number }
                | undefined;
            };
          }
        ).content;
        return content.barBox(id) ?? null;
      }
    }
    return null;
  }, execution);
}

/** The notebook's active cell index (the first notebook in the main area). */
function activeCellIndex(
  page: IJupyterLabPageFixture
): Promise<number | undefined> {
  return page.evaluate(() => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      const content = (
        widget as unknown as { content?: { activeCellIndex?: number } }
      ).content;
      if (typeof content?.activeCellIndex === 'number') {
        return content.activeCellIndex;
      }
    }
    return undefined;
  });
}

/** Makes cell `index` active and runs it, without waiting for it to end. */
async function startCell(
  page: IJupyterLabPageFixture,
  index: number
): Promise<void> {
  await page.evaluate(i => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      const content = (
        widget as unknown as { content?: { activeCellIndex?: number } }
      ).content;
      if (typeof content?.activeCellIndex === 'number') {
        content.activeCellIndex = i;
      }
    }
    // Not returned: page.evaluate would wait for the promise, which the
    // command settles only when the cell has finished.
    void window.jupyterapp.commands.execute('notebook:run-cell');
  }, index);
}

test('an empty timeline says how to start it', async ({ page, tmpPath }) => {
  await openDemo(page, tmpPath);
  await openTimeline(page);
  await expect(
    page.getByText('Run a cell to start the timeline')
  ).toBeVisible();
  // No legend for a chart not drawn.
  await expect(page.locator('.jp-provenance-timeline-legend')).toBeHidden();
  // Beside the notebook, not over it: both are visible.
  await expect(page.locator('.jp-NotebookPanel')).toBeVisible();
});

/** Opens the demo and its timeline, runs every cell, waits for their bars. */
async function runDemoWithTimeline(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<void> {
  await openDemo(page, tmpPath);
  await openTimeline(page);
  // Focus the notebook (the timeline opened beside it took the focus).
  await page.locator('.jp-NotebookPanel .jp-Cell').first().click();
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('notebook:run-all-cells')
  );
  await expect(page.locator('.jp-provenance-timeline')).toHaveAttribute(
    'data-bars',
    String(codeCellCount()),
    { timeout: 15_000 }
  );
}

test('one bar per execution, live, and the keyboard selects their cells', async ({
  page,
  tmpPath
}) => {
  // Live: the bars arrive without reopening the timeline.
  await runDemoWithTimeline(page, tmpPath);
  const timeline = page.locator('.jp-provenance-timeline');
  await expect(page.getByText('Run a cell to start the timeline')).toBeHidden();
  await expect(timeline.locator('canvas')).toBeVisible();

  // Arrow keys walk the executions; each selects its cell in the notebook.
  await timeline.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  // The second execution ran the second code cell: it is now active.
  const secondCode = codeCellIndices()[1];
  await expect.poll(() => activeCellIndex(page)).toBe(secondCode);
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

test('clicking a bar on the chart makes its cell the active cell', async ({
  page,
  tmpPath
}) => {
  await runDemoWithTimeline(page, tmpPath);
  const timeline = page.locator('.jp-provenance-timeline');
  // The notebook ends on its last cell; the bar clicked is the second
  // execution's, which ran the second code cell.
  let second: IDrawnBar | undefined;
  await expect
    .poll(async () => {
      second = (await drawnBars(page)).find(bar => bar.count === '[2]');
      return second?.status;
    })
    .toBe('ok');
  expect(await activeCellIndex(page)).not.toBe(codeCellIndices()[1]);
  // A mouse click where the bar is drawn, as a person would click it (its
  // place read again if a live redraw moved it meanwhile).
  await expect(async () => {
    const box = await barBox(page, second!.id);
    expect(box?.width).toBeGreaterThan(0);
    await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    expect(await activeCellIndex(page)).toBe(codeCellIndices()[1]);
  }).toPass({ timeout: 15_000 });
  await expect(
    timeline.locator('.jp-provenance-timeline-announce')
  ).toContainText('Execution [2]: ok');
});

/** Opens a new notebook of `cells` and its timeline, once it records. */
async function openRecording(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  cells: string[]
): Promise<void> {
  await openNewNotebook(page, tmpPath, name, cells);
  await openTimeline(page);
}

/** The statuses of the bars drawn, sorted. */
async function drawnStatuses(page: IJupyterLabPageFixture): Promise<string[]> {
  return (await drawnBars(page)).map(bar => bar.status).sort();
}

test('an error and an interrupted execution show as such', async ({
  page,
  tmpPath
}) => {
  // What the kernel answers for an interrupted cell (an error reply whose
  // ename is KeyboardInterrupt), raised by the cell itself: see the next
  // test for the interrupt button.
  await openRecording(page, tmpPath, 'faults', [
    'raise ValueError("boom")',
    'raise KeyboardInterrupt'
  ]);
  await startCell(page, 0);
  await expect
    .poll(() => drawnStatuses(page), { timeout: 30_000 })
    .toEqual(['error']);
  await startCell(page, 1);
  await expect
    .poll(() => drawnStatuses(page), { timeout: 30_000 })
    .toEqual(['error', 'interrupted']);
});

test.describe('with a kernel interrupted', () => {
  // Galata's kernel tracking proxies the kernels API and reads every answer
  // as JSON; an interrupt's answer is empty (204), so it would never reach
  // the server. The kernel is shut down at the end by hand instead.
  test.use({ kernels: null });

  test('a running cell stopped with the interrupt button shows as interrupted', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    await openRecording(page, tmpPath, 'stopped', [
      'import time\ntime.sleep(30)'
    ]);
    await startCell(page, 0);
    // Running: its bar grows on the chart until it is interrupted.
    await expect
      .poll(() => drawnStatuses(page), { timeout: 30_000 })
      .toEqual(['running']);
    await page.notebook.activate('stopped.ipynb');
    await page.notebook.clickToolbarItem('interrupt');
    await expect
      .poll(() => drawnStatuses(page), { timeout: 20_000 })
      .toEqual(['interrupted']);
    await shutDownKernels(page);
  });
});

/**
 * Pixels where the chart on screen differs from a full repaint of the same
 * scene, by more than a quarter of a colour channel (an anti-aliased edge
 * redrawn under a clip differs by less), or null when the chart took an
 * update while it was being compared. `scribble` first paints a small
 * rectangle on the screen's canvas, as a stale bar would look, to show the
 * comparison sees one.
 */
function stalePixels(
  page: IJupyterLabPageFixture,
  scribble = false
): Promise<number | null> {
  return page.evaluate(async scribble => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      if (!widget.hasClass('jp-provenance-timeline-panel')) {
        continue;
      }
      const content = (
        widget as unknown as {
          content: {
            node: HTMLElement;
            chart?: { toCanvas(scale: number): Promise<HTMLCanvasElement> };
          };
        }
      ).content;
      const shown = content.node.querySelector('canvas');
      if (!shown || !content.chart) {
        return null;
      }
      const updates = content.node.dataset.redraws;
      const context = shown.getContext('2d')!;
      if (scribble) {
        context.fillStyle = '#ff00ff';
        context.fillRect(shown.width / 2, shown.height / 3, 3, 12);
      }
      const [w, h] = [shown.width, shown.height];
      const onScreen = context.getImageData(0, 0, w, h).data;
      const full = await content.chart.toCanvas(window.devicePixelRatio);
      if (content.node.dataset.redraws !== updates) {
        return null;
      }
      const repainted = full.getContext('2d')!.getImageData(0, 0, w, h).data;
      let stale = 0;
      for (let i = 0; i < onScreen.length; i += 4) {
        const d = Math.max(
          Math.abs(onScreen[i] - repainted[i]),
          Math.abs(onScreen[i + 1] - repainted[i + 1]),
          Math.abs(onScreen[i + 2] - repainted[i + 2])
        );
        if (d > 64) {
          stale++;
        }
      }
      return stale;
    }
    return null;
  }, scribble);
}

/** `stalePixels`, tried again while the chart takes updates meanwhile. */
async function compared(
  page: IJupyterLabPageFixture,
  scribble = false
): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const stale = await stalePixels(page, scribble);
    if (stale !== null) {
      return stale;
    }
  }
  throw new Error('The chart never held still long enough to compare.');
}

/**
 * Shuts down the open notebooks' kernels: tests that opt out of Galata's
 * kernel tracking (`kernels: null`) clean up by hand.
 */
async function shutDownKernels(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    for (const widget of window.jupyterapp.shell.widgets('main')) {
      const session = (
        widget as unknown as {
          sessionContext?: { shutdown(): Promise<void> };
        }
      ).sessionContext;
      await session?.shutdown();
    }
  });
}

test.describe('with the kernel-side agent', () => {
  test.beforeAll(installWrappedKernel);

  test('live updates repaint only what changed, and the chart matches a full repaint', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    const cells = [
      'import time\nx = 1',
      // Memory and CPU while it runs: samples arrive, its bar grows.
      'blocks = []\nfor i in range(10):\n    blocks.append(bytearray(30_000_000))\n    sum(range(400_000))\n    time.sleep(0.3)',
      'y = x + 1'
    ];
    await openNewNotebook(page, tmpPath, 'live', cells, true);
    await page.notebook.runCell(0, true);
    await openTimeline(page);
    const timeline = page.locator('.jp-provenance-timeline');
    await expect(timeline).toHaveAttribute('data-bars', '1', {
      timeout: 15_000
    });
    // The next cells run with the chart open: it takes them live.
    await page.locator('.jp-NotebookPanel .jp-Cell').nth(1).click();
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('notebook:run-all-below')
    );
    await expect
      .poll(async () => (await drawnBars(page)).map(b => b.status).join(), {
        timeout: 30_000
      })
      .toBe('ok,ok,ok');
    await expect
      .poll(async () => Number(await timeline.getAttribute('data-lane-points')))
      .toBeGreaterThan(0);
    // Another cell selected: its bars are handed over again, no others.
    await page.locator('.jp-NotebookPanel .jp-Cell').first().click();
    const updates = Number(await timeline.getAttribute('data-redraws'));
    await expect
      .poll(async () => Number(await timeline.getAttribute('data-redraws')))
      .toBeGreaterThan(updates);

    // Every update since the chart was drawn repainted only part of it:
    // what is on screen is what a full repaint of the same scene draws.
    expect(await compared(page)).toBe(0);
    // The comparison sees a stale bar.
    expect(await compared(page, true)).toBeGreaterThan(20);
  });

  test.describe('with a kernel restarted', () => {
    // Galata's kernel tracking proxies the kernels API and cannot answer a
    // restart (see the interrupt test); the kernel is shut down by hand.
    test.use({ kernels: null });

    test('a kernel restart catches up from the end of a long journal, not all of it', async ({
      page,
      tmpPath
    }) => {
      test.setTimeout(120_000);
      const cells = ['x = 1', 'y = x + 1'];
      const journalPath = `${tmpPath}/long.provenance.jsonl`;
      // Hours of an earlier session: megabytes of journal.
      const { text } = syntheticJournal({
        notebookPath: `${tmpPath}/long.ipynb`,
        cells,
        executions: 200,
        samples: 20_000
      });
      expect(text.length).toBeGreaterThan(2_000_000);
      await page.contents.uploadContent(text, 'text', journalPath);
      // How the page reads the journal: whole through the contents API, or
      // its end through a ranged /files/ GET.
      const wholeReads: string[] = [];
      const ranged: { range: string; status: number; bytes: number }[] = [];
      page.on('response', response => {
        const url = decodeURIComponent(response.url());
        const request = response.request();
        if (!url.includes(journalPath) || request.method() !== 'GET') {
          return;
        }
        if (url.includes('/api/contents/') && !url.includes('content=0')) {
          wholeReads.push(url);
        } else if (url.includes('/files/')) {
          ranged.push({
            range: request.headers()['range'] ?? '',
            status: response.status(),
            bytes: Number(response.headers()['content-length'])
          });
        }
      });
      const gaps: string[] = [];
      page.on('console', message => {
        if (message.text().includes('jupyterlab-provenance')) {
          gaps.push(message.text());
        }
      });
      await openNewNotebook(page, tmpPath, 'long', cells, true);
      await page.notebook.runCell(0, true);
      await openTimeline(page);
      const timeline = page.locator('.jp-provenance-timeline');
      await expect(timeline).toHaveAttribute('data-bars', '201', {
        timeout: 30_000
      });
      const catchUps = ranged.length;
      await page.evaluate(async () => {
        for (const widget of window.jupyterapp.shell.widgets('main')) {
          const kernel = (
            widget as unknown as {
              sessionContext?: {
                session?: { kernel?: { restart(): Promise<void> } | null };
              };
            }
          ).sessionContext?.session?.kernel;
          await kernel?.restart();
        }
      });
      await expect(page.locator('.jp-provenance-status')).toHaveText(
        'Provenance: recording · agent',
        { timeout: 30_000 }
      );
      // Running again when the restarted kernel answers.
      await page.waitForFunction(() =>
        Array.from(window.jupyterapp.shell.widgets('main')).some(
          widget =>
            (
              widget as unknown as {
                sessionContext?: { session?: { kernel?: { status: string } } };
              }
            ).sessionContext?.session?.kernel?.status === 'idle'
        )
      );
      await startCell(page, 1);
      // The new agent's stream is held until the catch-up settles it: its
      // bar shows well before a failed catch-up would give up (about 19 s).
      await expect(timeline).toHaveAttribute('data-bars', '202', {
        timeout: 12_000
      });
      expect(ranged.length).toBeGreaterThan(catchUps);
      for (const read of ranged) {
        expect(read.range).toBe(`bytes=-${256 * 1024}`);
        expect(read.status).toBe(206);
        expect(read.bytes).toBe(256 * 1024);
      }
      // Read whole once: when the notebook opened.
      expect(wholeReads).toHaveLength(1);
      expect(gaps).toEqual([]);
      await shutDownKernels(page);
    });
  });
});

test('a cell run for the first time adds a row, and rows keep their height', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(120_000);
  const cells = Array.from({ length: 8 }, (_, i) => `x${i} = ${i}`);
  await openRecording(page, tmpPath, 'rows', cells);
  const timeline = page.locator('.jp-provenance-timeline');
  await startCell(page, 0);
  await expect(timeline).toHaveAttribute('data-bars', '1', {
    timeout: 15_000
  });
  const [first] = await drawnBars(page);
  const height = async () => (await barBox(page, first.id))?.height ?? 0;
  await expect.poll(height).toBeGreaterThan(0);
  const oneRow = await height();
  for (let i = 1; i < cells.length; i++) {
    await startCell(page, i);
    await expect(timeline).toHaveAttribute('data-bars', String(i + 1), {
      timeout: 15_000
    });
  }
  // Eight rows now: the first bar is as tall as when it was alone.
  await expect.poll(height).toBeCloseTo(oneRow, 0);
  const rows = new Set((await drawnBars(page)).map(bar => bar.cellId));
  expect(rows.size).toBe(cells.length);
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
  const labels = [...svg.matchAll(/>(\d\d):(\d\d):(\d\d)</g)].map(
    m => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])
  );
  const hours = labels.map(seconds => Math.floor(seconds / 3600));
  expect(hours).toContain(first);
  expect(hours).toContain(first + 3);
  // No tick inside the cut: the cut squeezes three hours into a minute of
  // axis, where evenly spaced ticks would read half an hour apart a few
  // pixels apart. Every label is of the morning's first minute, or of the
  // time after the break.
  const breakStart = first * 3600 + 60;
  const breakEnd = (first + 3) * 3600;
  expect(
    labels.filter(seconds => seconds > breakStart && seconds < breakEnd)
  ).toEqual([]);
});

test('the chart resizes with its panel, and always fits in it', async ({
  page,
  tmpPath
}) => {
  // A long first line: its row label is cut to fit, never the chart.
  const cells = ['a = 1', `b = a + 1  # ${'a long comment '.repeat(12)}`];
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
  // Nothing sticks out of the panel: no sideways scrolling, and the
  // legend's last entry inside it.
  const fits = () =>
    timeline.evaluate(node => {
      const right = node.getBoundingClientRect().right;
      const entries = node.querySelectorAll(
        '.jp-provenance-timeline-legend li'
      );
      const last = entries[entries.length - 1]?.getBoundingClientRect();
      return (
        node.scrollWidth <= node.clientWidth &&
        entries.length === 6 &&
        last !== undefined &&
        last.right <= right
      );
    });
  await expect.poll(fits, { timeout: 10_000 }).toBe(true);
  const before = await width();
  // A wider window gives the panel, and so the chart, more room: Lumino
  // resizes the panel without a window resize event reaching the chart.
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  await page.setViewportSize({
    width: viewport.width + 400,
    height: viewport.height
  });
  await expect.poll(width, { timeout: 10_000 }).toBeGreaterThan(before + 20);
  await expect.poll(fits, { timeout: 10_000 }).toBe(true);
  await page.setViewportSize(viewport);
  await expect.poll(width, { timeout: 10_000 }).toBeLessThan(before + 10);
  await expect.poll(fits, { timeout: 10_000 }).toBe(true);
  // A narrow window (a laptop's split screen): a narrower chart, still
  // inside its panel.
  await page.setViewportSize({ width: 1000, height: viewport.height });
  await expect.poll(width, { timeout: 10_000 }).toBeLessThan(before);
  await expect.poll(fits, { timeout: 10_000 }).toBe(true);
  await page.setViewportSize(viewport);
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
    // The bars' colours above the chart, in the theme's colours.
    const legend = timeline.locator('.jp-provenance-timeline-legend li');
    await expect(legend).toHaveText([
      'ok',
      'error',
      'interrupted',
      'aborted',
      'died',
      'running'
    ]);
    await expect(timeline).toHaveScreenshot(
      `timeline-${theme.endsWith('Dark') ? 'dark' : 'light'}.png`,
      { maxDiffPixelRatio: 0.01 }
    );
  });
}
