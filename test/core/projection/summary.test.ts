import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeJournal } from '../../../src/core/projection/index.js';
import { JOURNALS } from '../fixtures/journals.js';

test('a summary counts sessions, executions and statuses', () => {
  const summary = summarizeJournal(JOURNALS['one-session']());
  assert.equal(summary.sessions, 1);
  const total = Object.values(summary.byStatus).reduce((a, b) => a + b, 0);
  assert.equal(total, summary.executions);
  assert.ok(summary.executions > 0);
});

test('an unfinished execution counts as running', () => {
  const summary = summarizeJournal(JOURNALS['one-session']());
  assert.equal(summary.byStatus.running, 1);
});

test('top cells are ordered by total wall time and bounded', () => {
  const summary = summarizeJournal(JOURNALS['one-session'](), 2);
  assert.ok(summary.topCells.length <= 2);
  for (let i = 1; i < summary.topCells.length; i++) {
    assert.ok(
      summary.topCells[i - 1].wallSeconds >= summary.topCells[i].wallSeconds
    );
  }
});

test('the time span runs from the first start to the last end', () => {
  const summary = summarizeJournal(JOURNALS['restart']());
  assert.ok(summary.firstStart !== undefined && summary.lastEnd !== undefined);
  assert.ok(Date.parse(summary.firstStart) <= Date.parse(summary.lastEnd));
  assert.equal(summary.sessions, 2);
});

test('an empty journal summarises to nothing without failing', () => {
  const summary = summarizeJournal([]);
  assert.equal(summary.executions, 0);
  assert.equal(summary.sessions, 0);
  assert.deepEqual(summary.topCells, []);
});

test("top cells carry the agent's resource figures where it sampled", () => {
  const summary = summarizeJournal(JOURNALS.resources());
  // Worked out by hand in fixtures/journals.ts (resourcesJournal).
  assert.deepEqual(summary.topCells, [
    {
      cellId: 'cell-train',
      executions: 1,
      wallSeconds: 10,
      cpuSeconds: 8,
      peakMemoryBytes: 3e9,
      gpuSeconds: 15
    }
  ]);
  // A journal without samples has none.
  const plain = summarizeJournal(JOURNALS['one-session']());
  assert.ok(plain.topCells.every(c => c.cpuSeconds === undefined));
});
