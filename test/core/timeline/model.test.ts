import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ExecutionId,
  JournalEvent
} from '../../../src/core/journal/index.js';
import { aggregateExecutions } from '../../../src/core/resources/index.js';
import {
  firstLineOf,
  FIRST_LINE_MAX_CHARS,
  TimelineModel,
  type ITimelineBar
} from '../../../src/core/timeline/index.js';
import {
  at,
  context,
  oneSessionJournal,
  requested,
  resourcesJournal,
  restartJournal,
  sessionEnded,
  sessionStarted,
  started
} from '../fixtures/journals.js';

const ms = (seconds: number): number => Date.parse(at(seconds));
const byId = (model: TimelineModel, id: string): ITimelineBar => {
  const bar = model.bar(id as ExecutionId);
  assert.ok(bar, `a bar for ${id}`);
  return bar;
};

test('one bar per requested execution, in request order, with its status', () => {
  const model = new TimelineModel(oneSessionJournal());
  assert.deepEqual(
    model.bars.map(b => [b.execution, b.ordinal, b.status, b.executionCount]),
    [
      ['msg-1', 1, 'ok', 1],
      ['msg-2', 2, 'error', 2],
      ['msg-3', 3, 'ok', 3],
      ['msg-4', 4, 'interrupted', 4],
      ['msg-5', 5, 'running', 5]
    ]
  );
});

test('a running execution has a start and no end', () => {
  const bar = byId(new TimelineModel(oneSessionJournal()), 'msg-5');
  assert.equal(bar.status, 'running');
  assert.equal(bar.start, ms(60.01));
  assert.equal(bar.end, undefined);
  assert.equal('end' in bar, false);
  assert.deepEqual(
    new TimelineModel(oneSessionJournal()).running().map(b => b.execution),
    ['msg-5']
  );
});

test('bars take the kernel clock when it gave both ends', () => {
  const bar = byId(new TimelineModel(oneSessionJournal()), 'msg-1');
  assert.equal(bar.clock, 'kernel');
  assert.equal(bar.start, ms(10.01));
  assert.equal(bar.end, ms(11.4));
});

test('the first line of the code is raw text, never markup', () => {
  const model = new TimelineModel([
    sessionStarted(1, 's'),
    requested(
      2,
      's',
      'x',
      '\n  \n<img src=x onerror=alert(1)></script>\nmore',
      'c'
    )
  ]);
  assert.equal(
    byId(model, 'x').firstLine,
    '<img src=x onerror=alert(1)></script>'
  );
  assert.equal(
    byId(new TimelineModel(oneSessionJournal()), 'msg-4').firstLine,
    'import time'
  );
});

test('the first line is cut with an ellipsis when it is very long', () => {
  const line = firstLineOf('x'.repeat(10_000));
  assert.equal(line.length, FIRST_LINE_MAX_CHARS);
  assert.ok(line.endsWith('…'));
  assert.equal(firstLineOf('   \n\t\n'), '');
});

test('an execution whose code was not recorded has no first line', () => {
  const bar = byId(new TimelineModel(restartJournal()), 'msg-4');
  assert.equal(bar.firstLine, undefined);
  assert.equal(bar.status, 'error');
});

test('statuses through a restart: died, aborted, and no bar for strays', () => {
  const model = new TimelineModel(restartJournal());
  assert.deepEqual(
    model.bars.map(b => [b.execution, b.status, b.session]),
    [
      ['msg-1', 'ok', 'sess-1'],
      ['msg-2', 'died', 'sess-1'],
      ['msg-3', 'ok', 'sess-2'],
      ['msg-4', 'error', 'sess-2'],
      ['msg-5', 'aborted', 'sess-2'],
      ['msg-6', 'ok', 'sess-2']
    ]
  );
  assert.equal(model.bar('msg-stray' as ExecutionId), undefined);
  assert.deepEqual(model.running(), []);
});

test('an unfinished execution ends, as died, when its session ends', () => {
  const model = new TimelineModel([
    sessionStarted(1, 's'),
    requested(2, 's', 'x', 'train()', 'c'),
    started(2.1, 'x', 1)
  ]);
  assert.equal(byId(model, 'x').status, 'running');
  const change = model.append([sessionEnded(9, 's', 'died')]);
  assert.deepEqual(
    change.bars.map(b => [b.execution, b.status, b.end]),
    [['x', 'died', ms(9)]]
  );
});

test('y keys: notebook order from the latest context, others last by first appearance', () => {
  const model = new TimelineModel([
    sessionStarted(1, 's'),
    context(2, ['c-a', 'c-b', 'c-c']),
    requested(3, 's', 'e1', 'b', 'c-b'),
    requested(4, 's', 'e2', 'z', 'c-z'),
    requested(5, 's', 'e3', 'console'),
    requested(6, 's', 'e4', 'a', 'c-a'),
    requested(7, 's', 'e5', 'y', 'c-y'),
    requested(8, 's', 'e6', 'b again', 'c-b')
  ]);
  const keys = (): Record<string, number> =>
    Object.fromEntries(model.bars.map(b => [b.execution, b.rowKey]));
  assert.deepEqual(keys(), { e1: 1, e2: 3, e3: 4, e4: 0, e5: 5, e6: 1 });
  assert.deepEqual(
    model.rows().map(r => [r.cellId ?? null, r.inNotebook]),
    [
      ['c-a', true],
      ['c-b', true],
      ['c-z', false],
      [null, false],
      ['c-y', false]
    ]
  );
  // The execution-order key is the ordinal.
  assert.deepEqual(
    model.bars.map(b => b.ordinal),
    [1, 2, 3, 4, 5, 6]
  );
  // The user moves c-b to the end and deletes c-a: every key follows.
  const change = model.append([context(9, ['c-z', 'c-c', 'c-b'])]);
  assert.equal(change.rowsChanged, true);
  assert.equal(change.bars.length, 6);
  assert.deepEqual(keys(), { e1: 2, e2: 0, e3: 3, e4: 4, e5: 5, e6: 2 });
  assert.deepEqual(
    model.rows().map(r => r.cellId ?? null),
    ['c-z', 'c-b', null, 'c-a', 'c-y']
  );
});

test('a context that changes no row reports no row change', () => {
  const model = new TimelineModel(oneSessionJournal());
  const change = model.append([
    context(70, ['c-load', 'c-train', 'c-plot', 'c-sleep', 'c-new'])
  ]);
  assert.equal(change.rowsChanged, false);
  assert.deepEqual(change.bars, []);
});

test('bars carry the resource aggregates of their execution', () => {
  const events = resourcesJournal();
  const bar = byId(new TimelineModel(events), 'msg-train');
  assert.deepEqual(
    bar.resources,
    aggregateExecutions(events).get('msg-train' as ExecutionId)
  );
  assert.equal(bar.resources?.cpuSeconds, 8);
  assert.equal(bar.resources?.peakRssBytes, 3e9);
  assert.equal(bar.resources?.gpuSeconds, 15);
  assert.equal(bar.resources?.gpuEnergyJoules, 5000);
  assert.equal(bar.resources?.cpuEnergyJoules, 900);
});

test('lanes: cpu and memory from agent samples, one GPU series per device', () => {
  const model = new TimelineModel(resourcesJournal());
  const lanes = model.lanes();
  assert.deepEqual(
    lanes.map(l => [l.id, l.unit, l.series.map(s => s.key)]),
    [
      ['cpu', 'percent', ['kernel']],
      ['memory', 'bytes', ['kernel']],
      ['gpuUtil', 'percent', ['gpu0', 'gpu1']],
      ['gpuMemory', 'bytes', ['gpu0', 'gpu1']],
      ['gpuPower', 'watts', ['gpu0', 'gpu1']]
    ]
  );
  const memory = model.lane('memory')!.series[0];
  assert.deepEqual([...memory.times], [ms(2), ms(15), ms(20)]);
  assert.deepEqual([...memory.values], [1e9, 3e9, 2e9]);
  const util1 = model.lane('gpuUtil')!.series[1];
  assert.equal(util1.gpu, 1);
  assert.deepEqual([...util1.values], [0, 100, 100]);
});

test('no GPU lanes without GPU samples; kernel usage feeds cpu and memory', () => {
  const model = new TimelineModel([
    sessionStarted(1, 's'),
    requested(2, 's', 'x', 'f()', 'c'),
    {
      v: 1,
      t: at(3),
      kind: 'kernel.usage',
      session: 's',
      execution: 'x',
      cpuPercent: 150,
      memoryBytes: 5e8
    } as unknown as JournalEvent,
    {
      v: 1,
      t: at(4),
      kind: 'kernel.usage',
      session: 's',
      memoryBytes: 6e8
    } as unknown as JournalEvent
  ]);
  assert.deepEqual(
    model.lanes().map(l => [l.id, l.series[0].times.length]),
    [
      ['cpu', 1],
      ['memory', 2]
    ]
  );
  assert.deepEqual([...model.lane('memory')!.series[0].values], [5e8, 6e8]);
});

test('the extent covers bars and samples, and running bars up to now', () => {
  const model = new TimelineModel(oneSessionJournal());
  assert.deepEqual(model.extent(), [ms(10.01), ms(60.01)]);
  assert.deepEqual(model.extent(ms(100)), [ms(10.01), ms(100)]);
  assert.equal(new TimelineModel([]).extent(), undefined);
});

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Everything a view reads, as plain data. */
function snapshot(model: TimelineModel): unknown {
  return {
    bars: model.bars,
    rows: model.rows(),
    lanes: model.lanes().map(l => ({
      ...l,
      series: l.series.map(s => ({
        ...s,
        times: [...s.times],
        values: [...s.values]
      }))
    })),
    extent: model.extent()
  };
}

test('appending in batches equals building from all events at once', () => {
  const journals = [
    oneSessionJournal(),
    restartJournal(),
    resourcesJournal(),
    // Context changes between executions, and cells outside it.
    [
      ...resourcesJournal().slice(0, 5),
      context(11, ['cell-x', 'c-load']),
      ...oneSessionJournal().slice(3),
      context(70, ['c-plot', 'cell-train']),
      requested(71, 'sess-1', 'late', 'late()', 'c-late')
    ]
  ];
  const next = random(42);
  for (const events of journals) {
    const whole = snapshot(new TimelineModel(events));
    for (let trial = 0; trial < 50; trial++) {
      const model = new TimelineModel();
      let i = 0;
      while (i < events.length) {
        const size = Math.floor(next() * 4);
        model.append(events.slice(i, i + size));
        i += size;
      }
      assert.deepEqual(snapshot(model), whole, `trial ${trial}`);
    }
  }
});

test('a batch reports the bars it changed and the points it added', () => {
  const events = resourcesJournal();
  const model = new TimelineModel(events.slice(0, 6));
  const change = model.append(events.slice(6, 7));
  assert.deepEqual(
    change.bars.map(b => b.execution),
    ['msg-train']
  );
  assert.equal(change.points, 2 + 2 * 3);
  assert.deepEqual(change.lanes, [
    'cpu',
    'memory',
    'gpuUtil',
    'gpuMemory',
    'gpuPower'
  ]);
  assert.equal(change.bars[0].resources?.samples, 1);
});
