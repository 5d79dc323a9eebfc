/**
 * The journal as live views see it (src/lab/journal-history.ts): what was
 * read when the notebook opened, then the page's own events and the agent's
 * stream, each event once and in journal order. The agent's stream and its
 * journal file are modelled as the agent makes them: every event is
 * written to the file (within a second) and streamed, in the order
 * recorded; a page subscribed late misses what was streamed before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeEvent,
  JOURNAL_FORMAT_VERSION,
  type ExecutionId,
  type JournalEvent,
  type SessionId
} from '../../src/core/journal/index.js';
import { JournalHistory } from '../../src/lab/journal-history.js';
import {
  at,
  created,
  finished,
  requested,
  sessionStarted,
  started
} from '../core/fixtures/journals.js';

const SESSION = 'sess-agent';

function sample(seconds: number, execution?: string): JournalEvent {
  return {
    v: JOURNAL_FORMAT_VERSION,
    t: at(seconds),
    kind: 'resource.sample',
    session: SESSION as SessionId,
    ...(execution === undefined ? {} : { execution: execution as ExecutionId }),
    interval: 1,
    cpuPercent: 50,
    cpuSeconds: seconds,
    rssBytes: 1e9 + seconds,
    threads: 4,
    processCount: 1
  };
}

/** An agent's session: 12 events, one a second, a cell running from 3 to 9. */
function agentSession(): JournalEvent[] {
  return [
    created(0),
    sessionStarted(1, SESSION, { tap: 'agent' }),
    sample(2),
    requested(3, SESSION, 'msg-1', 'train()', 'cell-1'),
    started(3, 'msg-1', 1),
    sample(4, 'msg-1'),
    sample(5, 'msg-1'),
    sample(6, 'msg-1'),
    sample(7, 'msg-1'),
    sample(8, 'msg-1'),
    finished(9, 'msg-1', 'ok', { executionCount: 1 }),
    sample(10)
  ];
}

const text = (events: readonly JournalEvent[]): string =>
  events.map(event => encodeEvent(event)).join('');

/**
 * A history whose appends are collected and whose file is `file.text`,
 * read from its end as the server's ranged `/files/` answers (the text is
 * ASCII: a character is a byte). `file.read` counts the characters read.
 */
function harness(delays: number[] = [5, 5, 5]) {
  const file = { text: '' as string | undefined, reads: 0, read: 0 };
  const appended: JournalEvent[] = [];
  const gaps: string[] = [];
  const history = new JournalHistory({
    append: events => appended.push(...events),
    readTail: async bytes => {
      file.reads += 1;
      if (file.text === undefined) {
        return undefined;
      }
      const text = file.text.slice(Math.max(0, file.text.length - bytes));
      file.read += text.length;
      return { text, whole: text.length === file.text.length };
    },
    onGap: why => gaps.push(why),
    catchUpDelaysMs: delays
  });
  return { history, file, appended, gaps };
}

const kinds = (events: readonly JournalEvent[]) =>
  events.map(event => `${event.kind}@${event.t.slice(17, 19)}`);

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('timed out');
    }
    await new Promise(resolve => setTimeout(resolve, 2));
  }
}

test('what was read goes in first, then what the page records, once each', () => {
  const { history, appended } = harness();
  const journal = agentSession();
  // Recorded while the journal is read: held, then after what was read.
  history.recorded([journal[10]]);
  history.loaded(journal.slice(0, 10));
  history.recorded([journal[11]]);
  assert.deepEqual(appended, journal);
});

test('an event streamed while the journal is read, and in what was read, is taken once', () => {
  const { history, appended, file } = harness();
  const journal = agentSession();
  // The page subscribed before the read: the stream from event 5 on. The
  // read found the agent had written up to event 7.
  history.streamed('agent-1', journal.slice(5, 9), true);
  history.loaded(journal.slice(0, 8));
  history.streamed('agent-1', journal.slice(9), true);
  assert.deepEqual(kinds(appended), kinds(journal));
  assert.deepEqual(appended, journal);
  assert.equal(
    file.reads,
    0,
    'the read reached the stream: nothing to catch up'
  );
});

test('events recorded before the page subscribed and written after the read are caught up', async () => {
  const { history, appended, file, gaps } = harness([5, 100, 100]);
  const journal = agentSession();
  // Read: events 0–3 were on disk. The page's subscription started with
  // event 7: events 4–6 were streamed before it and written after the read.
  history.loaded(journal.slice(0, 4));
  file.text = text(journal.slice(0, 6));
  history.streamed('agent-1', journal.slice(7, 9), true);
  // Held until the file shows the stream's first event.
  assert.deepEqual(appended, journal.slice(0, 4));
  await new Promise(resolve => setTimeout(resolve, 20));
  file.text = text(journal.slice(0, 10));
  history.streamed('agent-1', journal.slice(9, 11), true);
  await until(() => appended.length >= 11);
  history.streamed('agent-1', journal.slice(11), true);
  assert.deepEqual(appended, journal);
  assert.deepEqual(gaps, []);
  assert.ok(file.reads >= 2, 'read again until the stream start was written');
});

test('a restarted agent (a new stream) catches up from the last event taken', async () => {
  const { history, appended, file } = harness();
  const journal = agentSession();
  history.loaded(journal.slice(0, 3));
  history.streamed('agent-1', journal.slice(3, 6), true);
  file.text = text(journal.slice(0, 6));
  await until(() => appended.length === 6);
  // The new agent's first two events were published before the server
  // subscribed to it; the file has them.
  file.text = text(journal);
  history.streamed('agent-2', journal.slice(8), true);
  await until(() => appended.length === journal.length);
  assert.deepEqual(appended, journal);
});

test('the stream of an agent writing elsewhere is taken at once, repeats dropped', () => {
  const { history, appended, file } = harness();
  const journal = agentSession();
  history.streamed('agent-1', journal.slice(6, 8), false);
  history.loaded(journal.slice(0, 7));
  history.streamed('agent-1', journal.slice(8), false);
  assert.deepEqual(appended, journal);
  assert.equal(file.reads, 0);
});

test('a catch-up that never finds the stream start reports a gap and keeps the stream', async () => {
  const { history, appended, file, gaps } = harness([2, 2]);
  const journal = agentSession();
  history.loaded(journal.slice(0, 4));
  // The file never shows event 6 (the agent's writes fail, say).
  file.text = text(journal.slice(0, 4));
  history.streamed('agent-1', journal.slice(6), true);
  await until(() => gaps.length > 0);
  assert.deepEqual(appended, [...journal.slice(0, 4), ...journal.slice(6)]);
  assert.match(gaps[0], /first streamed event/);
});

test('the page records while a stream waits: its own events are not caught up twice', async () => {
  const { history, appended, file } = harness();
  const journal = agentSession();
  history.loaded(journal.slice(0, 2));
  history.streamed('agent-1', journal.slice(4, 5), true);
  // The page wrote event 3 meanwhile (before the agent's first event, in
  // the file); event 2 is the one the stream missed.
  history.recorded([journal[3]]);
  file.text = text(journal.slice(0, 5));
  await until(() => appended.length >= 5);
  assert.deepEqual(
    kinds(appended),
    kinds([...journal.slice(0, 3), journal[4], journal[3]])
  );
  assert.equal(new Set(appended.map(e => encodeEvent(e))).size, 5);
});

/** `n` idle samples, one a second from second `from` on. */
function samples(from: number, n: number): JournalEvent[] {
  return Array.from({ length: n }, (_, i) => sample(from + i));
}

test('a restart late in a long session reads the end of the journal, not all of it', async () => {
  const { history, appended, file, gaps } = harness();
  // Three hours of samples: a journal of megabytes.
  const before = samples(0, 10_800);
  history.loaded(before);
  // The new agent's first two events were published before the server
  // subscribed to it; the file has them.
  const restarted = samples(20_000, 4);
  file.text = text([...before, ...restarted]);
  assert.ok(file.text.length > 1_900_000);
  history.streamed('agent-2', restarted.slice(2), true);
  await until(() => appended.length === before.length + restarted.length);
  assert.deepEqual(appended.slice(before.length), restarted);
  assert.deepEqual(gaps, []);
  assert.equal(file.reads, 1);
  assert.ok(file.read <= 256 * 1024, `read ${file.read} characters`);
});

test('what the stream missed reaching past the end read first is read further back', async () => {
  const { history, appended, file, gaps } = harness();
  const before = samples(0, 100);
  history.loaded(before);
  // The page lost the agent for over an hour (a laptop asleep): far more
  // than the first read of the end holds was written meanwhile.
  const missed = samples(100, 5_000);
  const streamed = samples(5_100, 3);
  file.text = text([...before, ...missed, ...streamed]);
  history.streamed('agent-2', streamed, true);
  await until(() => appended.length === 5_103);
  assert.deepEqual(appended, [...before, ...missed, ...streamed]);
  assert.deepEqual(gaps, []);
  assert.ok(file.reads >= 2, 'read further back');
});

test('a stream start not written yet is waited for without reading the whole journal', async () => {
  const { history, appended, file, gaps } = harness([5, 20, 20]);
  const before = samples(0, 10_800);
  history.loaded(before);
  file.text = text(before);
  const restarted = samples(20_000, 2);
  history.streamed('agent-2', restarted, true);
  // The end read holds events an hour older than the stream's first: it is
  // not written yet, and nothing before that end can hold it.
  await until(() => file.reads >= 1);
  await new Promise(resolve => setTimeout(resolve, 10));
  file.text = text([...before, ...restarted]);
  await until(() => appended.length === before.length + 2);
  assert.deepEqual(appended.slice(before.length), restarted);
  assert.deepEqual(gaps, []);
  assert.ok(file.reads >= 2);
  assert.ok(file.read <= file.reads * 256 * 1024, 'each try read only the end');
});

test('lines are matched as events: another encoding of the same event, or a damaged line between, still catches up', async () => {
  const { history, appended, file, gaps } = harness();
  const before = samples(0, 50);
  history.loaded(before);
  const restarted = samples(100, 4);
  // Keys in another order than encodeEvent's (a hand-made or older
  // journal), and a torn line left by a crash.
  const reordered = before.map(event => JSON.stringify(event) + '\n').join('');
  assert.notEqual(reordered, text(before));
  file.text = reordered + '{"v":1,"kind":"resource.sam\n' + text(restarted);
  history.streamed('agent-2', restarted.slice(2), true);
  await until(() => appended.length === before.length + restarted.length);
  assert.deepEqual(appended.slice(before.length), restarted);
  assert.deepEqual(gaps, []);
});
