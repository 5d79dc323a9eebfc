/**
 * Cell lineage in a real JupyterLab (Galata, Debian's Chromium, a real
 * ipykernel): upstream and downstream marks when a cell is selected, stale
 * marks after an edit, and "Replay Lineage" from a cell's context menu with
 * its progress, report and journal — through the page's own recording and
 * through the kernel-side agent.
 */
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notebookOf } from './demo';
import { installWrappedKernel } from './wrapped-kernel';

const ROOT = process.env.NBPROV_E2E_ROOT as string;
const UPSTREAM = /\bjp-provenance-lineage-upstream\b/;
const DOWNSTREAM = /\bjp-provenance-lineage-downstream\b/;
const STALE = /\bjp-provenance-lineage-stale\b/;
const MARKED = /\bjp-provenance-lineage-marked\b/;
/** Markup in cell code, which must stay text. */
const HOSTILE = '<img src=x onerror="window.pwned = 1">';

test.use({ autoGoto: true, serverFiles: 'on' });

const PLAIN = { name: 'python3', display_name: 'Python 3 (ipykernel)' };
const WRAPPED = {
  name: 'python3-provenance',
  display_name: 'Python 3 (ipykernel) (provenance)'
};

/** Uploads a notebook of code cells, opens it, runs it all. */
async function openAndRun(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  sources: string[],
  kernel = PLAIN
): Promise<void> {
  await page.contents.uploadContent(
    JSON.stringify(notebookOf(sources, kernel)),
    'text',
    `${tmpPath}/${name}`
  );
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await expect(page.locator('.jp-provenance-status')).toHaveText(
    kernel === PLAIN
      ? 'Provenance: recording · frontend only'
      : /^Provenance: recording · agent/,
    { timeout: 60_000 }
  );
  expect(await page.notebook.run()).toBe(true);
}

function cell(page: IJupyterLabPageFixture, index: number) {
  return page
    .locator('.jp-NotebookPanel:visible .jp-Notebook .jp-Cell')
    .nth(index);
}

/** Makes a cell the active one, the way a user does: a click beside its code. */
async function select(page: IJupyterLabPageFixture, index: number) {
  await cell(page, index).locator('.jp-InputPrompt').click();
  await expect(cell(page, index)).toHaveClass(/\bjp-mod-active\b/);
}

/** The journal's lines as JSON objects. */
function journalLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(line => line.length > 0)
    .map(line => JSON.parse(line) as Record<string, unknown>);
}

/** Right-click a cell, Replay Lineage; resolves the replay panel. */
async function replayFromContextMenu(
  page: IJupyterLabPageFixture,
  index: number
) {
  // A right-click makes the cell the active one, as a user expects.
  await cell(page, index).locator('.jp-InputPrompt').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Replay Lineage' }).click();
  const replay = page.locator('.jp-provenance-replay');
  await expect(replay).toBeVisible();
  return replay;
}

const PIPELINE = ['a = 1', 'b = a + 1', 'c = 100', 'd = b * 2', 'print(d)'];

test.describe('lineage marks', () => {
  test('selecting a cell marks its upstream and downstream cells', async ({
    page,
    tmpPath
  }) => {
    await openAndRun(page, tmpPath, 'marks.ipynb', PIPELINE);
    await select(page, 1);
    // The graph is rebuilt a moment after the last execution is recorded.
    await expect(cell(page, 0)).toHaveClass(UPSTREAM, { timeout: 15_000 });
    await expect(cell(page, 3)).toHaveClass(DOWNSTREAM);
    await expect(cell(page, 4)).toHaveClass(DOWNSTREAM);
    await expect(cell(page, 2)).not.toHaveClass(MARKED);
    await expect(cell(page, 1)).not.toHaveClass(MARKED);
    // In words too, not by colour alone.
    await expect(cell(page, 0)).toHaveAttribute(
      'aria-description',
      /^Upstream: the selected cell’s result was built on this cell\.$/
    );
    await expect(
      cell(page, 3).locator('.jp-provenance-lineage-mark')
    ).toHaveAttribute('title', /^Downstream/);

    // Another selection, other marks.
    await select(page, 4);
    for (const upstream of [0, 1, 3]) {
      await expect(cell(page, upstream)).toHaveClass(UPSTREAM);
    }
    await expect(cell(page, 2)).not.toHaveClass(MARKED);
    await expect(cell(page, 0)).not.toHaveClass(DOWNSTREAM);
  });

  test('editing a used cell marks it and what was built on it stale; the toggle turns marks off', async ({
    page,
    tmpPath
  }) => {
    await openAndRun(page, tmpPath, 'stale.ipynb', PIPELINE);
    // Lineage is known once the session's last cell is marked downstream.
    await select(page, 3);
    await expect(cell(page, 4)).toHaveClass(DOWNSTREAM, { timeout: 15_000 });
    await page.notebook.setCell(0, 'code', 'a = 5');
    // Editing made the edited cell the active one: select the unrelated one.
    await select(page, 2);
    await expect(cell(page, 0)).toHaveClass(STALE);
    await expect(cell(page, 0)).toHaveAttribute(
      'aria-description',
      'Stale: its source was edited since it last ran.'
    );
    for (const built of [1, 3, 4]) {
      await expect(cell(page, built)).toHaveClass(STALE);
      await expect(cell(page, built)).toHaveAttribute(
        'aria-description',
        'Stale: it depends on cell 1, which is stale.'
      );
    }
    await expect(cell(page, 2)).not.toHaveClass(MARKED);

    // Run the edited cell: it is current; the cell that used `a` is stale
    // because `a` changed since.
    expect(await page.notebook.runCell(0, true)).toBe(true);
    await expect(cell(page, 1)).toHaveAttribute(
      'aria-description',
      'Stale: it used a, which cell 1 has changed since.',
      { timeout: 15_000 }
    );
    await expect(cell(page, 0)).not.toHaveClass(STALE);

    // View > Show Lineage Marks turns them off, and on again.
    await page.menu.clickMenuItem('View>Show Lineage Marks');
    await expect(
      page.locator('.jp-Cell.jp-provenance-lineage-marked')
    ).toHaveCount(0);
    await expect(page.locator('.jp-provenance-lineage-mark')).toHaveCount(0);
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('provenance:toggle-lineage-marks')
    );
    await expect(cell(page, 1)).toHaveClass(STALE);
  });
});

test.describe('replay lineage', () => {
  test.beforeAll(installWrappedKernel);

  test('a deterministic lineage with an in-place change reproduces (through the agent)', async ({
    page,
    tmpPath
  }) => {
    await openAndRun(
      page,
      tmpPath,
      'steady.ipynb',
      [
        'values = [1, 2, 3]',
        'values.append(4)',
        'total = sum(values)\nprint("total", total)'
      ],
      WRAPPED
    );
    await expect(
      page.locator('.jp-OutputArea-output').getByText('total 10')
    ).toBeVisible();
    // Marks from the agent's journal and live stream, as without it. (No
    // unrelated cell here: the agent's account of rebound names, shared by
    // cells queued together, makes every such cell a possible writer.)
    await select(page, 2);
    await expect(cell(page, 0)).toHaveClass(UPSTREAM, { timeout: 15_000 });
    await expect(cell(page, 1)).toHaveClass(UPSTREAM);
    const replay = await replayFromContextMenu(page, 2);
    await expect(replay.locator('progress')).toHaveAttribute('max', '3');
    await expect(replay.locator('.jp-provenance-replay-status')).toHaveText(
      '3 of 3 done',
      { timeout: 90_000 }
    );
    await expect(replay.locator('.jp-provenance-replay-verdict')).toHaveText(
      'Reproduced: 3 of 3 reproduced, 0 differ, 0 failed.'
    );
    await expect(replay.locator('.jp-provenance-replay-row')).toHaveCount(3);
    await expect(replay.locator('.jp-provenance-replay-journal')).toHaveText(
      'Recorded in ' +
        `${tmpPath}/steady.replay.provenance.jsonl (by the kernel-side agent).`
    );

    // The agent journaled the replay; the page appended replay.finished.
    const lines = journalLines(
      join(ROOT, tmpPath, 'steady.replay.provenance.jsonl')
    );
    const sessions = lines.filter(l => l.kind === 'session.started');
    expect(sessions.map(s => s.tap)).toEqual(['agent']);
    const last = lines[lines.length - 1];
    expect(last.kind).toBe('replay.finished');
    expect(last.session).toBe(sessions[0].session);
    expect(last.verdict).toBe('reproduced');
    expect((last.executions as unknown[]).length).toBe(3);
    // The user's kernel was not touched: its execution count goes on.
    // (A click, not Galata's activate(): the replay tab's label holds the
    // notebook's name too.)
    await select(page, 2);
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('notebook:run-cell')
    );
    await expect(cell(page, 2).locator('.jp-InputPrompt')).toHaveText('[4]:');
  });

  test('an unseeded random number differs, and the report says which output', async ({
    page,
    tmpPath
  }) => {
    await openAndRun(page, tmpPath, 'random.ipynb', [
      `import random  # ${HOSTILE}`,
      'r = random.random()\nprint(r)'
    ]);
    const printed = (
      await cell(page, 1).locator('.jp-OutputArea-output').innerText()
    ).trim();
    const replay = await replayFromContextMenu(page, 1);
    await expect(replay.locator('.jp-provenance-replay-verdict')).toHaveText(
      'Differs: 1 of 2 reproduced, 1 differ, 0 failed.',
      { timeout: 90_000 }
    );
    // Cell code is shown as text, never as markup.
    await expect(
      replay
        .locator('.jp-provenance-replay-row')
        .first()
        .locator('.jp-provenance-replay-code')
    ).toHaveText(`import random  # ${HOSTILE}`);
    await expect(replay.locator('img')).toHaveCount(0);
    expect(
      await page.evaluate(() => (window as { pwned?: number }).pwned)
    ).toBeUndefined();
    const row = replay.locator('.jp-provenance-replay-row').nth(1);
    await expect(row).toHaveAttribute('data-verdict', 'differs');
    await expect(row.locator('.jp-provenance-replay-code')).toHaveText(
      'r = random.random()'
    );
    const difference = replay.locator('.jp-provenance-replay-difference');
    await expect(difference).toHaveCount(1);
    await expect(
      difference.locator('.jp-provenance-replay-difference-title')
    ).toHaveText('Output stdout differs');
    // Both texts are known (the notebook shows the recorded one): a diff.
    await expect(
      difference.locator('.jp-provenance-replay-diff-removed')
    ).toHaveText(`-${printed}\n`);
    await expect(
      difference.locator('.jp-provenance-replay-diff-added')
    ).toHaveText(/^\+0\.\d+\n$/);

    // Recorded by the page (no agent), linked to what it replayed.
    const lines = journalLines(
      join(ROOT, tmpPath, 'random.replay.provenance.jsonl')
    );
    expect(lines[0].kind).toBe('journal.created');
    expect(
      lines.filter(l => l.kind === 'session.started').map(s => s.tap)
    ).toEqual(['frontend']);
    const original = journalLines(
      join(ROOT, tmpPath, 'random.provenance.jsonl')
    );
    const last = lines[lines.length - 1];
    expect(last.kind).toBe('replay.finished');
    expect(last.verdict).toBe('differs');
    expect((last.of as { journal: string }).journal).toBe(original[0].journal);
  });

  test('a cell that never ran cannot be replayed, and the user is told why', async ({
    page,
    tmpPath
  }) => {
    await openAndRun(page, tmpPath, 'fresh.ipynb', ['x = 1']);
    await page.notebook.addCell('code', 'y = 2');
    await replayFromContextMenuExpectingDialog(page, 1);
    await expect(page.locator('.jp-Dialog-content')).toContainText(
      'Cell 2 has no recorded execution.'
    );
  });
});

async function replayFromContextMenuExpectingDialog(
  page: IJupyterLabPageFixture,
  index: number
) {
  await select(page, index);
  await cell(page, index).locator('.jp-InputPrompt').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Replay Lineage' }).click();
  await expect(page.locator('.jp-Dialog')).toBeVisible();
}

test.describe('cancelling a replay', () => {
  // Galata's kernel tracker proxies every POST under /api/kernels/ and
  // parses the answer as JSON: an interrupt's empty 204 then fails the
  // test. Sessions are still tracked (and shut down after the test).
  test.use({ kernels: null });

  test('Cancel interrupts the replay, shuts its kernel down and reports what did not run', async ({
    page,
    tmpPath
  }) => {
    await openAndRun(page, tmpPath, 'slow.ipynb', [
      'import pathlib, time',
      // Quick when recorded; slow in the replay, once the file exists.
      'slept = time.sleep(120 if pathlib.Path("slow").exists() else 0)',
      'done = slept is None'
    ]);
    await page.contents.uploadContent('', 'text', `${tmpPath}/slow`);
    const replay = await replayFromContextMenu(page, 2);
    const status = replay.locator('.jp-provenance-replay-status');
    await expect(status).toHaveText('1 of 3 · running cell 2', {
      timeout: 90_000
    });
    await replay.getByRole('button', { name: 'Cancel' }).click();
    await expect(status).toHaveText('Cancelled after 1 of 3', {
      timeout: 30_000
    });
    await expect(replay.locator('.jp-provenance-replay-verdict')).toHaveText(
      /^Failed: 1 of 3 reproduced, 0 differ, 2 failed \(the replay was cancelled\)\.$/
    );
    await expect(
      replay.locator('.jp-provenance-replay-row-note').last()
    ).toHaveText(' — not run: the replay was cancelled');
    // The replay's kernel is gone; the notebook's own is still there.
    const sessions = await page.evaluate(async () => {
      const response = await fetch('/api/sessions');
      return ((await response.json()) as { path: string }[]).map(s => s.path);
    });
    expect(sessions.some(path => path.endsWith('slow.replay.ipynb'))).toBe(
      false
    );
    expect(sessions.some(path => path.endsWith('slow.ipynb'))).toBe(true);
    const lines = journalLines(
      join(ROOT, tmpPath, 'slow.replay.provenance.jsonl')
    );
    expect(lines[lines.length - 1].verdict).toBe('failed');
    expect(existsSync(join(ROOT, tmpPath, 'slow.replay.ipynb'))).toBe(false);
  });
});
