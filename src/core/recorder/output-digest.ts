/**
 * Summaries of output messages: sizes, digests and previews, never the
 * output itself (a cell can print gigabytes; the journal stays small).
 *
 * The digest (`sha256`) of an output is defined as follows, so that any tool
 * can recompute it from the message `content`:
 *
 * - `stream`: sha256 of `text` as UTF-8. Nothing else.
 * - `error`: sha256 of `ename + ': ' + evalue + '\n' + traceback.join('\n')`
 *   as UTF-8 (the same text `byteSize` counts).
 * - `display_data`, `update_display_data`, `execute_result`: each value of
 *   `data` is first made a string, the *value string*: a string as it is, any
 *   other JSON value as canonical JSON (`JSON.stringify` with object keys
 *   sorted by UTF-16 code unit, no whitespace). The digest is sha256 of the
 *   lines `<mime type> TAB <sha256 hex of the value string> LF`, one per MIME
 *   type, sorted by UTF-16 code unit. A MIME type cannot contain a tab or a
 *   line break (RFC 6838, 4.2), so the lines cannot be confused. Hashing
 *   each value apart keeps this one pass over a large value. `metadata`,
 *   `transient` (display ids) and `execution_count` are not part of the
 *   digest: they describe how the output is shown, not what it is.
 *
 * `byteSize` is the UTF-8 size of the stream text, of the error text above,
 * or for bundles the sum of the value strings' sizes (canonical JSON has
 * the length of `JSON.stringify`'s output: sorting keys moves characters,
 * it adds none).
 */

import { Sha256Builder, sha256Hex } from '../hash.js';
import type { OutputType, Sha256Hex } from '../journal/events.js';

export interface IOutputDigest {
  readonly outputType: OutputType;
  readonly streamName?: string;
  readonly mimeTypes: readonly string[];
  readonly byteSize: number;
  readonly sha256: Sha256Hex;
  readonly preview?: string;
}

/**
 * Summarises one output message's `content`. `maxPreviewChars` undefined
 * (or below 1) means no preview. Throws when `content` does not have the
 * fields its message type requires.
 */
export function digestOutput(
  outputType: OutputType,
  content: unknown,
  maxPreviewChars: number | undefined
): IOutputDigest {
  if (!isRecord(content)) {
    throw new Error(`${outputType} message without content`);
  }
  const previewOf = (text: string | undefined) =>
    text === undefined || maxPreviewChars === undefined
      ? undefined
      : makePreview(text, maxPreviewChars);
  switch (outputType) {
    case 'stream': {
      const text = content.text;
      if (typeof text !== 'string') {
        throw new Error('stream message without text');
      }
      const hash = new Sha256Builder().update(text);
      return withPreview(
        {
          outputType,
          streamName:
            typeof content.name === 'string' ? content.name : undefined,
          mimeTypes: ['text/plain'],
          byteSize: hash.byteLength,
          sha256: hash.digestHex()
        },
        previewOf(text)
      );
    }
    case 'error': {
      const { ename, evalue, traceback } = content;
      if (typeof ename !== 'string' || typeof evalue !== 'string') {
        throw new Error('error message without ename/evalue');
      }
      const lines = Array.isArray(traceback)
        ? traceback.filter((l): l is string => typeof l === 'string')
        : [];
      const hash = new Sha256Builder().update(
        ename + ': ' + evalue + '\n' + lines.join('\n')
      );
      return withPreview(
        {
          outputType,
          mimeTypes: ['text/plain'],
          byteSize: hash.byteLength,
          sha256: hash.digestHex()
        },
        previewOf(ename + ': ' + evalue)
      );
    }
    case 'display_data':
    case 'update_display_data':
    case 'execute_result': {
      const data = content.data;
      if (!isRecord(data)) {
        throw new Error(`${outputType} message without data`);
      }
      const mimeTypes = Object.keys(data).sort();
      const lines = new Sha256Builder();
      let byteSize = 0;
      for (const mime of mimeTypes) {
        const value = data[mime];
        const valueHash = new Sha256Builder().update(
          typeof value === 'string' ? value : canonicalJson(value)
        );
        byteSize += valueHash.byteLength;
        lines.update(mime + '\t' + valueHash.digestHex() + '\n');
      }
      const plain = data['text/plain'];
      return withPreview(
        { outputType, mimeTypes, byteSize, sha256: lines.digestHex() },
        previewOf(
          typeof plain === 'string'
            ? plain
            : Array.isArray(plain) && plain.every(s => typeof s === 'string')
              ? plain.join('')
              : undefined
        )
      );
    }
  }
}

/** sha256 of the UTF-8 text of a cell's source. */
export function sourceDigest(code: string): Sha256Hex {
  return sha256Hex(code);
}

/**
 * Previews hold at most `maxChars` characters of text plus '…' when cut.
 * Only a prefix of the text is looked at, so a 50 MB stream costs no more
 * than a short one. ANSI escape codes (coloured tracebacks, progress bars)
 * are stripped: a preview is for reading.
 */
export function makePreview(
  text: string,
  maxChars: number
): string | undefined {
  if (!(maxChars >= 1)) {
    return undefined;
  }
  // Room for escape codes that stripping will remove.
  const window = maxChars * 4 + 64;
  const head = stripAnsi(text.length > window ? text.slice(0, window) : text);
  let cut = text.length > window;
  let preview = head;
  if (head.length > maxChars) {
    let end = maxChars;
    const last = head.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      end -= 1;
    }
    preview = head.slice(0, end);
    cut = true;
  }
  if (cut) {
    preview += '…';
  }
  return preview === '' ? undefined : preview;
}

// CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ESC \`) and two-byte escapes.
const ANSI =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** `text` without ANSI escape codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** JSON with object keys sorted, so equal values serialise equally. */
export function canonicalJson(value: unknown): string {
  const json: string | undefined = JSON.stringify(value, (_key, v: unknown) => {
    if (!isRecord(v)) {
      return v;
    }
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      sorted[key] = v[key];
    }
    return sorted;
  });
  // `undefined` (not JSON) serialises to nothing rather than throwing.
  return json ?? 'null';
}

function withPreview(
  digest: IOutputDigest,
  preview: string | undefined
): IOutputDigest {
  return preview === undefined ? digest : { ...digest, preview };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
