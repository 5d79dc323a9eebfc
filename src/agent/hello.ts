/**
 * The agent's side of its in-band requests (core/protocol/agent.ts): a
 * `nbprov_hello_request` or `nbprov_context_request` on shell is answered by
 * the agent itself, signed, with the request as parent; the kernel never
 * sees it.
 */

import { randomUUID } from 'node:crypto';
import {
  AGENT_PROTOCOL_VERSION,
  CONTEXT_REPLY,
  CONTEXT_REQUEST,
  HELLO_REPLY,
  HELLO_REQUEST,
  type IContextReplyContent,
  type IContextRequestContent,
  type IHelloReplyContent
} from '../core/protocol/index.js';
import {
  decodeMessage,
  delimiterIndex,
  encodeMessage,
  type Signer
} from './relay/wire.js';

/** What the agent answers with, per request. */
export interface IAgentRequestHandlers {
  hello(): IHelloReplyContent;
  /** Journals the context; `recorded: false` when it could not. */
  context(content: IContextRequestContent): IContextReplyContent;
}

// Every request type of ours starts so; a header without it is not ours.
const MARKER = Buffer.from('"nbprov_', 'utf8');

/**
 * Returns the relay's `answer` hook: the reply frames for a rightly signed
 * request of ours, `undefined` for anything else (forwarded to the kernel as
 * usual, which judges a wrong signature as it would without the agent).
 */
export function agentRequestAnswerer(
  signer: Signer,
  handlers: IAgentRequestHandlers
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
    if (!decoded.ok || decoded.msg === undefined) {
      return undefined;
    }
    // Not types @jupyterlab/services knows, hence the widening to string.
    const msgType: string = decoded.msg.header.msg_type;
    let reply: { type: string; content: Record<string, unknown> } | undefined;
    if (msgType === HELLO_REQUEST) {
      reply = { type: HELLO_REPLY, content: { ...handlers.hello() } };
    } else if (msgType === CONTEXT_REQUEST) {
      const content = decoded.msg.content;
      reply = {
        type: CONTEXT_REPLY,
        content: {
          ...(isContextRequestContent(content)
            ? handlers.context(content)
            : ({
                protocol: AGENT_PROTOCOL_VERSION,
                recorded: false
              } satisfies IContextReplyContent))
        }
      };
    }
    if (reply === undefined) {
      return undefined;
    }
    return encodeMessage(
      {
        msgType: reply.type,
        session,
        content: reply.content,
        parentHeader: { ...decoded.msg.header },
        prefix: frames.slice(0, at)
      },
      signer
    );
  };
}

function isContextRequestContent(
  content: unknown
): content is IContextRequestContent {
  if (typeof content !== 'object' || content === null) {
    return false;
  }
  const c = content as Record<string, unknown>;
  return (
    typeof c.notebookPath === 'string' &&
    c.notebookPath !== '' &&
    (c.format === undefined || typeof c.format === 'string') &&
    Array.isArray(c.cellOrder) &&
    c.cellOrder.every(id => typeof id === 'string')
  );
}
