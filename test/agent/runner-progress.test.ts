import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  firstLine,
  formatCellEnd,
  formatClock,
  formatRunningLine,
  LineProgress,
  TerminalProgress
} from '../../src/agent/runner/progress.js';

test('the clock is mm:ss, and h:mm:ss from an hour on', () => {
  assert.equal(formatClock(0), '00:00');
  assert.equal(formatClock(65_400), '01:05');
  assert.equal(formatClock(3_725_000), '1:02:05');
});

test('the first line of code skips blank lines and says when more follows', () => {
  assert.equal(firstLine('\n  x = 1\ny = 2', 40), 'x = 1…');
  assert.equal(firstLine('x = 1', 40), 'x = 1');
  assert.equal(firstLine('abcdefghij', 5), 'abcd…');
});

test('one line per cell in a log: status, error, seconds', () => {
  assert.equal(
    formatCellEnd(3, 7, { status: 'ok', seconds: 1.234 }),
    '[3/7] ok 1.2s'
  );
  assert.equal(
    formatCellEnd(2, 7, {
      status: 'error',
      detail: 'ValueError: bad\nshape',
      seconds: 0.31
    }),
    '[2/7] error ValueError: bad shape 0.3s'
  );
});

test('the terminal line fits the terminal', () => {
  const line = formatRunningLine(3, 7, 65_000, 'train(model, epochs=10)', 30);
  assert.equal(line, 'cell 3/7 [01:05] train(model…');
  assert.ok(line.length <= 30);
});

test('LineProgress writes a line when a cell ends, not when it starts', () => {
  const written: string[] = [];
  const progress = new LineProgress({ write: t => written.push(t) });
  progress.cellStarted();
  progress.cellFinished(1, 2, { status: 'ok', seconds: 0.5 });
  progress.note('done');
  assert.deepEqual(written, ['[1/2] ok 0.5s\n', 'done\n']);
});

test('TerminalProgress redraws one line and keeps failures above it', () => {
  const written: string[] = [];
  let now = 0;
  const progress = new TerminalProgress(
    { write: t => written.push(t), columns: 40 },
    () => now
  );
  progress.cellStarted(1, 2, 'x = 1');
  now = 2000;
  progress.cellFinished(1, 2, { status: 'error', detail: 'E: x', seconds: 2 });
  progress.close();
  assert.deepEqual(written, [
    '\r\x1b[Kcell 1/2 [00:00] x = 1',
    '\r\x1b[K[1/2] error E: x 2.0s\n',
    '\r\x1b[K'
  ]);
});
