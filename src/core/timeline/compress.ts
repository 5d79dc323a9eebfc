/**
 * Idle-time compression (issue 4, "compress idle time"): a real session
 * spans hours or days, mostly idle, and at true scale its executions are
 * slivers. Every gap with no running execution that is longer than a
 * threshold is squeezed, linearly, into a fixed small width; everything
 * else keeps its real scale. The map is strictly increasing, so it is
 * invertible (tooltips and zoom read real times back), and it is the same
 * map for bars and samples, so a sample stays under its execution.
 *
 * A cut is squeezed rather than removed so that every real time still has
 * its own compressed time: a sample taken during a cut stays drawn (inside
 * the cut's mark) and the inverse is a function, not a guess.
 */

import type { ISeries } from './series.js';

/** A time interval, ms since the epoch; `end >= start`. */
export interface ITimeInterval {
  readonly start: number;
  readonly end: number;
}

/** One squeezed gap: where it was, and where it is drawn. */
export interface IIdleCut {
  /** The gap in real time: from the end of one busy interval to the start of the next. */
  readonly realStart: number;
  readonly realEnd: number;
  /** Where the gap is drawn; `compressedEnd - compressedStart` is the cut width. */
  readonly compressedStart: number;
  readonly compressedEnd: number;
  /** Real time the cut hides: the gap's length less the width it keeps. */
  readonly removedMs: number;
}

export interface ICompressionOptions {
  /** Gaps longer than this are cut (ms). Default 10 minutes. */
  readonly thresholdMs?: number;
  /**
   * The width a cut gap keeps (ms). Default a tenth of the threshold, so a
   * cut gap is always drawn narrower than any gap that was long enough to
   * be cut, yet is still wide enough to see and to mark.
   */
  readonly cutWidthMs?: number;
  /**
   * The whole time span shown (ms): idle time before the first busy
   * interval and after the last is cut like any other gap.
   */
  readonly domain?: readonly [number, number];
}

export const DEFAULT_IDLE_THRESHOLD_MS = 10 * 60_000;

/** A monotonic map between real and compressed time, with its cuts. */
export interface ITimeCompression {
  /** Cuts in time order; empty when nothing was long enough to cut. */
  readonly cuts: readonly IIdleCut[];
  /** Real ms → compressed ms. Compressed time starts equal to real time. */
  toCompressed(t: number): number;
  /**
   * Compressed ms → real ms: the inverse of `toCompressed`, exact outside
   * cuts; inside one, float64's rounding of an epoch time (~0.2 µs) is
   * scaled by the squeeze factor (gap / width), so a day-long gap cut to a
   * minute reads back within half a millisecond.
   */
  toReal(t: number): number;
}

/**
 * Cuts the idle gaps between `busy` intervals (in any order, overlapping
 * or not; a running execution is passed with its end at "now").
 */
export function compressIdleTime(
  busy: readonly ITimeInterval[],
  options: ICompressionOptions = {}
): ITimeCompression {
  const threshold = options.thresholdMs ?? DEFAULT_IDLE_THRESHOLD_MS;
  const width = Math.min(options.cutWidthMs ?? threshold / 10, threshold);
  if (!(width > 0)) {
    // A zero width would map a whole gap to one instant: not invertible.
    throw new RangeError(
      `The idle cut width must be more than 0 ms (threshold ${threshold} ms, width ${width} ms).`
    );
  }
  const gaps = idleGaps(busy, options.domain);
  const cuts: IIdleCut[] = [];
  let removed = 0;
  for (const gap of gaps) {
    const length = gap.end - gap.start;
    if (length > threshold) {
      const compressedStart = gap.start - removed;
      cuts.push({
        realStart: gap.start,
        realEnd: gap.end,
        compressedStart,
        compressedEnd: compressedStart + width,
        removedMs: length - width
      });
      removed += length - width;
    }
  }
  return new Compression(cuts);
}

/** The gaps between the merged busy intervals, and to the domain's ends. */
function idleGaps(
  busy: readonly ITimeInterval[],
  domain: readonly [number, number] | undefined
): ITimeInterval[] {
  const sorted = busy
    .filter(b => Number.isFinite(b.start) && Number.isFinite(b.end))
    .slice()
    .sort((a, b) => a.start - b.start);
  const gaps: ITimeInterval[] = [];
  let cursor = domain?.[0];
  for (const interval of sorted) {
    if (cursor !== undefined && interval.start > cursor) {
      gaps.push({ start: cursor, end: interval.start });
    }
    cursor =
      cursor === undefined ? interval.end : Math.max(cursor, interval.end);
  }
  if (domain !== undefined && cursor !== undefined && domain[1] > cursor) {
    gaps.push({ start: cursor, end: domain[1] });
  }
  return gaps;
}

/** One axis of a cut: its start and end on that axis. */
type CutAxis = (cut: IIdleCut) => readonly [number, number];
const REAL: CutAxis = c => [c.realStart, c.realEnd];
const COMPRESSED: CutAxis = c => [c.compressedStart, c.compressedEnd];

class Compression implements ITimeCompression {
  constructor(readonly cuts: readonly IIdleCut[]) {}

  toCompressed(t: number): number {
    return this._map(t, REAL, COMPRESSED);
  }

  toReal(t: number): number {
    return this._map(t, COMPRESSED, REAL);
  }

  /** `t` on the `from` axis, on the `to` axis: linear inside a cut, shifted after it. */
  private _map(t: number, from: CutAxis, to: CutAxis): number {
    const cut = this._last(t, c => from(c)[0]);
    if (cut === undefined) {
      return t;
    }
    const [fromStart, fromEnd] = from(cut);
    const [toStart, toEnd] = to(cut);
    if (t < fromEnd) {
      return (
        toStart + ((t - fromStart) * (toEnd - toStart)) / (fromEnd - fromStart)
      );
    }
    return t - fromEnd + toEnd;
  }

  /** The last cut whose `key` is `<= t`: binary search, O(log cuts). */
  private _last(
    t: number,
    key: (cut: IIdleCut) => number
  ): IIdleCut | undefined {
    let lo = 0;
    let hi = this.cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key(this.cuts[mid]) <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo === 0 ? undefined : this.cuts[lo - 1];
  }
}

/**
 * A series on the compressed axis. One pass: the cut index only moves
 * forward, since the series is sorted (O(points + cuts)).
 */
export function compressSeries(
  series: ISeries,
  compression: ITimeCompression
): ISeries {
  const { cuts } = compression;
  const times = new Float64Array(series.times.length);
  let c = 0;
  for (let i = 0; i < times.length; i++) {
    const t = series.times[i];
    while (c < cuts.length && cuts[c].realEnd <= t) {
      c += 1;
    }
    // Before cut c (or inside it): only the cuts before c shifted t.
    times[i] =
      c < cuts.length && t >= cuts[c].realStart
        ? compression.toCompressed(t)
        : t - (c === 0 ? 0 : cuts[c - 1].realEnd - cuts[c - 1].compressedEnd);
  }
  return { times, values: series.values };
}
