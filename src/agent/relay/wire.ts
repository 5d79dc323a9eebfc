/**
 * The Jupyter wire format (Jupyter messaging spec, "The Wire Protocol"):
 *
 *   [identities or topic…, b'<IDS|MSG>', signature, header, parent_header,
 *    metadata, content, buffers…]
 *
 * The signature is the hex HMAC of the four JSON frames, with the key and
 * algorithm of the connection file (`signature_scheme`, e.g. `hmac-sha256`);
 * an empty key means messages are not signed.
 *
 * The relay never re-encodes what it forwards: these functions read copies
 * of frames for the recorder, and build the few messages the agent adds.
 */

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { KernelMessage } from '@jupyterlab/services';

export const DELIMITER = Buffer.from('<IDS|MSG>', 'ascii');

/** The spec's channel names; `hb` carries no messages. */
export type Channel = 'shell' | 'control' | 'stdin' | 'iopub';

/** Why a frame list was not taken as a message. */
export type WireProblem =
  | 'no-delimiter'
  | 'too-few-frames'
  | 'bad-signature'
  | 'not-json'
  | 'no-header';

export type DecodeResult =
  | { readonly ok: true; readonly msg: KernelMessage.IMessage }
  /** Well formed and rightly signed, but of a type the caller does not want. */
  | { readonly ok: true; readonly msg: undefined; readonly msgType: string }
  | { readonly ok: false; readonly why: WireProblem };

/** Signs and checks messages with a connection file's key and scheme. */
export class Signer {
  /**
   * @param key the connection file's `key` (UTF-8); empty: no signatures.
   * @param scheme `signature_scheme`, `hmac-<digest>`.
   */
  constructor(key: string, scheme: string) {
    const match = /^hmac-([a-z0-9]+)$/.exec(scheme);
    if (match === null) {
      throw new Error(
        `Unsupported signature_scheme "${scheme}": expected hmac-<digest>, e.g. hmac-sha256.`
      );
    }
    this._key = Buffer.from(key, 'utf8');
    this._digest = match[1];
    // Fails early (at start, not at the first message) on an unknown digest.
    createHmac(this._digest, this._key);
  }

  /** Whether messages are signed at all (a non-empty key). */
  get enabled(): boolean {
    return this._key.length > 0;
  }

  /** The hex signature of the four JSON frames. */
  sign(frames: readonly Uint8Array[]): string {
    if (!this.enabled) {
      return '';
    }
    const hmac = createHmac(this._digest, this._key);
    for (const frame of frames) {
      hmac.update(frame);
    }
    return hmac.digest('hex');
  }

  /** Whether `signature` is right for the four JSON frames (constant time). */
  verify(signature: Uint8Array, frames: readonly Uint8Array[]): boolean {
    if (!this.enabled) {
      return true;
    }
    const expected = Buffer.from(this.sign(frames), 'ascii');
    const actual = view(signature);
    return (
      actual.length === expected.length && timingSafeEqual(actual, expected)
    );
  }

  private readonly _key: Buffer;
  private readonly _digest: string;
}

/** Index of the `<IDS|MSG>` frame, or -1. */
export function delimiterIndex(frames: readonly Uint8Array[]): number {
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (frame.length === DELIMITER.length && DELIMITER.equals(frame)) {
      return i;
    }
  }
  return -1;
}

/**
 * Reads one multipart message into a KernelMessage-shaped object with
 * `channel` set. Checks the signature before parsing anything, so nothing
 * unsigned is ever trusted. Never throws.
 */
export function decodeMessage(
  frames: readonly Uint8Array[],
  channel: Channel,
  signer: Signer,
  wanted: (msgType: string) => boolean = () => true
): DecodeResult {
  const at = delimiterIndex(frames);
  if (at < 0) {
    return { ok: false, why: 'no-delimiter' };
  }
  if (frames.length < at + 6) {
    return { ok: false, why: 'too-few-frames' };
  }
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(frames[at + 1], parts)) {
    return { ok: false, why: 'bad-signature' };
  }
  // The header first: most messages are not recorded, and their content
  // (a comm's state, a big output) need not be parsed at all.
  const header = parseJson(parts[0]);
  if (header === NOT_JSON) {
    return { ok: false, why: 'not-json' };
  }
  if (
    !isRecord(header) ||
    typeof header.msg_type !== 'string' ||
    typeof header.msg_id !== 'string'
  ) {
    return { ok: false, why: 'no-header' };
  }
  if (!wanted(header.msg_type)) {
    return { ok: true, msg: undefined, msgType: header.msg_type };
  }
  const [parentHeader, metadata, content] = parts.slice(1).map(parseJson);
  if (
    parentHeader === NOT_JSON ||
    metadata === NOT_JSON ||
    content === NOT_JSON
  ) {
    return { ok: false, why: 'not-json' };
  }
  const msg = {
    channel,
    header,
    parent_header: isRecord(parentHeader) ? parentHeader : {},
    metadata: isRecord(metadata) ? metadata : {},
    content: isRecord(content) ? content : {},
    buffers: frames.slice(at + 6).map(frame => new Uint8Array(frame).buffer)
  };
  return { ok: true, msg: msg as unknown as KernelMessage.IMessage };
}

export interface IOutgoingMessage {
  readonly msgType: string;
  readonly session: string;
  readonly content: Record<string, unknown>;
  readonly parentHeader?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  /** Leading frames: routing identities, or an iopub topic. */
  readonly prefix?: readonly Uint8Array[];
  readonly username?: string;
  /** The header's `msg_id`; default a fresh uuid. */
  readonly msgId?: string;
}

/** A new signed message of the agent's own, with a fresh `msg_id`. */
export function encodeMessage(
  message: IOutgoingMessage,
  signer: Signer,
  now: Date = new Date()
): Buffer[] {
  const header = {
    msg_id: message.msgId ?? randomUUID(),
    msg_type: message.msgType,
    username: message.username ?? 'nbprov',
    session: message.session,
    date: now.toISOString(),
    version: '5.3'
  };
  const parts = [
    header,
    message.parentHeader ?? {},
    message.metadata ?? {},
    message.content
  ].map(part => Buffer.from(JSON.stringify(part), 'utf8'));
  return [
    ...(message.prefix ?? []).map(frame => Buffer.from(frame)),
    DELIMITER,
    Buffer.from(signer.sign(parts), 'ascii'),
    ...parts
  ];
}

/** A Buffer over the same bytes (`Buffer.from(uint8array)` would copy). */
function view(frame: Uint8Array): Buffer {
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

const NOT_JSON = Symbol('not JSON');

function parseJson(frame: Uint8Array): unknown {
  try {
    return JSON.parse(view(frame).toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
