import type { IBarDatum, ILanePoint } from './spec.js';

/**
 * What to hand vega for one data set: the tuples to take out (the objects
 * it holds: vega removes by identity) and those to put in, and what it
 * holds afterwards. A live update that hands over only what differs costs
 * vega work, and repainting, for those tuples alone.
 */
export interface ITupleChanges<T> {
  readonly remove: readonly T[];
  readonly insert: readonly T[];
  /** What the data set holds once the changes are applied. */
  readonly held: readonly T[];
}

/**
 * The bars to change when every bar is drawn anew (the highlighted cell or
 * the order changed): those whose datum differs from the one the chart
 * holds, by execution. Selecting another cell changes its bars and the
 * previous cell's, not 5,000.
 */
export function barChanges(
  held: ReadonlyMap<string, IBarDatum>,
  next: readonly IBarDatum[]
): ITupleChanges<IBarDatum> {
  const remove: IBarDatum[] = [];
  const insert: IBarDatum[] = [];
  const after: IBarDatum[] = [];
  const seen = new Set<string>();
  for (const bar of next) {
    seen.add(bar.id);
    const old = held.get(bar.id);
    if (old !== undefined && sameFields(old, bar)) {
      after.push(old);
      continue;
    }
    if (old !== undefined) {
      remove.push(old);
    }
    insert.push(bar);
    after.push(bar);
  }
  for (const [id, old] of held) {
    if (!seen.has(id)) {
      remove.push(old);
    }
  }
  return { remove, insert, held: after };
}

/**
 * The points of a lane to change: per series, the points after the
 * longest run at the start that is the same in both. Samples arrive at
 * the end of the time axis, and downsampling keeps to fixed pixel columns
 * while the axis stays put, so a live update changes the last columns of
 * each series and hands over a few points instead of thousands.
 */
export function laneChanges(
  held: readonly ILanePoint[],
  next: readonly ILanePoint[]
): ITupleChanges<ILanePoint> {
  const before = bySeries(held);
  const after = bySeries(next);
  const remove: ILanePoint[] = [];
  const insert: ILanePoint[] = [];
  const result: ILanePoint[] = [];
  for (const [series, points] of after) {
    const changes = tailChanges(
      before.get(series) ?? [],
      points,
      (a, b) => a.t === b.t && a.v === b.v
    );
    pushAll(result, changes.held);
    pushAll(remove, changes.remove);
    pushAll(insert, changes.insert);
  }
  for (const [series, old] of before) {
    if (!after.has(series)) {
      pushAll(remove, old);
    }
  }
  return { remove, insert, held: result };
}

/** How far above the highest point a lane's new y extent reaches. */
const LANE_HEADROOM = 1.1;

/**
 * The top of a lane's y extent for `points`: kept while the points stay
 * under it and reach above a quarter of it, otherwise their maximum with
 * headroom (vega rounds it to a nice number). A rising memory curve moves
 * the axis a few times, not with every sample.
 */
export function laneTop(
  current: number | undefined,
  points: readonly ILanePoint[]
): number {
  let max = 0;
  for (const point of points) {
    if (point.v > max) {
      max = point.v;
    }
  }
  if (current !== undefined && max <= current && max >= current / 4) {
    return current;
  }
  return max > 0 ? max * LANE_HEADROOM : 1;
}

/**
 * The items after the longest run at the start of `held` and `next` that
 * is the same in both: for lists that change at their end (a lane's
 * series, the overview's ticks, both in time order).
 */
export function tailChanges<T>(
  held: readonly T[],
  next: readonly T[],
  same: (a: T, b: T) => boolean
): ITupleChanges<T> {
  let kept = 0;
  while (
    kept < held.length &&
    kept < next.length &&
    same(held[kept], next[kept])
  ) {
    kept++;
  }
  return {
    remove: held.slice(kept),
    insert: next.slice(kept),
    held: [...held.slice(0, kept), ...next.slice(kept)]
  };
}

/**
 * Appends `items` to `target` one by one: `push(...items)` passes them as
 * arguments, and a raw lane of 200,000 points overflows the call stack.
 */
function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) {
    target.push(item);
  }
}

function bySeries(points: readonly ILanePoint[]): Map<string, ILanePoint[]> {
  const series = new Map<string, ILanePoint[]>();
  for (const point of points) {
    let list = series.get(point.s);
    if (list === undefined) {
      list = [];
      series.set(point.s, list);
    }
    list.push(point);
  }
  return series;
}

/** Whether two bars have the same value in every field. */
function sameFields(a: IBarDatum, b: IBarDatum): boolean {
  for (const key of Object.keys(b) as (keyof IBarDatum)[]) {
    if (a[key] !== b[key]) {
      return false;
    }
  }
  return Object.keys(a).length === Object.keys(b).length;
}
