/**
 * Tick marks for a time axis whose idle gaps are compressed (issue 4,
 * "compress idle time"). A time scale spaces ticks evenly on the axis; where
 * a cut squeezes three hours into a minute, evenly spaced ticks inside it
 * would be labelled half an hour apart a few pixels apart, and the hour
 * after the break would get none. Here each stretch between cuts gets ticks
 * at round wall-clock times, as many as fit, the start of the axis and the
 * end of each cut (where time resumes) get one, and no tick falls inside a
 * cut.
 */

import type { ITimeCompression } from './compress.js';

/** Round steps for wall-clock ticks, ms. */
const STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
  43200, 86400, 172800, 604800
].map(seconds => seconds * 1000);

/**
 * Tick positions (on the compressed axis) for `range` of it drawn `width`
 * pixels wide, at least `spacing` pixels apart within a stretch; `null`
 * when no cut reaches into `range` (a plain time scale's ticks are right).
 */
export function compressedAxisTicks(
  compression: ITimeCompression,
  range: readonly [number, number],
  width: number,
  spacing = 80
): number[] | null {
  const [r0, r1] = range;
  const cuts = compression.cuts.filter(
    cut => cut.compressedEnd > r0 && cut.compressedStart < r1
  );
  if (cuts.length === 0 || !(r1 > r0)) {
    return null;
  }
  // Where the axis begins, when that is not in a cut (it is labelled even
  // where the stretch is too narrow for a round time).
  const ticks: number[] = cuts[0].compressedStart > r0 ? [r0] : [];
  // The stretches of real time between the cuts, clipped to the range.
  let from = r0;
  const stretches: [number, number][] = [];
  for (const cut of cuts) {
    if (cut.compressedStart > from) {
      stretches.push([from, cut.compressedStart]);
    }
    if (cut.compressedEnd <= r1) {
      ticks.push(cut.compressedEnd);
    }
    from = Math.max(from, cut.compressedEnd);
  }
  if (r1 > from) {
    stretches.push([from, r1]);
  }
  for (const [a, b] of stretches) {
    const fit = Math.floor((((b - a) / (r1 - r0)) * width) / spacing);
    if (fit < 1) {
      continue;
    }
    const realStart = compression.toReal(a);
    const realEnd = compression.toReal(b);
    const step =
      STEPS_MS.find(s => (realEnd - realStart) / s <= fit) ??
      STEPS_MS[STEPS_MS.length - 1];
    for (let t = Math.ceil(realStart / step) * step; t <= realEnd; t += step) {
      ticks.push(compression.toCompressed(t));
    }
  }
  return [...new Set(ticks)].sort((x, y) => x - y);
}
