import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeNotebook,
  exportNotebook,
  JournalCommandError
} from '../../src/agent/journal-commands.js';
import { encodeEvent } from '../../src/core/journal/index.js';
import { JOURNALS } from '../core/fixtures/journals.js';

/** A folder with `train.ipynb`'s journal written from a fixture. */
function notebookWithJournal(extraLines = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'nbprov-cli-'));
  const text = JOURNALS['one-session']().map(encodeEvent).join('');
  writeFileSync(join(dir, 'train.provenance.jsonl'), text + extraLines);
  return join(dir, 'train.ipynb');
}

test('export writes PROV-JSON beside the notebook', () => {
  const notebook = notebookWithJournal();
  const written = exportNotebook(
    notebook,
    {},
    () => undefined,
    () => undefined
  );
  assert.equal(written, notebook.replace(/\.ipynb$/, '.prov.json'));
  const doc = JSON.parse(readFileSync(written, 'utf8')) as {
    activity: Record<string, unknown>;
  };
  assert.ok(Object.keys(doc.activity).some(id => id.startsWith('run:exec-')));
});

test('export to - writes the document to standard output', () => {
  const notebook = notebookWithJournal();
  let out = '';
  const written = exportNotebook(
    notebook,
    { output: '-' },
    text => (out += text),
    () => undefined
  );
  assert.equal(written, '-');
  assert.ok(JSON.parse(out).prefix.nbprov);
});

test('a damaged journal exports its good records and warns per bad line', () => {
  const notebook = notebookWithJournal('not json\n{"v":1,"t":"2026');
  const warnings: string[] = [];
  exportNotebook(
    notebook,
    { output: '-' },
    () => undefined,
    w => warnings.push(w)
  );
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /not-json/);
  assert.match(warnings[1], /torn-last-line/);
});

test('a notebook with no journal is a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbprov-cli-'));
  assert.throws(
    () =>
      exportNotebook(
        join(dir, 'never-run.ipynb'),
        {},
        () => undefined,
        () => undefined
      ),
    (error: unknown) =>
      error instanceof JournalCommandError &&
      /No provenance journal .*never-run\.provenance\.jsonl/.test(error.message)
  );
});

test('an unknown export format is refused', () => {
  const notebook = notebookWithJournal();
  assert.throws(
    () =>
      exportNotebook(
        notebook,
        { format: 'turtle' as 'prov-json' },
        () => undefined,
        () => undefined
      ),
    JournalCommandError
  );
});

test('info names the sessions, executions, statuses and top cells', () => {
  const lines = describeNotebook(notebookWithJournal(), () => undefined);
  const text = lines.join('\n');
  assert.match(text, /^sessions: +1$/m);
  assert.match(text, /^executions: +\d+ \(.*running.*\)$/m);
  assert.match(text, /top cells by wall time:/);
});
