import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import {
  checkEvent,
  decodeJournal,
  encodeEvent,
  JOURNAL_EVENT_KINDS,
  type JournalEvent
} from '../../../src/core/journal/index.js';
import { FIXTURE_NAMES, record } from '../recorder/fixtures.js';
import { BAD_LINES, FULL_EXAMPLES, MINIMAL_EXAMPLES } from './examples.js';

const schema: unknown = JSON.parse(
  readFileSync(
    new URL('../../../../schema/journal/event-v1.schema.json', import.meta.url),
    'utf8'
  )
);
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema as object);

function assertValid(event: unknown, label: string): void {
  assert.ok(validate(event), `${label}: ${ajv.errorsText(validate.errors)}`);
}

test('the examples cover every kind, full and minimal', () => {
  for (const examples of [FULL_EXAMPLES, MINIMAL_EXAMPLES]) {
    assert.deepEqual(
      examples.map(e => e.kind),
      JOURNAL_EVENT_KINDS
    );
  }
});

test('hand-written examples of every kind validate against the schema', () => {
  for (const event of [...FULL_EXAMPLES, ...MINIMAL_EXAMPLES]) {
    assertValid(event, event.kind);
    assertValid(JSON.parse(encodeEvent(event)), `encoded ${event.kind}`);
  }
});

test('every event the recorder emits from the fixtures validates', () => {
  for (const name of FIXTURE_NAMES) {
    const events: JournalEvent[] = [];
    for (const options of [
      {},
      { recordCode: false, recordOutputPreviews: false }
    ]) {
      const h = record(name, options);
      h.recorder.endSession('shutdown');
      events.push(...h.events);
    }
    for (const event of events) {
      assertValid(event, `${name} ${event.kind}`);
      assertValid(JSON.parse(encodeEvent(event)), `${name} encoded`);
    }
  }
});

test('the guards and the schema refuse the same bad lines', () => {
  for (const { line, why } of BAD_LINES) {
    const value: unknown = JSON.parse(line);
    const check = checkEvent(value);
    assert.equal(check.ok, false, `guard accepted ${line}`);
    assert.equal(check.ok ? 'ok' : check.why, why, line);
    assert.equal(validate(value), false, `schema accepted ${line}`);
    assert.deepEqual(
      decodeJournal(line + '\n').problems.map(p => p.why),
      [why]
    );
  }
});
