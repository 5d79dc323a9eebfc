/**
 * Kernel timestamps to journal times.
 *
 * The messaging spec says header dates are ISO 8601; ipykernel sends
 * microseconds (`2026-11-24T10:00:00.123456Z`), other kernels send
 * milliseconds, offsets, or nothing. The journal keeps UTC with milliseconds.
 * Anything that is not a whole, zoned date-time is dropped rather than
 * guessed at: a naive date (no `Z`, no offset) could be local time or UTC
 * depending on the kernel, and a wrong time is worse than none.
 */

import type { IsoTime } from '../journal/events.js';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** `value` as `YYYY-MM-DDTHH:mm:ss.sssZ`, or undefined when it is no such time. */
export function toIsoTime(value: unknown): IsoTime | undefined {
  if (value instanceof Date) {
    return fromEpochMs(value.getTime());
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const m = ISO_DATE_TIME.exec(value.trim());
  if (m === null) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = m
    .slice(1, 7)
    .map(s => Number(s));
  // Truncate, never round: rounding .9995 up would move the second.
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  if (hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, ms);
  // Date quietly rolls 2026-02-30 over into March; refuse it instead.
  if (
    local.getUTCFullYear() !== year ||
    local.getUTCMonth() !== month - 1 ||
    local.getUTCDate() !== day
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const sign = m[9] === '-' ? -1 : 1;
    offsetMinutes = sign * (Number(m[10]) * 60 + Number(m[11]));
  }
  return fromEpochMs(local.getTime() - offsetMinutes * 60_000);
}

function fromEpochMs(ms: number): IsoTime | undefined {
  if (!Number.isFinite(ms)) {
    return undefined;
  }
  const iso = new Date(ms).toISOString();
  // Years outside 0000-9999 come out as `+012345-...`: not a journal time.
  return iso.length === 24 ? (iso as IsoTime) : undefined;
}
