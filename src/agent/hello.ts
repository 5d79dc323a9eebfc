/**
 * The agent's side of its handshake with the frontend (core/protocol/agent.ts):
 * a `nbprov_hello_request` on shell is answered by the agent itself, signed,
 * with the request as parent; the kernel never sees it.
 */

import { randomUUID } from 'node:crypto';
import {
  HELLO_REPLY,
  HELLO_REQUEST,
  type IHelloReplyContent
} from '../core/protocol/index.js';
import {
  decodeMessage,
  delimiterIndex,
  encodeMessage,
  type Signer
} from './relay/wire.js';

const MARKER = Buffer.from(`"${HELLO_REQUEST}"`, 'utf8');

/**
 * Returns the relay's `answer` hook: the reply frames for a rightly signed
 * hello request, `undefined` for anything else (forwarded to the kernel as
 * usual, which judges a wrong signature as it would without the agent).
 */
export function helloAnswerer(
  signer: Signer,
  content: () => IHelloReplyContent
): (frames: readonly Buffer[]) => Buffer[] | undefined {
  // The agent's own Jupyter session name, for the headers it writes.
  const session = randomUUID();
  return frames => {
    const at = delimiterIndex(frames);
    const header = at >= 0 ? frames[at + 2] : undefined;
    // Cheap test first: this runs on every shell request.
    if (header === undefined || !header.includes(MARKER)) {
      return undefined;
    }
    const decoded = decodeMessage(frames, 'shell', signer);
    // Not a type @jupyterlab/services knows, hence the widening to string.
    const msgType: string | undefined = decoded.ok
      ? decoded.msg?.header.msg_type
      : undefined;
    if (!decoded.ok || decoded.msg === undefined || msgType !== HELLO_REQUEST) {
      return undefined;
    }
    return encodeMessage(
      {
        msgType: HELLO_REPLY,
        session,
        content: { ...content() },
        parentHeader: { ...decoded.msg.header },
        prefix: frames.slice(0, at)
      },
      signer
    );
  };
}
