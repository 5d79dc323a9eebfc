/**
 * A resource series as the timeline keeps it: times (ms since the epoch)
 * and values in two parallel typed arrays, sorted by time. Typed arrays
 * because a long session has hundreds of thousands of samples: they take
 * 16 bytes a point instead of an object each, and binary search and the
 * per-column downsampling scan them without touching the heap.
 */

/** Points in time order: `times[i]` (ms since the epoch) has `values[i]`. */
export interface ISeries {
  readonly times: Float64Array;
  readonly values: Float64Array;
}

/** One point, for a view that wants objects (vega data rows). */
export interface ISeriesPoint {
  /** ms since the epoch (or compressed ms, after `compressSeries`). */
  readonly t: number;
  readonly value: number;
}

/** The points of a series as objects, in time order. */
export function seriesPoints(series: ISeries): ISeriesPoint[] {
  const out: ISeriesPoint[] = new Array<ISeriesPoint>(series.times.length);
  for (let i = 0; i < series.times.length; i++) {
    out[i] = { t: series.times[i], value: series.values[i] };
  }
  return out;
}

/** The first index whose time is `>= t` (`times.length` when none). */
export function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** The first index whose time is `> t` (`times.length` when none). */
export function upperBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * A growable series: `push` is amortised O(1) (capacity doubles), and a
 * point older than the last one (clocks of two taps, a late batch) is
 * inserted in place so the series stays sorted.
 */
export class GrowableSeries implements ISeries {
  constructor(capacity = 64) {
    this._times = new Float64Array(capacity);
    this._values = new Float64Array(capacity);
  }

  /** A view of the points so far (shares memory until the next growth). */
  get times(): Float64Array {
    return this._times.subarray(0, this._length);
  }

  get values(): Float64Array {
    return this._values.subarray(0, this._length);
  }

  get length(): number {
    return this._length;
  }

  push(t: number, value: number): void {
    if (this._length === this._times.length) {
      this._grow();
    }
    let at = this._length;
    if (at > 0 && t < this._times[at - 1]) {
      at = upperBound(this._times.subarray(0, this._length), t);
      this._times.copyWithin(at + 1, at, this._length);
      this._values.copyWithin(at + 1, at, this._length);
    }
    this._times[at] = t;
    this._values[at] = value;
    this._length += 1;
  }

  private _grow(): void {
    const times = new Float64Array(Math.max(64, this._times.length * 2));
    const values = new Float64Array(times.length);
    times.set(this._times);
    values.set(this._values);
    this._times = times;
    this._values = values;
  }

  private _times: Float64Array;
  private _values: Float64Array;
  private _length = 0;
}
