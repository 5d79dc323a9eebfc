/**
 * A minimal Jupyter client over ZeroMQ: what `nbprov run` needs of
 * jupyter_client's `KernelClient`, and no more.
 *
 *   shell, control, stdin: DEALER (connected); iopub: SUB (connected, all topics)
 *
 * shell and stdin carry the same routing id: the kernel sends an
 * `input_request` on its stdin ROUTER to the identity the `execute_request`
 * came from on shell (jupyter_client uses the session id for both).
 * Messages are signed and checked with the connection file's key
 * (relay/wire.ts); zeromq.js allows one pending send per socket, so each
 * socket sends through a `Sender` (relay/relay.ts).
 */

import type { KernelMessage } from '@jupyterlab/services';
import { randomUUID } from 'node:crypto';
import { Dealer, Subscriber } from 'zeromq';
import { endpoint, type IConnectionInfo } from '../relay/connection.js';
import { Sender } from '../relay/relay.js';
import {
  Signer,
  decodeMessage,
  encodeMessage,
  type Channel
} from '../relay/wire.js';

/** The channels a client sends requests on. */
export type RequestChannel = 'shell' | 'control';

export interface IKernelClientOptions {
  /** Every signed iopub message, in the order received. */
  readonly onIopub: (msg: KernelMessage.IMessage) => void;
  /** Every signed stdin request (`input_request`). */
  readonly onStdin: (msg: KernelMessage.IMessage) => void;
  /** Frames that are not a rightly signed message, and socket failures. */
  readonly onError: (error: Error) => void;
}

export class KernelClient {
  constructor(info: IConnectionInfo, options: IKernelClientOptions) {
    this._info = info;
    this._options = options;
    this._signer = new Signer(info.key, info.signature_scheme);
    const routingId = this._session;
    this._shell = new Dealer({ linger: 0, routingId });
    this._stdin = new Dealer({ linger: 0, routingId });
    this._control = new Dealer({ linger: 0 });
    this._iopub = new Subscriber({ linger: 0 });
    this._senders = {
      shell: new Sender(this._shell),
      control: new Sender(this._control),
      stdin: new Sender(this._stdin)
    };
  }

  /** The Jupyter session id of this client's messages. */
  get session(): string {
    return this._session;
  }

  /** Connects every channel and starts receiving. */
  connect(): void {
    const info = this._info;
    this._shell.connect(endpoint(info, 'shell_port'));
    this._control.connect(endpoint(info, 'control_port'));
    this._stdin.connect(endpoint(info, 'stdin_port'));
    this._iopub.connect(endpoint(info, 'iopub_port'));
    this._iopub.subscribe();
    void this._receive('shell', this._shell, msg => this._settle(msg));
    void this._receive('control', this._control, msg => this._settle(msg));
    void this._receive('stdin', this._stdin, this._options.onStdin);
    void this._receive('iopub', this._iopub, this._options.onIopub);
  }

  /**
   * Sends a request; resolves with its msg_id once it is handed to
   * ZeroMQ. Its reply is `reply(msgId)`. A caller that routes iopub by
   * parent chooses the msg_id itself, before the kernel can answer.
   */
  async request(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
    options: {
      readonly metadata?: Record<string, unknown>;
      readonly msgId?: string;
    } = {}
  ): Promise<string> {
    const msgId = options.msgId ?? randomUUID();
    const metadata = options.metadata ?? {};
    // Registered before sending: the reply may come before `send` resolves.
    this._replies.set(msgId, deferred());
    await this._senders[channel].send(
      encodeMessage(
        { msgType, session: this._session, content, metadata, msgId },
        this._signer
      )
    );
    return msgId;
  }

  /** The reply to `msgId`, or undefined after `timeoutMs`. */
  reply(msgId: string): Promise<KernelMessage.IMessage>;
  reply(
    msgId: string,
    timeoutMs: number
  ): Promise<KernelMessage.IMessage | undefined>;
  reply(
    msgId: string,
    timeoutMs?: number
  ): Promise<KernelMessage.IMessage | undefined> {
    const waiting = this._replies.get(msgId);
    if (waiting === undefined) {
      return Promise.reject(new Error(`No request ${msgId} was sent.`));
    }
    return timeoutMs === undefined
      ? waiting.promise
      : Promise.race([waiting.promise, delay(timeoutMs, undefined)]);
  }

  /** Answers a stdin request (`input_reply`). */
  async answerStdin(
    parent: KernelMessage.IMessage,
    msgType: string,
    content: Record<string, unknown>
  ): Promise<void> {
    await this._senders.stdin.send(
      encodeMessage(
        {
          msgType,
          session: this._session,
          content,
          parentHeader: { ...parent.header }
        },
        this._signer
      )
    );
  }

  /** Closes every socket; pending sends are dropped. */
  close(): void {
    if (this._closed) {
      return;
    }
    this._closed = true;
    for (const socket of [
      this._shell,
      this._control,
      this._stdin,
      this._iopub
    ]) {
      socket.close();
    }
  }

  private _settle(msg: KernelMessage.IMessage): void {
    const parentId = (msg.parent_header as { msg_id?: unknown }).msg_id;
    if (typeof parentId === 'string') {
      this._replies.get(parentId)?.resolve(msg);
    }
  }

  private async _receive(
    channel: Channel,
    socket: AsyncIterable<Buffer[]>,
    deliver: (msg: KernelMessage.IMessage) => void
  ): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decodeMessage(frames, channel, this._signer);
        if (!decoded.ok) {
          this._options.onError(
            new Error(`${channel}: a message was ignored (${decoded.why})`)
          );
        } else if (decoded.msg !== undefined) {
          deliver(decoded.msg);
        }
      }
    } catch (e) {
      if (!this._closed) {
        this._options.onError(
          new Error(`${channel}: ${e instanceof Error ? e.message : String(e)}`)
        );
      }
    }
  }

  private readonly _info: IConnectionInfo;
  private readonly _options: IKernelClientOptions;
  private readonly _signer: Signer;
  private readonly _session = randomUUID();
  private readonly _shell: Dealer;
  private readonly _control: Dealer;
  private readonly _stdin: Dealer;
  private readonly _iopub: Subscriber;
  private readonly _senders: Record<RequestChannel | 'stdin', Sender>;
  private readonly _replies = new Map<
    string,
    IDeferred<KernelMessage.IMessage>
  >();
  private _closed = false;
}

interface IDeferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
}

function deferred<T>(): IDeferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Resolves with `value` after `ms`. */
export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise(resolve => setTimeout(() => resolve(value), ms));
}
