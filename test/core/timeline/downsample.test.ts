import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downsample, type ISeries } from '../../../src/core/timeline/index.js';

function series(values: number[], step = 1, t0 = 0): ISeries {
  return {
    times: Float64Array.from(values, (_, i) => t0 + i * step),
    values: Float64Array.from(values)
  };
}

/** A noisy series with a few one-sample spikes, deterministic. */
function noisy(n: number): ISeries {
  let a = 7;
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a * 1103515245 + 12345) % 2147483648;
    values.push((a / 2147483648) * 10);
  }
  values[1234] = 1000;
  values[n - 1] = -1000;
  values[0] = 500;
  return series(values);
}

test('each column keeps its min and max, so a single spike survives', () => {
  const s = series(
    Array.from({ length: 10_000 }, (_, i) => (i === 4321 ? 99 : 1))
  );
  const out = downsample(s, [0, 9999], 100);
  assert.ok([...out.values].includes(99));
  assert.ok(out.times.includes(4321));
});

test('every column keeps the global min and max of its points', () => {
  const s = noisy(50_000);
  const columns = 137;
  const [t0, t1] = [1000, 40_000];
  const out = downsample(s, [t0, t1], columns);
  const width = (t1 - t0) / columns;
  for (let c = 0; c < columns; c++) {
    const lo = t0 + c * width;
    const hi = c === columns - 1 ? t1 + 1 : t0 + (c + 1) * width;
    const pick = (x: ISeries): number[] =>
      [...x.values].filter((_, i) => x.times[i] >= lo && x.times[i] < hi);
    const raw = pick(s);
    const kept = pick(out);
    assert.equal(Math.max(...kept), Math.max(...raw), `max of column ${c}`);
    assert.equal(Math.min(...kept), Math.min(...raw), `min of column ${c}`);
  }
});

test('the output is bounded whatever the input size', () => {
  for (const n of [10, 1000, 200_000]) {
    const s = noisy(n);
    const out = downsample(s, [n / 4, (3 * n) / 4], 100);
    assert.ok(out.times.length <= 2 * 100 + 2, `n=${n}: ${out.times.length}`);
    const m4 = downsample(s, [0, n], 100, { firstLast: true });
    assert.ok(m4.times.length <= 4 * 100 + 2, `n=${n} m4: ${m4.times.length}`);
  }
});

test('the output is sorted by time and is a subset of the input', () => {
  const s = noisy(20_000);
  const out = downsample(s, [500, 19_000], 300, { firstLast: true });
  for (let i = 1; i < out.times.length; i++) {
    assert.ok(out.times[i] > out.times[i - 1]);
  }
  for (let i = 0; i < out.times.length; i++) {
    assert.equal(out.values[i], s.values[out.times[i]]);
  }
});

test("firstLast also keeps each column's first and last point", () => {
  const s = series([5, 1, 9, 7, 3, 8]);
  const out = downsample(s, [0, 5], 1, { firstLast: true });
  // first 5@0, min 1@1, max 9@2, last 8@5
  assert.deepEqual([...out.times], [0, 1, 2, 5]);
  assert.deepEqual([...downsample(s, [0, 5], 1).times], [1, 2]);
});

test('the neighbours outside the range are kept so the line reaches the edges', () => {
  const s = series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10);
  const out = downsample(s, [25, 65], 2);
  assert.equal(out.times[0], 20);
  assert.equal(out.times[out.times.length - 1], 70);
  // Points exactly on the range's ends are inside it (the last column).
  const edge = downsample(s, [20, 70], 2);
  assert.equal(edge.times[0], 10);
  assert.ok(edge.times.includes(70));
  assert.equal(edge.times[edge.times.length - 1], 80);
});

test('empty input, one point, and a range with no points in it', () => {
  const empty = downsample(series([]), [0, 10], 10);
  assert.equal(empty.times.length, 0);
  const one = downsample(series([42], 1, 5), [0, 10], 10);
  assert.deepEqual([...one.values], [42]);
  const outside = downsample(series([42], 1, 5), [100, 200], 10);
  // The one point is the left neighbour: the line still has a height.
  assert.deepEqual([...outside.times], [5]);
  const zeroWidth = downsample(series([1, 2, 3]), [1, 1], 10);
  assert.deepEqual([...zeroWidth.times], [0, 1, 2]);
});

test('equal values in a column keep one point, not two', () => {
  const out = downsample(series([3, 3, 3, 3]), [0, 3], 1);
  assert.equal(out.times.length, 1);
});
