/**
 * sha256 and UTF-8 sizes for core/, with no DOM or Node APIs (core runs in
 * the browser and in Node), on top of @noble/hashes.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Sha256Hex } from './journal/events.js';

/**
 * Strings are encoded and hashed in slices of this many UTF-16 code units,
 * so hashing a 50 MB output never holds a second 50 MB copy as bytes.
 */
const SLICE_CHARS = 1 << 20;

/** An incremental sha256 over text (as UTF-8) and bytes. */
export class Sha256Builder {
  private readonly _hash = sha256.create();
  private _byteLength = 0;

  /** Bytes fed so far; text counts as its UTF-8 encoding. */
  get byteLength(): number {
    return this._byteLength;
  }

  update(data: string | Uint8Array): this {
    if (typeof data !== 'string') {
      this._hash.update(data);
      this._byteLength += data.length;
      return this;
    }
    let start = 0;
    while (start < data.length) {
      let end = Math.min(start + SLICE_CHARS, data.length);
      // Never split a surrogate pair: each half alone would encode as U+FFFD.
      if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1))) {
        end -= 1;
      }
      const bytes = utf8ToBytes(data.slice(start, end));
      this._hash.update(bytes);
      this._byteLength += bytes.length;
      start = end;
    }
    return this;
  }

  digestHex(): Sha256Hex {
    return bytesToHex(this._hash.digest()) as Sha256Hex;
  }
}

/** Lower-case hex sha256 of `data`; text is hashed as UTF-8. */
export function sha256Hex(data: string | Uint8Array): Sha256Hex {
  return new Sha256Builder().update(data).digestHex();
}

/**
 * Number of bytes of `text` in UTF-8, without encoding it. Lone surrogates
 * count 3 bytes, as the U+FFFD that every UTF-8 encoder writes for them.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (
      isHighSurrogate(code) &&
      i + 1 < text.length &&
      isLowSurrogate(text.charCodeAt(i + 1))
    ) {
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
