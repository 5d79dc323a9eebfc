import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compressedAxisTicks,
  compressIdleTime,
  compressSeries,
  TimelineModel,
  type ITimeInterval
} from '../../../src/core/timeline/index.js';
import {
  at,
  finished,
  requested,
  sessionStarted,
  started
} from '../fixtures/journals.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const iv = (startMin: number, endMin: number): ITimeInterval => ({
  start: T0 + startMin * MIN,
  end: T0 + endMin * MIN
});

test('only gaps longer than the threshold are cut, to the cut width', () => {
  const busy = [iv(0, 1), iv(5, 6), iv(30, 31), iv(41, 42), iv(100, 101)];
  const c = compressIdleTime(busy, { thresholdMs: 10 * MIN, cutWidthMs: MIN });
  // 1→5 (4 min) and 31→41 (exactly 10 min) stay; 6→30 and 42→100 are cut.
  assert.deepEqual(
    c.cuts.map(cut => [
      (cut.realStart - T0) / MIN,
      (cut.realEnd - T0) / MIN,
      (cut.compressedEnd - cut.compressedStart) / MIN,
      cut.removedMs / MIN
    ]),
    [
      [6, 30, 1, 23],
      [42, 100, 1, 57]
    ]
  );
  // After both cuts, time is shifted by everything removed.
  assert.equal(c.toCompressed(T0 + 101 * MIN), T0 + (101 - 23 - 57) * MIN);
  assert.equal(c.toCompressed(T0 + 3 * MIN), T0 + 3 * MIN);
});

test('the default cut width is a tenth of the threshold', () => {
  const c = compressIdleTime([iv(0, 1), iv(60, 61)], { thresholdMs: 10 * MIN });
  assert.equal(c.cuts[0].compressedEnd - c.cuts[0].compressedStart, MIN);
});

test('a gap is never cut inside an execution, overlapping or nested', () => {
  // An execution spanning the others: no idle time at all between 0 and 200.
  const busy = [iv(50, 51), iv(0, 200), iv(120, 121), iv(250, 251)];
  const c = compressIdleTime(busy, { thresholdMs: 10 * MIN });
  assert.deepEqual(
    c.cuts.map(cut => [(cut.realStart - T0) / MIN, (cut.realEnd - T0) / MIN]),
    [[200, 250]]
  );
  for (const b of busy) {
    for (const cut of c.cuts) {
      assert.ok(cut.realEnd <= b.start || cut.realStart >= b.end);
    }
    // Busy time keeps its real length.
    assert.equal(
      c.toCompressed(b.end) - c.toCompressed(b.start),
      b.end - b.start
    );
  }
});

test('the domain ends are cut too when idle long enough', () => {
  const c = compressIdleTime([iv(60, 61)], {
    thresholdMs: 10 * MIN,
    domain: [T0, T0 + 200 * MIN]
  });
  assert.deepEqual(
    c.cuts.map(cut => [(cut.realStart - T0) / MIN, (cut.realEnd - T0) / MIN]),
    [
      [0, 60],
      [61, 200]
    ]
  );
});

test('the map is strictly increasing and toReal inverts it', () => {
  const busy = [iv(0, 1), iv(30, 32), iv(33, 34), iv(300, 301), iv(2000, 2001)];
  const c = compressIdleTime(busy, {
    thresholdMs: 10 * MIN,
    domain: [T0 - 100 * MIN, T0 + 3000 * MIN]
  });
  assert.equal(c.cuts.length, 5);
  let previous = -Infinity;
  for (let m = -100; m <= 3000; m += 0.37) {
    const t = T0 + m * MIN;
    const y = c.toCompressed(t);
    assert.ok(y > previous, `increasing at ${m} min`);
    previous = y;
    // Within a cut the inverse scales float64's rounding of an epoch time
    // (~0.2 µs) by the squeeze factor (here up to 1,699): still below the
    // journal's resolution of a millisecond.
    assert.ok(Math.abs(c.toReal(y) - t) < 1, `inverse at ${m} min`);
  }
  // Cut boundaries map exactly.
  for (const cut of c.cuts) {
    assert.equal(c.toCompressed(cut.realStart), cut.compressedStart);
    assert.equal(c.toCompressed(cut.realEnd), cut.compressedEnd);
    assert.equal(c.toReal(cut.compressedEnd), cut.realEnd);
  }
});

test('nothing to cut: the identity', () => {
  const c = compressIdleTime([], { thresholdMs: MIN });
  assert.deepEqual(c.cuts, []);
  assert.equal(c.toCompressed(T0), T0);
  assert.equal(c.toReal(T0), T0);
});

test('a zero cut width is refused: the map would not be invertible', () => {
  assert.throws(
    () => compressIdleTime([iv(0, 1), iv(60, 61)], { cutWidthMs: 0 }),
    RangeError
  );
});

test('compressSeries maps every point as toCompressed does', () => {
  const busy = [iv(0, 1), iv(60, 61), iv(62, 63), iv(500, 501)];
  const c = compressIdleTime(busy, { thresholdMs: 10 * MIN });
  const times = new Float64Array(2000);
  for (let i = 0; i < times.length; i++) {
    times[i] = T0 + (i * 501 * MIN) / times.length;
  }
  const values = times.map((_, i) => i);
  const out = compressSeries({ times, values }, c);
  assert.equal(out.values, values);
  for (let i = 0; i < times.length; i++) {
    assert.equal(out.times[i], c.toCompressed(times[i]));
  }
});

test('the model compresses around its bars, running ones up to now', () => {
  const model = new TimelineModel([
    sessionStarted(0, 's'),
    requested(0, 's', 'a', 'a', 'c'),
    started(0, 'a', 1),
    finished(60, 'a', 'ok'),
    requested(3600, 's', 'b', 'b', 'c'),
    started(3600, 'b', 2)
  ]);
  const now = Date.parse(at(7200));
  const c = model.compression(now, { thresholdMs: 10 * MIN });
  assert.deepEqual(
    c.cuts.map(cut => [cut.realStart, cut.realEnd]),
    [[Date.parse(at(60)), Date.parse(at(3600))]]
  );
});

test('axis ticks skip a cut, fall on round times around it, and mark where time resumes', () => {
  // Busy 10:00–10:05 and 13:00–13:05; the three hours between are cut to
  // one minute.
  const c = compressIdleTime([iv(0, 5), iv(180, 185)], {
    thresholdMs: 10 * MIN,
    cutWidthMs: MIN
  });
  const [cut] = c.cuts;
  const range: [number, number] = [T0, c.toCompressed(T0 + 185 * MIN)];
  // 11 minutes of axis over 1,100 px: room for a tick every 100 px.
  const ticks = compressedAxisTicks(c, range, 1100, 100);
  assert.ok(ticks);
  assert.deepEqual(
    ticks.filter(t => t > cut.compressedStart && t < cut.compressedEnd),
    [],
    'none inside the cut'
  );
  const minutes = ticks.map(t => (c.toReal(t) - T0) / MIN);
  // Round wall-clock minutes on both sides (10:00 begins the axis too), and
  // 13:00 where time resumes.
  assert.deepEqual(minutes, [0, 1, 2, 3, 4, 5, 180, 181, 182, 183, 184, 185]);
});

test('without a cut in view, the axis keeps its own ticks', () => {
  const c = compressIdleTime([iv(0, 5), iv(180, 185)], {
    thresholdMs: 10 * MIN,
    cutWidthMs: MIN
  });
  assert.equal(compressedAxisTicks(c, [T0, T0 + 4 * MIN], 800), null);
  const none = compressIdleTime([iv(0, 5)], { thresholdMs: 10 * MIN });
  assert.equal(compressedAxisTicks(none, [T0, T0 + 5 * MIN], 800), null);
});
