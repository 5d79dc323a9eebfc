/**
 * Downsampling a series to the pixel columns it is drawn on (issue 4,
 * "Scale"): a line through a million points looks the same as one through
 * the few points per column that decide where its pixels go.
 *
 * For every column the point with the smallest and the one with the largest
 * value are kept, in time order, so a one-sample spike still reaches its
 * pixel (averaging would flatten it). With `firstLast`, the first and last
 * point of each column are kept too (the M4 aggregation: pixel-exact for a
 * line chart, at twice the points). The last point before the range and the
 * first after it are kept as well, so the line enters and leaves the plot at
 * the right height instead of starting at the first visible sample.
 *
 * Cost: two binary searches and one pass over the visible points.
 */

import { lowerBound, upperBound, type ISeries } from './series.js';

export interface IDownsampleOptions {
  /** Keep each column's first and last point as well as its min and max. */
  readonly firstLast?: boolean;
}

/**
 * The points of `series` (sorted by time) that draw it over `range` at
 * `columns` pixel columns: at most 2 per column (4 with `firstLast`) plus
 * the two neighbours outside the range.
 */
export function downsample(
  series: ISeries,
  range: readonly [number, number],
  columns: number,
  options: IDownsampleOptions = {}
): ISeries {
  const { times, values } = series;
  const [t0, t1] = range;
  const n = Math.max(1, Math.floor(columns));
  const from = lowerBound(times, t0);
  const to = upperBound(times, t1);
  const perColumn = options.firstLast === true ? 4 : 2;
  const outTimes = new Float64Array(Math.min(times.length, n * perColumn + 2));
  const outValues = new Float64Array(outTimes.length);
  let length = 0;
  const keep = (i: number): void => {
    outTimes[length] = times[i];
    outValues[length] = values[i];
    length += 1;
  };
  if (from > 0) {
    keep(from - 1);
  }
  const span = t1 - t0;
  // Every visible point falls in a column; a zero-width range is one column.
  const scale = span > 0 ? n / span : 0;
  let i = from;
  while (i < to) {
    const column = Math.min(n - 1, Math.floor((times[i] - t0) * scale));
    const first = i;
    let min = i;
    let max = i;
    i += 1;
    while (
      i < to &&
      Math.min(n - 1, Math.floor((times[i] - t0) * scale)) === column
    ) {
      if (values[i] < values[min]) {
        min = i;
      } else if (values[i] > values[max]) {
        max = i;
      }
      i += 1;
    }
    const last = i - 1;
    // Up to four indices; emit them once each, in time order.
    const picks = perColumn === 4 ? [first, min, max, last] : [min, max];
    picks.sort((a, b) => a - b);
    let previous = -1;
    for (const p of picks) {
      if (p !== previous) {
        keep(p);
        previous = p;
      }
    }
  }
  if (to < times.length) {
    keep(to);
  }
  return {
    times: outTimes.subarray(0, length),
    values: outValues.subarray(0, length)
  };
}
