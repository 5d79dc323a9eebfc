/**
 * What a live update hands the timeline's chart (src/lab/timeline/changes.ts):
 * only the bars and lane points that differ, as the objects the chart holds
 * (vega removes tuples by identity), and a lane's y extent that moves only
 * when the points outgrow it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  barChanges,
  laneChanges,
  laneTop,
  tailChanges
} from '../../src/lab/timeline/changes.js';
import type { IBarDatum, ILanePoint } from '../../src/lab/timeline/spec.js';

function bar(id: string, overrides: Partial<IBarDatum> = {}): IBarDatum {
  return {
    id,
    cellId: `cell-${id}`,
    y: `1 x = ${id}`,
    start: 1000,
    end: 2000,
    startText: '08:00:01',
    status: 'ok',
    code: `x = ${id}`,
    count: '[1]',
    duration: '1.00 s',
    cpu: '–',
    memory: '–',
    gpu: '–',
    energy: '–',
    highlighted: 0,
    ...overrides
  };
}

const points = (series: string, values: number[], t0 = 0): ILanePoint[] =>
  values.map((v, i) => ({ t: t0 + i * 10, v, s: series }));

test('bars: a new highlight hands over only the bars it changes', () => {
  const held = new Map(
    ['a', 'b', 'c'].map(id => [
      id,
      bar(id, { highlighted: id === 'a' ? 1 : 0 })
    ])
  );
  const next = ['a', 'b', 'c'].map(id =>
    bar(id, { highlighted: id === 'b' ? 1 : 0 })
  );
  const changes = barChanges(held, next);
  assert.deepEqual(
    changes.remove.map(b => b.id),
    ['a', 'b']
  );
  // The held objects themselves: vega removes by identity.
  assert.equal(changes.remove[0], held.get('a'));
  assert.deepEqual(
    changes.insert.map(b => [b.id, b.highlighted]),
    [
      ['a', 0],
      ['b', 1]
    ]
  );
  // `c` did not change: the chart keeps the object it holds.
  assert.equal(
    changes.held.find(b => b.id === 'c'),
    held.get('c')
  );
  assert.equal(changes.held.length, 3);
});

test('bars: a bar gone from the model is removed, a new one inserted', () => {
  const held = new Map([['a', bar('a')]]);
  const changes = barChanges(held, [bar('b')]);
  assert.deepEqual(
    changes.remove.map(b => b.id),
    ['a']
  );
  assert.deepEqual(
    changes.insert.map(b => b.id),
    ['b']
  );
  assert.deepEqual(
    changes.held.map(b => b.id),
    ['b']
  );
});

test('bars: nothing changed, nothing handed over', () => {
  const held = new Map([['a', bar('a')]]);
  const changes = barChanges(held, [bar('a')]);
  assert.equal(changes.remove.length + changes.insert.length, 0);
});

test('lanes: new samples at the end hand over the last points only', () => {
  const before = [
    ...points('kernel', [1, 2, 3, 4, 5]),
    ...points('gpu0', [9, 9, 9])
  ];
  const after = [
    ...points('kernel', [1, 2, 3, 4, 7, 8]),
    ...points('gpu0', [9, 9, 9, 9])
  ];
  const changes = laneChanges(before, after);
  // kernel: the last point changed (its column got a new maximum) and
  // one was added; gpu0: one was added.
  assert.deepEqual(
    changes.remove.map(p => [p.s, p.v]),
    [['kernel', 5]]
  );
  assert.equal(changes.remove[0], before[4]);
  assert.deepEqual(
    changes.insert.map(p => [p.s, p.t, p.v]),
    [
      ['kernel', 40, 7],
      ['kernel', 50, 8],
      ['gpu0', 30, 9]
    ]
  );
  // What the chart holds afterwards is the new lane, with the unchanged
  // points as the objects it already had.
  assert.deepEqual(
    changes.held.map(p => [p.s, p.t, p.v]),
    after.map(p => [p.s, p.t, p.v])
  );
  assert.equal(changes.held[0], before[0]);
});

test('lanes: a moved axis (every point differs) replaces the lane', () => {
  const before = points('kernel', [1, 2, 3]);
  const after = points('kernel', [1, 2, 3], 5);
  const changes = laneChanges(before, after);
  assert.equal(changes.remove.length, 3);
  assert.equal(changes.insert.length, 3);
});

test('lanes: a series that is gone is removed', () => {
  const before = [...points('kernel', [1]), ...points('gpu1', [2, 3])];
  const changes = laneChanges(before, points('kernel', [1]));
  assert.deepEqual(
    changes.remove.map(p => p.s),
    ['gpu1', 'gpu1']
  );
  assert.equal(changes.insert.length, 0);
});

test('lane extent: kept while the points stay inside it, grown with headroom', () => {
  const first = laneTop(undefined, points('kernel', [10, 40]));
  assert.equal(first, 44);
  // Still under the top and above a quarter of it: unchanged.
  assert.equal(laneTop(first, points('kernel', [10, 43])), first);
  // Over it: the new maximum with headroom.
  assert.equal(laneTop(first, points('kernel', [10, 80])), 88);
  // Far under it (a quiet stretch brushed): fitted again.
  assert.equal(laneTop(first, points('kernel', [4, 8])), 8.8);
  // Nothing drawn, or only zeros: a unit extent.
  assert.equal(laneTop(undefined, []), 1);
  assert.equal(laneTop(1, points('kernel', [0, 0])), 1);
});

test('overview ticks: a new column at the end adds one tick', () => {
  const held = [{ start: 1 }, { start: 5 }];
  const changes = tailChanges(
    held,
    [{ start: 1 }, { start: 5 }, { start: 9 }],
    (a, b) => a.start === b.start
  );
  assert.equal(changes.remove.length, 0);
  assert.deepEqual(changes.insert, [{ start: 9 }]);
  assert.equal(changes.held[1], held[1]);
});

test('lanes: a raw lane of 200,000 points is handed over whole', () => {
  const many = points(
    'kernel',
    Array.from({ length: 200_000 }, (_, i) => i % 100)
  );
  const changes = laneChanges([], many);
  assert.equal(changes.insert.length, 200_000);
  assert.equal(laneChanges(many, many).insert.length, 0);
});
