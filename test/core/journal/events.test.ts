import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkEvent,
  JOURNAL_EVENT_KINDS
} from '../../../src/core/journal/index.js';
import { MINIMAL_EXAMPLES } from './examples.js';

test('every event kind is listed once', () => {
  assert.equal(new Set(JOURNAL_EVENT_KINDS).size, JOURNAL_EVENT_KINDS.length);
});

test('the codec knows every listed kind', () => {
  for (const event of MINIMAL_EXAMPLES) {
    assert.ok(checkEvent(event).ok, event.kind);
  }
});
