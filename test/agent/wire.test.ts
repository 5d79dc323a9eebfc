import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Signer,
  decodeMessage,
  delimiterIndex,
  encodeMessage
} from '../../src/agent/relay/wire.js';

/** A message signed by jupyter_client's Session (key `secret-key`). */
const PYTHON_SIGNED = [
  'client-1',
  '<IDS|MSG>',
  'ca73ac01a132956b02370c5580f4d963859557909942ffd62b6ab477d9e54ff1',
  '{"msg_id": "M1", "msg_type": "execute_request", "session": "S1", "username": "u", "date": "2026-11-24T10:00:00.000000Z", "version": "5.3"}',
  '{}',
  '{"cellId": "c1"}',
  '{"code": "1+1", "silent": false}'
].map(frame => Buffer.from(frame));

const signer = new Signer('secret-key', 'hmac-sha256');

test('a message signed by jupyter_client decodes with its channel set', () => {
  const result = decodeMessage(PYTHON_SIGNED, 'shell', signer);
  assert.equal(result.ok, true);
  assert.ok(result.ok && result.msg !== undefined);
  const msg = result.msg;
  assert.equal(msg.channel, 'shell');
  assert.equal(msg.header.msg_id, 'M1');
  assert.equal(msg.header.msg_type, 'execute_request');
  assert.deepEqual(msg.metadata, { cellId: 'c1' });
  assert.deepEqual(msg.content, { code: '1+1', silent: false });
});

test('signing the same frames gives jupyter_client’s signature', () => {
  assert.equal(
    signer.sign(PYTHON_SIGNED.slice(3, 7)),
    PYTHON_SIGNED[2].toString()
  );
});

test('a wrong key is a bad signature', () => {
  const other = new Signer('another-key', 'hmac-sha256');
  const result = decodeMessage(PYTHON_SIGNED, 'shell', other);
  assert.deepEqual(result, { ok: false, why: 'bad-signature' });
});

test('a changed byte in the content is a bad signature', () => {
  const frames = [...PYTHON_SIGNED];
  frames[6] = Buffer.from('{"code": "2+2", "silent": false}');
  assert.deepEqual(decodeMessage(frames, 'shell', signer), {
    ok: false,
    why: 'bad-signature'
  });
});

test('frames without a delimiter, or too few, are malformed', () => {
  assert.deepEqual(decodeMessage([Buffer.from('x')], 'shell', signer), {
    ok: false,
    why: 'no-delimiter'
  });
  assert.deepEqual(decodeMessage(PYTHON_SIGNED.slice(0, 5), 'shell', signer), {
    ok: false,
    why: 'too-few-frames'
  });
});

test('rightly signed frames that are not JSON are malformed', () => {
  const parts = ['{not json', '{}', '{}', '{}'].map(p => Buffer.from(p));
  const frames = [
    Buffer.from('<IDS|MSG>'),
    Buffer.from(signer.sign(parts)),
    ...parts
  ];
  assert.deepEqual(decodeMessage(frames, 'shell', signer), {
    ok: false,
    why: 'not-json'
  });
});

test('unwanted message types are verified but not parsed further', () => {
  const result = decodeMessage(PYTHON_SIGNED, 'shell', signer, () => false);
  assert.deepEqual(result, {
    ok: true,
    msg: undefined,
    msgType: 'execute_request'
  });
});

test('an empty key means unsigned messages', () => {
  const none = new Signer('', 'hmac-sha256');
  assert.equal(none.enabled, false);
  const frames = [...PYTHON_SIGNED];
  frames[2] = Buffer.from('');
  assert.equal(decodeMessage(frames, 'shell', none).ok, true);
});

test('an unknown signature scheme is refused at once', () => {
  assert.throws(() => new Signer('k', 'md5'), /signature_scheme/);
  assert.throws(() => new Signer('k', 'hmac-nosuchdigest'));
});

test('messages the agent adds are signed, with fresh ids, and decode back', () => {
  const a = encodeMessage(
    {
      msgType: 'iopub_welcome',
      session: 'S1',
      content: { subscription: '' }
    },
    signer
  );
  const b = encodeMessage(
    { msgType: 'iopub_welcome', session: 'S1', content: { subscription: '' } },
    signer
  );
  assert.equal(delimiterIndex(a), 0);
  const decoded = decodeMessage(a, 'iopub', signer);
  assert.ok(decoded.ok && decoded.msg !== undefined);
  assert.equal(decoded.msg.header.msg_type, 'iopub_welcome');
  assert.deepEqual(decoded.msg.content, { subscription: '' });
  const again = decodeMessage(b, 'iopub', signer);
  assert.ok(again.ok && again.msg !== undefined);
  assert.notEqual(decoded.msg.header.msg_id, again.msg.header.msg_id);
});

test('a topic prefix comes before the delimiter', () => {
  const frames = encodeMessage(
    {
      msgType: 'iopub_welcome',
      session: 'S1',
      content: { subscription: 't' },
      prefix: [Buffer.from('t')]
    },
    signer
  );
  assert.equal(frames[0].toString(), 't');
  assert.equal(delimiterIndex(frames), 1);
});
