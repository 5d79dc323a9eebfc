/**
 * The sidecar journal writer against a contents manager that behaves like
 * Jupyter Server's: LargeFileManager (chunks after the first append), a
 * manager that refuses chunks (400), and one that ignores `chunk` and
 * overwrites. The fake keeps files in memory; what it models is the server's
 * documented chunk semantics (jupyter_server LargeFileManager.save).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Contents, ServerConnection } from '@jupyterlab/services';
import {
  JOURNAL_FORMAT_VERSION,
  type IsoTime,
  type JournalEvent
} from '../../src/core/journal/index.js';
import { SidecarJournal } from '../../src/lab/sidecar-journal.js';

type ChunkBehaviour = 'append' | 'refuse' | 'overwrite';

class FakeContents {
  readonly files = new Map<string, string>();
  saves = 0;
  failNext = 0;
  constructor(readonly chunks: ChunkBehaviour = 'append') {}

  async get(path: string): Promise<Partial<Contents.IModel>> {
    const content = this.files.get(path);
    if (content === undefined) {
      throw httpError(404);
    }
    return { path, content, size: Buffer.byteLength(content) };
  }

  async save(
    path: string,
    options: Partial<Contents.IModel>
  ): Promise<Partial<Contents.IModel>> {
    this.saves += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw httpError(503);
    }
    const text = String(options.content);
    const chunk = options.chunk;
    if (chunk !== undefined && chunk > 1 && this.chunks === 'refuse') {
      throw httpError(400);
    }
    const appending =
      chunk !== undefined && chunk > 1 && this.chunks === 'append';
    const next = (appending ? (this.files.get(path) ?? '') : '') + text;
    this.files.set(path, next);
    return { path, size: Buffer.byteLength(next) };
  }

  /** `RTC:x` is on the drive `RTC`; a plain path on the server's own. */
  driveName(path: string): string {
    return /^(\w+):/.exec(path)?.[1] ?? '';
  }

  async rename(from: string, to: string): Promise<Partial<Contents.IModel>> {
    const content = this.files.get(from);
    if (content === undefined) {
      throw httpError(404);
    }
    this.files.delete(from);
    this.files.set(to, content);
    return { path: to };
  }
}

function httpError(status: number): ServerConnection.ResponseError {
  return new ServerConnection.ResponseError(
    new Response(null, { status }),
    `HTTP ${status}`
  );
}

function toggle(recording: boolean, second: number): JournalEvent {
  return {
    v: JOURNAL_FORMAT_VERSION,
    t: `2026-11-24T10:00:${String(second).padStart(2, '0')}.000Z` as IsoTime,
    kind: 'recording.toggled',
    recording
  };
}

function journalOn(fake: FakeContents, path = 'nb.provenance.jsonl') {
  const errors: unknown[] = [];
  const journal = new SidecarJournal(
    fake as unknown as Contents.IManager,
    path,
    e => errors.push(e)
  );
  return { journal, errors };
}

function lines(text: string | undefined): string[] {
  return (text ?? '').split('\n').filter(l => l.length > 0);
}

test('a batch of events is one request, appended in order', async () => {
  const fake = new FakeContents();
  const { journal } = journalOn(fake);
  await journal.load();
  journal.append([toggle(false, 1), toggle(true, 2)]);
  journal.append([toggle(false, 3)]);
  assert.equal(await journal.flush(), true);
  assert.equal(fake.saves, 1);
  const written = lines(fake.files.get('nb.provenance.jsonl'));
  assert.deepEqual(
    written.map(l => JSON.parse(l).t.slice(17, 19)),
    ['01', '02', '03']
  );
});

test('after a torn last line, appended events start on a new line', async () => {
  const fake = new FakeContents();
  fake.files.set('nb.provenance.jsonl', '{"v":1,"t":"2026-11');
  const { journal } = journalOn(fake);
  const loaded = await journal.load();
  assert.equal(loaded.problems.length, 1);
  journal.append([toggle(true, 4)]);
  await journal.flush();
  const written = lines(fake.files.get('nb.provenance.jsonl'));
  assert.equal(written[0], '{"v":1,"t":"2026-11');
  assert.equal(JSON.parse(written[1]).kind, 'recording.toggled');
});

test('a failed write keeps its lines and a later flush writes them in order', async () => {
  const fake = new FakeContents();
  const { journal, errors } = journalOn(fake);
  await journal.load();
  fake.failNext = 1;
  journal.append([toggle(false, 5)]);
  assert.equal(await journal.flush(), false);
  assert.equal(journal.pendingLines, 1);
  assert.equal(errors.length, 1);
  journal.append([toggle(true, 6)]);
  assert.equal(await journal.flush(), true);
  assert.equal(journal.pendingLines, 0);
  const written = lines(fake.files.get('nb.provenance.jsonl'));
  assert.deepEqual(
    written.map(l => JSON.parse(l).recording),
    [false, true]
  );
});

test('a failed write is retried by itself, without new events', async () => {
  const fake = new FakeContents();
  const { journal } = journalOn(fake);
  await journal.load();
  fake.failNext = 1;
  journal.append([toggle(false, 7)]);
  await journal.flush();
  assert.equal(journal.pendingLines, 1);
  // The first retry comes after about a second (waited for up to five, so
  // a busy machine's late timers do not fail the test).
  for (let waited = 0; journal.pendingLines > 0 && waited < 5_000;) {
    await new Promise(resolve => setTimeout(resolve, 100));
    waited += 100;
  }
  assert.equal(journal.pendingLines, 0);
  assert.equal(lines(fake.files.get('nb.provenance.jsonl')).length, 1);
});

test('a contents manager that refuses chunks gets the file rewritten', async () => {
  const fake = new FakeContents('refuse');
  fake.files.set('nb.provenance.jsonl', '{"old":1}\n');
  const { journal } = journalOn(fake);
  await journal.load();
  journal.append([toggle(true, 8)]);
  assert.equal(await journal.flush(), true);
  journal.append([toggle(false, 9)]);
  await journal.flush();
  const written = lines(fake.files.get('nb.provenance.jsonl'));
  assert.equal(written[0], '{"old":1}');
  assert.equal(written.length, 3);
});

test('a contents manager that overwrites instead of appending is caught and repaired', async () => {
  const fake = new FakeContents('overwrite');
  fake.files.set('nb.provenance.jsonl', '{"old":1}\n{"old":2}\n');
  const { journal } = journalOn(fake);
  await journal.load();
  journal.append([toggle(true, 10)]);
  await journal.flush();
  journal.append([toggle(false, 11)]);
  await journal.flush();
  const written = lines(fake.files.get('nb.provenance.jsonl'));
  assert.deepEqual(written.slice(0, 2), ['{"old":1}', '{"old":2}']);
  assert.equal(written.length, 4);
});

for (const chunks of ['append', 'overwrite'] as const) {
  test(`a page that released the loaded text loses no line when it writes after all (${chunks})`, async () => {
    const fake = new FakeContents(chunks);
    fake.files.set('nb.provenance.jsonl', '{"old":1}\n{"old":2}\n');
    const { journal } = journalOn(fake);
    await journal.load();
    // The agent wrote the journal; then the kernel changed to a bare one.
    journal.releaseLoadedText();
    for (const second of [14, 15, 16]) {
      journal.append([toggle(second % 2 === 0, second)]);
      assert.equal(await journal.flush(), true);
    }
    const written = lines(fake.files.get('nb.provenance.jsonl'));
    assert.deepEqual(written.slice(0, 2), ['{"old":1}', '{"old":2}']);
    assert.deepEqual(
      written.slice(2).map(l => JSON.parse(l).t.slice(17, 19)),
      ['14', '15', '16']
    );
  });
}

test('the journal follows a renamed notebook, after writing what is queued', async () => {
  const fake = new FakeContents();
  const { journal } = journalOn(fake, 'a.provenance.jsonl');
  await journal.load();
  journal.append([toggle(true, 12)]);
  await journal.moveTo('b.provenance.jsonl');
  assert.equal(fake.files.has('a.provenance.jsonl'), false);
  assert.equal(lines(fake.files.get('b.provenance.jsonl')).length, 1);
  journal.append([toggle(false, 13)]);
  await journal.flush();
  assert.equal(lines(fake.files.get('b.provenance.jsonl')).length, 2);
});

test('with no journal yet, a rename only changes the path', async () => {
  const fake = new FakeContents();
  const { journal } = journalOn(fake, 'a.provenance.jsonl');
  await journal.load();
  await journal.moveTo('b.provenance.jsonl');
  assert.equal(journal.path, 'b.provenance.jsonl');
  assert.equal(fake.files.size, 0);
});

/**
 * A second manager on the same server (the same files), as the page's
 * quiet journal appends use: it counts the saves that went through it,
 * which the file browser does not hear of.
 */
function quietManager(fake: FakeContents) {
  const quiet = {
    saves: 0,
    save(path: string, options: Partial<Contents.IModel>) {
      quiet.saves += 1;
      return fake.save(path, options);
    }
  };
  return quiet;
}

function quietJournalOn(fake: FakeContents, path = 'nb.provenance.jsonl') {
  const quiet = quietManager(fake);
  const journal = new SidecarJournal(
    fake as unknown as Contents.IManager,
    path,
    () => undefined,
    quiet as unknown as Contents.IManager
  );
  return { journal, quiet };
}

test('a new journal is created where the file browser hears of it; appends after go quietly', async () => {
  const fake = new FakeContents();
  const { journal, quiet } = quietJournalOn(fake);
  await journal.load();
  journal.append([toggle(false, 1)]);
  await journal.flush();
  assert.equal(quiet.saves, 0, 'created through the shared manager');
  journal.append([toggle(true, 2)]);
  await journal.flush();
  journal.append([toggle(false, 3)]);
  await journal.flush();
  assert.equal(quiet.saves, 2);
  assert.equal(fake.saves - quiet.saves, 1);
  assert.equal(lines(fake.files.get('nb.provenance.jsonl')).length, 3);
});

test('appends to a journal that was there when loaded go quietly from the first', async () => {
  const fake = new FakeContents();
  fake.files.set('nb.provenance.jsonl', '');
  const { journal, quiet } = quietJournalOn(fake);
  await journal.load();
  journal.append([toggle(false, 1)]);
  await journal.flush();
  assert.equal(quiet.saves, 1);
  assert.equal(fake.saves, 1);
});

test('a journal on another drive is always written through the shared manager', async () => {
  const fake = new FakeContents();
  const path = 'RTC:nb.provenance.jsonl';
  fake.files.set(path, '');
  const { journal, quiet } = quietJournalOn(fake, path);
  await journal.load();
  journal.append([toggle(false, 1)]);
  await journal.flush();
  journal.append([toggle(true, 2)]);
  await journal.flush();
  assert.equal(quiet.saves, 0);
  assert.equal(lines(fake.files.get(path)).length, 2);
});

test('a journal on another drive is read whole for a catch-up (no /files/ there), and an absent one is undefined', async () => {
  const fake = new FakeContents();
  const path = 'RTC:nb.provenance.jsonl';
  const { journal } = journalOn(fake, path);
  assert.equal(await journal.readTail(10), undefined);
  fake.files.set(path, 'a\nb\nc\n');
  assert.deepEqual(await journal.readTail(2), {
    text: 'a\nb\nc\n',
    whole: true
  });
});
