/**
 * The events the lineage marks build from (src/lab/lineage/lineage-events.ts):
 * kept from the journal history as they come, without samples and outputs,
 * ready once the journal read at the start is in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../src/core/journal/index.js';
import { LineageEvents } from '../../src/lab/lineage/lineage-events.js';
import {
  oneSessionJournal,
  resourcesJournal
} from '../core/fixtures/journals.js';

test('keeps what the graph reads, in order, and announces each batch', async () => {
  // Outputs from one journal, samples from the other.
  const journal = [...oneSessionJournal(), ...resourcesJournal()];
  const kinds = new Set(journal.map(e => e.kind));
  // The fixture has both kinds of event: some kept, some left out.
  assert.ok(kinds.has('resource.sample'));
  assert.ok(kinds.has('execution.output'));
  assert.ok(kinds.has('execution.finished'));
  const events = new LineageEvents();
  const batches: (readonly JournalEvent[])[] = [];
  events.added.connect((_, batch) => batches.push(batch));
  let ready = false;
  void events.ready.then(() => (ready = true));
  const half = Math.floor(journal.length / 2);
  events.append(journal.slice(0, half));
  events.append(journal.slice(half));
  await Promise.resolve();
  assert.equal(ready, false);
  events.markReady();
  await events.ready;
  const expected = journal.filter(
    e =>
      e.kind !== 'resource.sample' &&
      e.kind !== 'kernel.usage' &&
      e.kind !== 'execution.output'
  );
  assert.ok(expected.length > 0);
  assert.deepEqual(events.events, expected);
  assert.deepEqual(batches.flat(), expected);
});

test('a batch of samples only is not announced', () => {
  const events = new LineageEvents();
  let announced = 0;
  events.added.connect(() => announced++);
  events.append(resourcesJournal().filter(e => e.kind === 'resource.sample'));
  assert.equal(announced, 0);
  assert.equal(events.events.length, 0);
});

test('a journal of 300,000 kept events goes in at once', () => {
  const [first] = oneSessionJournal();
  const events = new LineageEvents();
  events.append(Array.from({ length: 300_000 }, () => first));
  assert.equal(events.events.length, 300_000);
});
