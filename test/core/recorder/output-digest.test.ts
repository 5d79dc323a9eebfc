import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  digestOutput,
  makePreview,
  stripAnsi
} from '../../../src/core/recorder/index.js';

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

test('a stream digest is the sha256 of its text', () => {
  const digest = digestOutput('stream', { name: 'stderr', text: 'é\n' }, 80);
  assert.deepEqual(digest, {
    outputType: 'stream',
    streamName: 'stderr',
    mimeTypes: ['text/plain'],
    byteSize: 3,
    sha256: sha256('é\n'),
    preview: 'é\n'
  });
});

test('a bundle digest hashes sorted mime-type lines of value digests', () => {
  const data = {
    'text/plain': 'x',
    'application/json': { b: 1, a: [true, null] },
    'image/png': 'iVBORw0KGgo='
  };
  const digest = digestOutput('execute_result', { data, metadata: {} }, 80);
  const json = '{"a":[true,null],"b":1}';
  assert.deepEqual(digest.mimeTypes, [
    'application/json',
    'image/png',
    'text/plain'
  ]);
  assert.equal(digest.byteSize, json.length + 'iVBORw0KGgo='.length + 1);
  assert.equal(
    digest.sha256,
    sha256(
      `application/json\t${sha256(json)}\n` +
        `image/png\t${sha256('iVBORw0KGgo=')}\n` +
        `text/plain\t${sha256('x')}\n`
    )
  );
});

test('a bundle digest ignores metadata and key order of JSON values', () => {
  const a = digestOutput(
    'display_data',
    { data: { 'application/json': { a: 1, b: 2 } }, metadata: { x: 1 } },
    undefined
  );
  const b = digestOutput(
    'display_data',
    { data: { 'application/json': { b: 2, a: 1 } }, metadata: {} },
    undefined
  );
  assert.equal(a.sha256, b.sha256);
});

test('an error digest covers ename, evalue and the traceback', () => {
  const content = {
    ename: 'ValueError',
    evalue: 'bad',
    traceback: ['\u001b[31mline 1\u001b[39m', 'line 2']
  };
  const text = 'ValueError: bad\n\u001b[31mline 1\u001b[39m\nline 2';
  const digest = digestOutput('error', content, 80);
  assert.equal(digest.sha256, sha256(text));
  assert.equal(digest.byteSize, Buffer.byteLength(text));
  assert.deepEqual(digest.mimeTypes, ['text/plain']);
});

test('an error preview is ename: evalue without ANSI codes', () => {
  const digest = digestOutput(
    'error',
    { ename: '\u001b[31mKeyError\u001b[0m', evalue: "'k'", traceback: [] },
    80
  );
  assert.equal(digest.preview, "KeyError: 'k'");
});

test('a bundle without text/plain has no preview', () => {
  const digest = digestOutput(
    'display_data',
    { data: { 'image/png': 'iVBORw0KGgo=' }, metadata: {} },
    80
  );
  assert.equal('preview' in digest, false);
});

test('a preview is cut at maxChars and marked with …', () => {
  assert.equal(makePreview('abcdef', 3), 'abc…');
  assert.equal(makePreview('abc', 3), 'abc');
  assert.equal(makePreview('', 3), undefined);
});

test('a preview never ends in half a surrogate pair', () => {
  assert.equal(makePreview('ab🎉cd', 3), 'ab…');
});

test('ANSI colour and OSC sequences are stripped', () => {
  assert.equal(
    stripAnsi(
      '\u001b[1;31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007'
    ),
    'red link'
  );
});

test('content without its required fields throws for the recorder to report', () => {
  assert.throws(() => digestOutput('stream', { name: 'stdout' }, 10));
  assert.throws(() => digestOutput('error', { ename: 'E' }, 10));
  assert.throws(() => digestOutput('display_data', { metadata: {} }, 10));
  assert.throws(() => digestOutput('execute_result', null, 10));
});

test('canonical JSON sorts keys at every depth', () => {
  assert.equal(
    canonicalJson({ b: [{ d: 1, c: 2 }], a: 'x' }),
    '{"a":"x","b":[{"c":2,"d":1}]}'
  );
});
