import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeJournal,
  encodeEvent,
  type JournalEvent
} from '../../../src/core/journal/index.js';
import { FULL_EXAMPLES, MINIMAL_EXAMPLES } from './examples.js';

const ALL = [...FULL_EXAMPLES, ...MINIMAL_EXAMPLES];

function journal(events: readonly JournalEvent[]): string {
  return events.map(encodeEvent).join('');
}

test('every kind round-trips through encode and decode', () => {
  const decoded = decodeJournal(journal(ALL));
  assert.deepEqual(decoded.problems, []);
  assert.deepEqual(decoded.events, ALL);
});

test('an event encodes to exactly one line ending in a newline', () => {
  for (const event of ALL) {
    const line = encodeEvent({
      ...event,
      ...('preview' in event ? { preview: 'two\nlines\u2028' } : {})
    } as JournalEvent);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1, event.kind);
  }
});

test('keys are written v, kind, t, then fields in events.ts order', () => {
  const shuffled = {
    error: { evalue: 'x', ename: 'E' },
    status: 'error',
    execution: 'e1',
    t: '2026-11-24T10:00:00.000Z',
    kind: 'execution.finished',
    v: 1
  } as unknown as JournalEvent;
  assert.equal(
    encodeEvent(shuffled),
    '{"v":1,"kind":"execution.finished","t":"2026-11-24T10:00:00.000Z",' +
      '"execution":"e1","status":"error","error":{"ename":"E","evalue":"x"}}\n'
  );
});

test('undefined optional fields are left out of the line', () => {
  const event = {
    v: 1,
    kind: 'execution.started',
    t: '2026-11-24T10:00:00.000Z',
    execution: 'e1',
    executionCount: undefined
  } as unknown as JournalEvent;
  assert.doesNotMatch(encodeEvent(event), /executionCount/);
});

test('encoding an invalid event throws instead of writing it', () => {
  const bad = { ...FULL_EXAMPLES[5], executionCount: -1 } as JournalEvent;
  assert.throws(() => encodeEvent(bad), /executionCount/);
});

test('a torn last line is reported and every earlier event kept', () => {
  const whole = journal(FULL_EXAMPLES);
  const torn = whole + encodeEvent(MINIMAL_EXAMPLES[0]).slice(0, 25);
  const decoded = decodeJournal(torn);
  assert.deepEqual(decoded.events, FULL_EXAMPLES);
  assert.equal(decoded.problems.length, 1);
  assert.equal(decoded.problems[0].why, 'torn-last-line');
  assert.equal(decoded.problems[0].line, FULL_EXAMPLES.length + 1);
  assert.equal(decoded.problems[0].excerpt, torn.split('\n').at(-1));
});

test('a complete last line without its newline is still an event', () => {
  const text = journal(FULL_EXAMPLES).slice(0, -1);
  const decoded = decodeJournal(text);
  assert.deepEqual(decoded.problems, []);
  assert.deepEqual(decoded.events, FULL_EXAMPLES);
});

test('garbage lines in the middle are reported by line and skipped', () => {
  const lines = FULL_EXAMPLES.map(e => encodeEvent(e).slice(0, -1));
  lines.splice(2, 0, 'garbage here');
  lines.splice(5, 0, '{"v":1,"kind":"execution.start');
  lines.splice(7, 0, '\u0000\u0000\u0000');
  const decoded = decodeJournal(lines.join('\n') + '\n');
  assert.deepEqual(decoded.events, FULL_EXAMPLES);
  assert.deepEqual(
    decoded.problems.map(p => [p.line, p.why]),
    [
      [3, 'not-json'],
      [6, 'not-json'],
      [8, 'not-json']
    ]
  );
  assert.equal(decoded.problems[0].excerpt, 'garbage here');
});

test('an unknown version is reported as unknown-version', () => {
  const line = encodeEvent(FULL_EXAMPLES[2]).replace('"v":1', '"v":2');
  const decoded = decodeJournal(encodeEvent(FULL_EXAMPLES[0]) + line);
  assert.equal(decoded.events.length, 1);
  assert.deepEqual(
    decoded.problems.map(p => [p.line, p.why]),
    [[2, 'unknown-version']]
  );
});

test('an unknown kind is reported as unknown-kind', () => {
  const line = '{"v":1,"kind":"cell.edited","t":"2026-11-24T10:00:00.000Z"}';
  const decoded = decodeJournal(line + '\n' + encodeEvent(FULL_EXAMPLES[0]));
  assert.deepEqual(decoded.events, [FULL_EXAMPLES[0]]);
  assert.deepEqual(
    decoded.problems.map(p => [p.line, p.why, p.detail]),
    [[1, 'unknown-kind', 'kind: cell.edited']]
  );
});

test('a known kind with a missing field is reported as invalid-event', () => {
  const line =
    '{"v":1,"kind":"execution.started","t":"2026-11-24T10:00:00.000Z"}';
  const [problem] = decodeJournal(line).problems;
  assert.equal(problem.why, 'invalid-event');
  assert.equal(problem.detail, 'execution: missing');
});

test('empty lines and CRLF line ends are tolerated', () => {
  const text = journal(FULL_EXAMPLES.slice(0, 2)).replace(/\n/g, '\r\n');
  const decoded = decodeJournal('\n' + text + '\n\n');
  assert.deepEqual(decoded.problems, []);
  assert.deepEqual(decoded.events, FULL_EXAMPLES.slice(0, 2));
});

test('a long bad line is excerpted, not copied whole', () => {
  const [problem] = decodeJournal('x'.repeat(10_000) + '\n').problems;
  assert.ok(problem.excerpt.length <= 81);
  assert.ok(problem.excerpt.endsWith('…'));
});

test('an empty journal has no events and no problems', () => {
  assert.deepEqual(decodeJournal(''), { events: [], problems: [] });
});
