import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JournalFile, journalLocation } from '../../src/agent/journal-file.js';
import {
  decodeJournal,
  type ExecutionId,
  type IsoTime,
  type JournalEvent
} from '../../src/core/journal/index.js';

const T = '2026-11-24T10:00:00.000Z' as IsoTime;

function output(n: number): JournalEvent {
  return {
    v: 1,
    t: T,
    kind: 'execution.started',
    execution: `e${n}` as ExecutionId
  };
}

test('with JPY_SESSION_NAME the journal is the notebook’s sidecar in cwd', () => {
  assert.deepEqual(
    journalLocation(
      { JPY_SESSION_NAME: 'work/train.ipynb' },
      '/home/u/work',
      'k1'
    ),
    {
      path: '/home/u/work/train.provenance.jsonl',
      notebookPath: 'work/train.ipynb'
    }
  );
});

test('without it the journal goes to XDG_DATA_HOME/nbprov/journals', () => {
  assert.deepEqual(journalLocation({ XDG_DATA_HOME: '/d' }, '/cwd', 'k1'), {
    path: '/d/nbprov/journals/k1.jsonl'
  });
  assert.deepEqual(journalLocation({ HOME: '/home/u' }, '/cwd', 'a/b:c'), {
    path: '/home/u/.local/share/nbprov/journals/a_b_c.jsonl'
  });
});

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'nbprov-journal-'));
}

test('a new journal starts with journal.created, mode 0600', async () => {
  const path = join(await tempDir(), 'nb.provenance.jsonl');
  const journal = await JournalFile.open({
    location: { path, notebookPath: 'nb.ipynb' },
    onError: e => assert.fail(e)
  });
  journal.append(output(1));
  await journal.close();
  const { events, problems } = decodeJournal(await readFile(path, 'utf8'));
  assert.deepEqual(problems, []);
  assert.equal(events[0].kind, 'journal.created');
  assert.equal(
    events[0].kind === 'journal.created' && events[0].notebookPath,
    'nb.ipynb'
  );
  assert.equal(events.length, 2);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('a torn last line is closed before appending; no second header', async () => {
  const path = join(await tempDir(), 'j.jsonl');
  await writeFile(path, '{"v":1,"kind":"journal.cre');
  const journal = await JournalFile.open({
    location: { path },
    onError: e => assert.fail(e)
  });
  journal.append(output(1));
  await journal.close();
  const { events, problems } = decodeJournal(await readFile(path, 'utf8'));
  assert.deepEqual(
    problems.map(p => p.why),
    ['not-json']
  );
  assert.deepEqual(
    events.map(e => e.kind),
    ['execution.started']
  );
});

test('events wait for the flush interval; a finished execution is written at once', async () => {
  const path = join(await tempDir(), 'j.jsonl');
  const journal = await JournalFile.open({
    location: { path },
    flushIntervalMs: 60_000,
    onError: e => assert.fail(e)
  });
  journal.append(output(1));
  await new Promise(resolve => setTimeout(resolve, 50));
  assert.equal(decodeJournal(await readFile(path, 'utf8')).events.length, 1);
  journal.append({
    v: 1,
    t: T,
    kind: 'execution.finished',
    execution: 'e1' as ExecutionId,
    status: 'ok'
  });
  // No flush from the test: the finish is written by itself, at once.
  await new Promise(resolve => setTimeout(resolve, 50));
  assert.deepEqual(
    decodeJournal(await readFile(path, 'utf8')).events.map(e => e.kind),
    ['journal.created', 'execution.started', 'execution.finished']
  );
  await journal.close();
});

test('a failed write keeps its events for the next try and says so', async () => {
  const path = join(await tempDir(), 'j.jsonl');
  const errors: Error[] = [];
  const journal = await JournalFile.open({
    location: { path },
    flushIntervalMs: 60_000,
    onError: e => errors.push(e)
  });
  // The file handle fails under it, as on a full disk.
  const handle = (journal as unknown as { _handle: { write: () => unknown } })
    ._handle;
  const write = handle.write.bind(handle);
  handle.write = () => Promise.reject(new Error('ENOSPC: no space left'));
  journal.append(output(1));
  await journal.flush();
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /ENOSPC/);
  assert.equal(journal.pending, 1);
  // Space again: the kept events are written, on a line of their own.
  handle.write = write;
  journal.append(output(2));
  await journal.flush();
  assert.equal(journal.pending, 0);
  const { events, problems } = decodeJournal(await readFile(path, 'utf8'));
  assert.deepEqual(problems, []);
  assert.equal(events.filter(e => e.kind === 'execution.started').length, 2);
  await journal.close();
});
