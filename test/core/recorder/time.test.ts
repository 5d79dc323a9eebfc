import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toIsoTime } from '../../../src/core/recorder/index.js';

test('ipykernel microseconds are cut to milliseconds, not rounded', () => {
  assert.equal(
    toIsoTime('2026-11-24T10:00:00.123999Z'),
    '2026-11-24T10:00:00.123Z'
  );
});

test('offsets are converted to UTC', () => {
  assert.equal(
    toIsoTime('2026-11-24T11:30:00.5+01:30'),
    '2026-11-24T10:00:00.500Z'
  );
  assert.equal(
    toIsoTime('2026-11-24T23:00:00-0200'),
    '2026-11-25T01:00:00.000Z'
  );
});

test('a date without fraction gets zero milliseconds', () => {
  assert.equal(toIsoTime('2026-11-24T10:00:00Z'), '2026-11-24T10:00:00.000Z');
});

test('a Date object is accepted', () => {
  assert.equal(
    toIsoTime(new Date(Date.UTC(2026, 10, 24, 10))),
    '2026-11-24T10:00:00.000Z'
  );
});

test('missing, naive and impossible dates are dropped, not invented', () => {
  for (const odd of [
    undefined,
    null,
    '',
    42,
    'yesterday',
    '2026-11-24T10:00:00.000',
    '2026-02-30T10:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-11-24',
    new Date(Number.NaN)
  ]) {
    assert.equal(toIsoTime(odd), undefined, String(odd));
  }
});
