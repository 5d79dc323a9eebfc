import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  Sha256Builder,
  sha256Hex,
  utf8ByteLength
} from '../../src/core/hash.js';

const SAMPLES = [
  '',
  'abc',
  'héllo wörld',
  '日本語のテキスト',
  'emoji 🎉 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'lone \ud800 high and \udc00 low surrogates',
  '\u0000\u007f\u0080\u07ff\u0800\uffff'
];

test('sha256Hex of text matches the sha256 of its UTF-8 bytes', () => {
  for (const text of SAMPLES) {
    assert.equal(
      sha256Hex(text),
      createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'),
      JSON.stringify(text)
    );
  }
});

test('sha256Hex of "abc" is the FIPS 180-2 test vector', () => {
  assert.equal(
    sha256Hex('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
  );
});

test('sha256Hex of bytes hashes the bytes', () => {
  const bytes = new Uint8Array([0, 1, 2, 255]);
  assert.equal(
    sha256Hex(bytes),
    createHash('sha256').update(bytes).digest('hex')
  );
});

test('utf8ByteLength counts what a UTF-8 encoder writes', () => {
  for (const text of SAMPLES) {
    assert.equal(
      utf8ByteLength(text),
      Buffer.byteLength(text, 'utf8'),
      JSON.stringify(text)
    );
  }
});

test('hashing in slices never splits a surrogate pair', () => {
  // A pair straddling the 1 MiB slice boundary.
  const text = 'a'.repeat((1 << 20) - 1) + '🎉' + 'b'.repeat(10);
  const builder = new Sha256Builder().update(text);
  assert.equal(builder.byteLength, Buffer.byteLength(text, 'utf8'));
  assert.equal(
    builder.digestHex(),
    createHash('sha256').update(text, 'utf8').digest('hex')
  );
});
