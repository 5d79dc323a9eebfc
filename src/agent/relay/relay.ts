/**
 * The relay between the Jupyter server and the real kernel.
 *
 *   server ── ROUTER (bound: server's shell/control/stdin ports) ──► DEALER ──► kernel
 *   server ◄─ XPUB   (bound: server's iopub port)        ◄── SUB (connected) ◄─ kernel
 *   server ─────────────── hb: the kernel binds the server's port itself ───── kernel
 *
 * ROUTER ↔ DEALER is ZeroMQ's broker pattern: the ROUTER prepends the
 * client's identity frame, the kernel's ROUTER prepends the DEALER's, and
 * replies unwind the same way, so every reply reaches the client that asked.
 * Frames are forwarded as received (their bytes, signatures included, are
 * never touched); the observer gets the same frames to decode a copy.
 *
 * stdin: ipykernel sends `input_request` on its stdin ROUTER to the identity
 * the `execute_request` came from on shell, i.e. our shell DEALER's. The
 * stdin DEALER therefore carries the same routing id as the shell DEALER.
 *
 * Why shell and control pass through (issue 3 asks to measure it): the
 * `execute_request` (code, `metadata.cellId`, `silent`), its
 * `execute_reply` (status, `metadata.started`) and `shutdown_request`
 * (shutdown vs restart vs died) exist only there, and the agent must record
 * with no browser connected. bench/agent-latency.py, 2-core VM, quiet,
 * 1,000 `pass` round trips, medians: bare 4.34 ms; all four channels
 * through the agent +0.81 ms; iopub only +0.30 ms; copy of iopub only
 * +0.08 ms. Most of the cost is hops on a busy 2-core machine (each relayed
 * message wakes the agent and crosses loopback twice), not recording.
 *
 * hb is not relayed: the kernel binds the server's hb port itself, so the
 * server's heartbeat checks the kernel, and the echo costs no JavaScript.
 * If the agent dies the kernel dies with it (lifecycle.ts), so a live
 * heartbeat never hides a dead agent for long.
 *
 * iopub: the agent subscribes to everything the kernel publishes for as long
 * as it lives (it records while no client is connected). The kernel's XPUB
 * then never sees a client's subscription as new, so it would not send
 * JEP 65's `iopub_welcome` to a client that connects later: the agent does
 * it, for kernels that sent one to the agent (signed, with a fresh msg_id).
 */

import { randomBytes } from 'node:crypto';
import {
  Dealer,
  Router,
  Subscriber,
  XPublisher,
  type Socket,
  type Writable
} from 'zeromq';
import { endpoint, type IConnectionInfo } from './connection.js';
import {
  delimiterIndex,
  encodeMessage,
  type Channel,
  type Signer
} from './wire.js';

/** Which way a message went: to the kernel, or from it. */
export type Direction = 'send' | 'recv';

/** Receives every relayed message's frames; must not throw or keep them. */
export type FrameObserver = (
  channel: Channel,
  direction: Direction,
  frames: readonly Buffer[]
) => void;

export interface IRelayOptions {
  /** What the Jupyter server connects to (its connection file). */
  readonly server: IConnectionInfo;
  /** What the kernel binds (the agent's connection file for it). */
  readonly kernel: IConnectionInfo;
  readonly signer: Signer;
  readonly observe: FrameObserver;
  /** Told about socket failures; the relay goes on where it can. */
  readonly onError: (error: Error) => void;
  /**
   * The channels that pass through the agent; default all four. A channel
   * left out is the kernel's own (it binds the server's port) and, for
   * iopub, only copied: the agent subscribes beside the clients. Leaving
   * channels out is for measuring what each hop costs (bench/), and loses
   * what the agent learns there (shell: `metadata.cellId`, the reply).
   */
  readonly relayed?: ReadonlySet<Channel>;
  /**
   * Answers a shell request the agent handles itself (its handshake with
   * the frontend, core/protocol/agent.ts): the returned frames go back to
   * the client and the request never reaches the kernel. `undefined`
   * forwards it as usual. Called on every shell request: it must be cheap.
   */
  readonly answer?: (frames: readonly Buffer[]) => Buffer[] | undefined;
  /**
   * iopub messages the agent caused itself, which clients must not see
   * (its namespace question's `busy`/`idle`): neither forwarded nor
   * observed. Called on every iopub message: it must be cheap.
   */
  readonly withhold?: (frames: readonly Buffer[]) => boolean;
}

export const ALL_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'shell',
  'control',
  'stdin',
  'iopub'
]);

/** Serialises sends: zeromq.js allows one pending send per socket. */
export class Sender {
  constructor(socket: Writable & Socket) {
    this._socket = socket;
  }

  send(frames: readonly Buffer[]): Promise<void> {
    if (this._pending === 0) {
      // The common case, no send pending: straight to the socket.
      return this._track(this._socket.send(frames as Buffer[]));
    }
    return this._track(
      this._last.then(() => this._socket.send(frames as Buffer[]))
    );
  }

  private _track(sent: Promise<void>): Promise<void> {
    this._pending++;
    // A failed send must not stop the ones after it.
    this._last = sent.then(
      () => {
        this._pending--;
      },
      () => {
        this._pending--;
      }
    );
    return sent;
  }

  private readonly _socket: Writable & Socket;
  private _last: Promise<void> = Promise.resolve();
  private _pending = 0;
}

export class Relay {
  constructor(options: IRelayOptions) {
    this._options = options;
    // The same identity on shell and stdin (see the file comment).
    const routingId = `nbprov-${randomBytes(6).toString('hex')}`;
    const common = { linger: 0 };
    this._front = {
      shell: new Router(common),
      control: new Router(common),
      stdin: new Router(common)
    };
    this._back = {
      shell: new Dealer({ ...common, routingId }),
      control: new Dealer(common),
      stdin: new Dealer({ ...common, routingId })
    };
    // `allSubs`: every client's subscription reaches the agent, not only
    // the first for a topic, so each can be welcomed.
    this._iopubFront = new XPublisher({ ...common, verbosity: 'allSubs' });
    this._iopubBack = new Subscriber(common);
    this._iopubSender = new Sender(this._iopubFront);
    this._relayed = options.relayed ?? ALL_CHANNELS;
  }

  /** Binds the server's ports; call before the kernel starts. */
  async bind(): Promise<void> {
    const { server } = this._options;
    const relayed = this._relayed;
    await Promise.all([
      ...(['shell', 'control', 'stdin'] as const)
        .filter(channel => relayed.has(channel))
        .map(channel =>
          this._front[channel].bind(endpoint(server, `${channel}_port`))
        ),
      ...(relayed.has('iopub')
        ? [this._iopubFront.bind(endpoint(server, 'iopub_port'))]
        : [])
    ]);
  }

  /** Connects to the kernel's ports and starts relaying. */
  start(): void {
    const { kernel } = this._options;
    const relayed = this._relayed;
    for (const channel of ['shell', 'control', 'stdin'] as const) {
      if (!relayed.has(channel)) {
        continue;
      }
      const front = this._front[channel];
      const back = this._back[channel];
      back.connect(endpoint(kernel, `${channel}_port`));
      // One sender per socket: the agent's own answers and the kernel's
      // replies share the client-facing socket.
      const toClient = new Sender(front);
      void this._pump(
        channel,
        'send',
        front,
        new Sender(back),
        undefined,
        channel === 'shell' ? toClient : undefined
      );
      void this._pump(channel, 'recv', back, toClient);
    }
    this._iopubBack.connect(endpoint(kernel, 'iopub_port'));
    this._iopubBack.subscribe();
    if (relayed.has('iopub')) {
      void this._pump(
        'iopub',
        'recv',
        this._iopubBack,
        this._iopubSender,
        frames => this._noteKernelWelcome(frames)
      );
      void this._welcomeSubscribers();
    } else {
      void this._pump('iopub', 'recv', this._iopubBack, undefined);
    }
  }

  /**
   * Publishes a message of the agent's own to the server's iopub subscribers,
   * in order with what the kernel publishes. Ignored when iopub is not
   * relayed (the kernel then publishes to the server itself) or closed.
   */
  publish(frames: Buffer[]): void {
    if (this._closed || !this._relayed.has('iopub')) {
      return;
    }
    this._iopubSender.send(frames).catch(e => {
      if (!this._closed) {
        this._options.onError(asError(e, 'iopub publish'));
      }
    });
  }

  /**
   * Observes what is still queued, then closes every socket; messages not
   * yet sent are dropped (linger 0).
   */
  close(): void {
    if (this._closed) {
      return;
    }
    this._closed = true;
    this._drain();
    for (const socket of [
      ...Object.values(this._front),
      ...Object.values(this._back),
      this._iopubFront,
      this._iopubBack
    ]) {
      socket.close();
    }
  }

  private async _pump(
    channel: Channel,
    direction: Direction,
    from: AsyncIterable<Buffer[]>,
    to: Sender | undefined,
    also?: (frames: Buffer[]) => void,
    answerTo?: Sender
  ): Promise<void> {
    try {
      const withhold = channel === 'iopub' ? this._options.withhold : undefined;
      for await (const frames of from) {
        if (withhold?.(frames)) {
          continue;
        }
        const answer = answerTo && this._options.answer?.(frames);
        if (answer) {
          await answerTo.send(answer).catch(e => {
            if (!this._closed) {
              this._options.onError(asError(e, `${channel} answer`));
            }
          });
          continue;
        }
        // Forward first: recording never delays the message it records.
        const sent = to?.send(frames);
        also?.(frames);
        this._observeSoon(channel, direction, frames);
        try {
          await sent;
        } catch (e) {
          if (!this._closed) {
            this._options.onError(asError(e, `${channel} send`));
          }
        }
      }
    } catch (e) {
      if (!this._closed) {
        this._options.onError(asError(e, `${channel} receive`));
      }
    }
  }

  /**
   * Observing waits until every message already readable is forwarded:
   * recording an execution's `idle` must not hold back its `execute_reply`
   * on the other socket (measured: a third of the added round-trip time).
   * One queue for all channels keeps the order the agent received them in,
   * so an `execute_request` is observed before anything it causes.
   */
  private _observeSoon(
    channel: Channel,
    direction: Direction,
    frames: Buffer[]
  ): void {
    this._observed.push({ channel, direction, frames });
    if (this._observed.length === 1) {
      setImmediate(this._drain);
    }
  }

  private readonly _drain = (): void => {
    const batch = this._observed;
    this._observed = [];
    for (const { channel, direction, frames } of batch) {
      try {
        this._options.observe(channel, direction, frames);
      } catch (e) {
        this._options.onError(asError(e, `${channel} observer`));
      }
    }
  };

  /** A kernel that welcomes its subscribers (JEP 65) gets ours welcomed too. */
  private _noteKernelWelcome(frames: Buffer[]): void {
    if (this._kernelSession !== undefined) {
      return;
    }
    // Cheap test first: only a welcome's header mentions iopub_welcome.
    const at = delimiterIndex(frames);
    const header = at >= 0 ? frames[at + 2] : undefined;
    if (header === undefined || !header.includes('"iopub_welcome"')) {
      return;
    }
    try {
      const parsed = JSON.parse(header.toString('utf8')) as {
        msg_type?: unknown;
        session?: unknown;
      };
      if (
        parsed.msg_type === 'iopub_welcome' &&
        typeof parsed.session === 'string'
      ) {
        this._kernelSession = parsed.session;
      }
    } catch {
      // Not a welcome after all.
    }
  }

  private async _welcomeSubscribers(): Promise<void> {
    try {
      for await (const [event] of this._iopubFront) {
        if (event.length === 0 || event[0] !== 1) {
          continue;
        }
        const session = this._kernelSession;
        if (session === undefined) {
          // The kernel has not welcomed the agent yet; when it does, that
          // welcome reaches every subscriber, this one included.
          continue;
        }
        const topic = event.subarray(1);
        await this._iopubSender.send(
          encodeMessage(
            {
              msgType: 'iopub_welcome',
              session,
              content: { subscription: topic.toString('utf8') },
              prefix: topic.length > 0 ? [topic] : []
            },
            this._options.signer
          )
        );
      }
    } catch (e) {
      if (!this._closed) {
        this._options.onError(asError(e, 'iopub subscriptions'));
      }
    }
  }

  private readonly _options: IRelayOptions;
  private readonly _relayed: ReadonlySet<Channel>;
  private readonly _front: Record<'shell' | 'control' | 'stdin', Router>;
  private readonly _back: Record<'shell' | 'control' | 'stdin', Dealer>;
  private readonly _iopubFront: XPublisher;
  private readonly _iopubBack: Subscriber;
  private readonly _iopubSender: Sender;
  private _kernelSession: string | undefined;
  private _observed: {
    channel: Channel;
    direction: Direction;
    frames: Buffer[];
  }[] = [];
  private _closed = false;
}

function asError(e: unknown, where: string): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  error.message = `${where}: ${error.message}`;
  return error;
}
