/**
 * Added latency per cell in the browser: trivial executions (`pass`) run
 * from the notebook with recording on and off, interleaved in blocks in the
 * same page and kernel, several rounds; prints medians and their ratio.
 *
 *   npx playwright test -c bench/playwright.bench.config.ts
 *
 * "Off" is the extension installed with recording turned off in its
 * settings (its message handler returns at once); it is the closest
 * same-page baseline to the extension being absent.
 */
import { expect, test } from '@jupyterlab/galata';

const PER_MODE = Number(process.env.NBPROV_BENCH_CELLS ?? 200);
const BLOCK = 20;

test('added latency per trivial cell, recording on vs off', async ({
  page,
  tmpPath
}) => {
  await page.filebrowser.openDirectory(tmpPath);
  await page.notebook.createNew('latency.ipynb');
  await page.notebook.setCell(0, 'code', 'pass');
  expect(await page.notebook.runCell(0, true)).toBe(true);

  const result = await page.evaluate(
    async ({ perMode, block }) => {
      const app = window.jupyterapp;
      const registry = await window.galata.getPlugin(
        '@jupyterlab/apputils-extension:settings'
      );
      if (!registry) {
        throw new Error('no setting registry');
      }
      const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
      const runBlock = async (mode: 'on' | 'off'): Promise<void> => {
        await registry.set(
          'jupyterlab-provenance:plugin',
          'enabled',
          mode === 'on'
        );
        // Let the recorder open (or close) its kernel session.
        await new Promise(resolve => setTimeout(resolve, 300));
        for (let i = 0; i < block; i++) {
          const start = performance.now();
          await app.commands.execute('notebook:run-cell');
          times[mode].push(performance.now() - start);
        }
      };
      while (times.on.length < perMode || times.off.length < perMode) {
        await runBlock('on');
        await runBlock('off');
      }
      await registry.set('jupyterlab-provenance:plugin', 'enabled', true);
      return times;
    },
    { perMode: PER_MODE, block: BLOCK }
  );

  const median = (values: number[]): number => {
    const s = [...values].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const on = median(result.on);
  const off = median(result.off);
  console.log(
    `cell latency over ${result.on.length} trivial executions per mode: ` +
      `recording on ${on.toFixed(2)} ms, off ${off.toFixed(2)} ms (medians), ` +
      `ratio ${(on / off).toFixed(3)}, added ${(on - off).toFixed(2)} ms`
  );
  expect(result.on.length).toBeGreaterThanOrEqual(PER_MODE);
});
