/**
 * The live stream of journal events to frontends (core/protocol/agent.ts,
 * `nbprov_event`): events are batched and published on the server's iopub
 * socket, signed, with a parent header of the stream's own, so nbclient and
 * jupyter_client, which route iopub by parent, never take them for a cell's
 * output.
 *
 * Batching keeps the message rate far under the server's iopub rate limit
 * (default 1000 messages/s): a busy cell makes one event per output line,
 * and a printing loop must not turn into one extra message per line.
 */

import { randomUUID } from 'node:crypto';
import {
  AGENT_PROTOCOL_VERSION,
  EVENT_MESSAGE,
  type IEventMessageContent
} from '../core/protocol/index.js';
import type { JournalEvent } from '../core/journal/index.js';
import { encodeMessage, type Signer } from './relay/wire.js';

export interface IEventStreamOptions {
  readonly signer: Signer;
  /** Where the agent's journal is; absent when nothing is written. */
  readonly journalPath?: string;
  /** Sends one message's frames on the server-facing iopub socket. */
  readonly publish: (frames: Buffer[]) => void;
  /** Longest an event waits before it is sent, ms (default 200). */
  readonly intervalMs?: number;
  /** A batch this large is sent at once (default 500 events). */
  readonly maxBatch?: number;
}

const TOPIC = Buffer.from(EVENT_MESSAGE, 'utf8');

export class EventStream {
  constructor(options: IEventStreamOptions) {
    this._options = options;
  }

  /** Queues one event; sent within `intervalMs`. */
  push(event: JournalEvent): void {
    if (this._closed) {
      return;
    }
    this._batch.push(event);
    if (this._batch.length >= (this._options.maxBatch ?? 500)) {
      this.flush();
    } else {
      this._timer ??= setTimeout(
        () => this.flush(),
        this._options.intervalMs ?? 200
      );
    }
  }

  /** Sends what is queued now. */
  flush(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
    if (this._batch.length === 0) {
      return;
    }
    const content: IEventMessageContent = {
      protocol: AGENT_PROTOCOL_VERSION,
      stream: this._session,
      ...(this._options.journalPath !== undefined
        ? { journalPath: this._options.journalPath }
        : {}),
      events: this._batch
    };
    this._batch = [];
    this._options.publish(
      encodeMessage(
        {
          msgType: EVENT_MESSAGE,
          session: this._session,
          content: { ...content },
          parentHeader: this._parent,
          prefix: [TOPIC]
        },
        this._options.signer
      )
    );
  }

  /** Sends what is queued and accepts no more. */
  close(): void {
    this.flush();
    this._closed = true;
  }

  private readonly _options: IEventStreamOptions;
  private readonly _session = randomUUID();
  /**
   * Every message's parent: a header of the stream's own, never a request's.
   * Clients route by parent `msg_id`, which matches none of theirs; Jupyter
   * Server counts a message with no parent as kernel activity (the idle
   * culler would never cull), but not one whose parent's type it is told
   * not to track (jupyter-config/: `nbprov_event`).
   */
  private readonly _parent = {
    msg_id: this._session,
    msg_type: EVENT_MESSAGE,
    session: this._session,
    username: 'nbprov',
    date: new Date().toISOString(),
    version: '5.3'
  };
  private _batch: JournalEvent[] = [];
  private _timer: NodeJS.Timeout | undefined;
  private _closed = false;
}
