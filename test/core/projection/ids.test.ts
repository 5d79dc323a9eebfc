import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLocal } from '../../../src/core/projection/index.js';

test('ids keep letters, digits, _ and - and percent-encode the rest', () => {
  assert.equal(encodeLocal('cell-1_a'), 'cell-1_a');
  assert.equal(encodeLocal('a.b c'), 'a%2Eb%20c');
});

test('a lone surrogate in a journal value does not fail the export', () => {
  assert.equal(encodeLocal('x\uD800y'), 'x%EF%BF%BDy');
  assert.equal(encodeLocal('\uDC00'), '%EF%BF%BD');
  // A proper pair is kept.
  assert.equal(encodeLocal('\uD83D\uDE00'), '%F0%9F%98%80');
});
