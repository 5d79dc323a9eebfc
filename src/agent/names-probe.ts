/**
 * Asks an IPython kernel, after each execution, which global names are
 * bound to which objects, and reports what changed: the kernel's own
 * account, which confirms or corrects the static analysis of the source
 * (issue 5: a name created by `exec`, `globals()[…] =`, `%run`, a star
 * import…).
 *
 * The question is a `silent` `execute_request` with empty code and one
 * user expression, sent from a socket of the agent's own: ipykernel then
 * neither counts it (`execution_count`), nor stores it in history, nor
 * runs pre/post-execute hooks, and its reply comes back to the agent only.
 * Its iopub `busy`/`idle` are withheld from clients (`isOwn`). An object's
 * `id()` tells rebinding apart from an unchanged name; a change in place
 * keeps the id and is not seen (the static analysis reports those).
 *
 * Which executions an answer covers is told by the kernel itself: the
 * answer carries its next execution count, so it covers every execution
 * counted below that and not covered before. Executions queued behind
 * each other then share one answer, reported for each (a write credited to
 * one too many executions costs precision; one credited to too few would
 * cost a dependency), however the agent's observations and the answer
 * interleave.
 *
 * The question waits until the kernel has been left alone for a moment
 * (`quietMs` with no new execution requested): "Run All" over many quick
 * cells then asks once at the end instead of queueing a question between
 * every two cells (measured in bench/agent-latency.py).
 */

import { Dealer } from 'zeromq';
import { endpoint, type IConnectionInfo } from './relay/connection.js';
import {
  decodeMessage,
  delimiterIndex,
  encodeMessage,
  type Signer
} from './relay/wire.js';

/**
 * Evaluated in the user's namespace: the next execution count and
 * `{name: [type name, id]}`, as JSON.
 */
export const NAMESPACE_EXPRESSION =
  "__import__('json').dumps([get_ipython().execution_count, {k: [type(v).__name__, id(v)] for k, v in list(get_ipython().user_ns.items()) if not k.startswith('_') and k not in get_ipython().user_ns_hidden}])";

export interface INamesReport {
  /** The executions the answer covers, in the order they finished. */
  readonly executions: readonly string[];
  readonly rebound: readonly string[];
  readonly types: readonly string[];
  readonly deleted: readonly string[];
}

export interface INamesProbeOptions {
  readonly kernel: IConnectionInfo;
  readonly signer: Signer;
  readonly onReport: (report: INamesReport) => void;
  readonly onError: (error: Error) => void;
  /** How long an answer may take before the question is given up; default 30 s. */
  readonly timeoutMs?: number;
  /** How long the kernel must be left alone before the question; default 100 ms. */
  readonly quietMs?: number;
}

const IDLE = Buffer.from('"idle"', 'utf8');
/** How long a question's iopub traffic is looked for at most. */
const UNFINISHED_MS = 60_000;

/** Answers kept for executions observed after the answer that covers them. */
const KEPT_ANSWERS = 16;

type Fingerprint = Map<string, { readonly type: string; readonly id: number }>;

export class NamesProbe {
  constructor(options: INamesProbeOptions) {
    this._options = options;
    this._socket = new Dealer({ linger: 0 });
    this._socket.connect(endpoint(options.kernel, 'shell_port'));
    void this._receive();
  }

  /**
   * An execution ended, with the count the kernel gave it: reported at
   * once when an answer already covers it, else by the next answer.
   */
  executionEnded(execution: string, count: number | undefined): void {
    if (this._closed) {
      return;
    }
    const covered =
      count === undefined
        ? undefined
        : this._answers.find(a => a.fromCount <= count && count < a.toCount);
    if (covered) {
      this._options.onReport({ executions: [execution], ...covered.report });
      return;
    }
    this._uncovered.push({ execution, count });
    this._askWhenQuiet();
  }

  /** A new execution was requested: the question waits until it is over. */
  executionRequested(): void {
    clearTimeout(this._quiet);
    this._quiet = undefined;
  }

  private _askWhenQuiet(): void {
    clearTimeout(this._quiet);
    this._quiet = setTimeout(() => {
      this._quiet = undefined;
      if (this._asking === undefined && this._uncovered.length > 0) {
        void this._ask();
      }
    }, this._options.quietMs ?? 100);
  }

  /**
   * Whether iopub frames belong to the agent's own question. Cheap when no
   * question is out (every iopub message passes through here).
   */
  isOwn(frames: readonly Buffer[]): boolean {
    if (this._unfinished.size === 0) {
      return false;
    }
    const at = delimiterIndex(frames);
    const parent = at < 0 ? undefined : frames[at + 3];
    if (parent === undefined) {
      return false;
    }
    for (const [msgId, idBytes] of this._unfinished) {
      if (parent.includes(idBytes)) {
        // The reply may come before the idle: a question is over for
        // iopub only when its idle has passed.
        if (frames[at + 5]?.includes(IDLE)) {
          this._unfinished.delete(msgId);
        }
        return true;
      }
    }
    return false;
  }

  close(): void {
    this._closed = true;
    clearTimeout(this._quiet);
    clearTimeout(this._asking?.timer);
    this._asking = undefined;
    this._unfinished.clear();
    this._socket.close();
  }

  private async _ask(): Promise<void> {
    const frames = encodeMessage(
      {
        msgType: 'execute_request',
        session: this._session,
        content: {
          code: '',
          silent: true,
          store_history: false,
          user_expressions: { nbprov: NAMESPACE_EXPRESSION },
          allow_stdin: false,
          stop_on_error: false
        }
      },
      this._options.signer
    );
    const msgId = JSON.parse(
      frames[delimiterIndex(frames) + 2].toString('utf8')
    ).msg_id as string;
    const idBytes = Buffer.from(msgId, 'utf8');
    this._unfinished.set(msgId, idBytes);
    // An idle that never passes must not keep the set growing.
    setTimeout(() => this._unfinished.delete(msgId), UNFINISHED_MS).unref();
    this._asking = {
      msgId,
      // An answer that never comes (a kernel stuck, or not an IPython one
      // after all) must not stop every later question.
      timer: setTimeout(
        () => this._giveUp(msgId),
        this._options.timeoutMs ?? 30_000
      )
    };
    try {
      await this._socket.send(frames);
    } catch (e) {
      this._giveUp(msgId);
      if (!this._closed) {
        this._options.onError(e as Error);
      }
    }
  }

  private _giveUp(msgId: string): void {
    if (this._asking?.msgId !== msgId) {
      return;
    }
    clearTimeout(this._asking.timer);
    // The next answer is compared with the last one known: whatever the
    // uncovered executions did shows up there.
    this._asking = undefined;
  }

  private async _receive(): Promise<void> {
    try {
      for await (const frames of this._socket) {
        this._answered(frames);
      }
    } catch (e) {
      if (!this._closed) {
        this._options.onError(e as Error);
      }
    }
  }

  private _answered(frames: Buffer[]): void {
    const decoded = decodeMessage(frames, 'shell', this._options.signer);
    const asking = this._asking;
    if (!decoded.ok || decoded.msg === undefined || asking === undefined) {
      return;
    }
    const parent = decoded.msg.parent_header as { msg_id?: unknown };
    if (parent.msg_id !== asking.msgId) {
      return;
    }
    clearTimeout(asking.timer);
    this._asking = undefined;
    const now = parseAnswer(decoded.msg.content);
    if (now === undefined) {
      this._options.onError(
        new Error(
          'the kernel did not answer the namespace question; not asking again'
        )
      );
      this._closed = true;
      return;
    }
    const report = compareFingerprints(this._known, now.names);
    this._known = now.names;
    const answer = {
      fromCount: this._nextCount,
      toCount: now.nextCount,
      report
    };
    this._nextCount = now.nextCount;
    this._answers.push(answer);
    if (this._answers.length > KEPT_ANSWERS) {
      this._answers.shift();
    }
    const covered = this._uncovered.filter(
      e => e.count === undefined || e.count < now.nextCount
    );
    this._uncovered = this._uncovered.filter(e => !covered.includes(e));
    if (covered.length > 0) {
      this._options.onReport({
        executions: covered.map(e => e.execution),
        ...report
      });
    }
    if (this._uncovered.length > 0) {
      this._askWhenQuiet();
    }
  }

  private readonly _options: INamesProbeOptions;
  private readonly _socket: Dealer;
  private readonly _session = `nbprov-names-${process.pid}`;
  private _uncovered: { execution: string; count: number | undefined }[] = [];
  /** The latest answers, each covering the counts `[fromCount, toCount)`. */
  private readonly _answers: {
    readonly fromCount: number;
    readonly toCount: number;
    readonly report: Omit<INamesReport, 'executions'>;
  }[] = [];
  /** The first count the next answer covers. */
  private _nextCount = 0;
  private _asking:
    { readonly msgId: string; readonly timer: NodeJS.Timeout } | undefined;
  private _quiet: NodeJS.Timeout | undefined;
  private _known: Fingerprint = new Map();
  /** Questions whose iopub idle has not passed yet, by msg_id. */
  private readonly _unfinished = new Map<string, Buffer>();
  private _closed = false;
}

/**
 * The user expression's value from an `execute_reply`: IPython gives it as
 * `text/plain`, the repr of the JSON string (single-quoted; the JSON is
 * ASCII, so only backslashes and quotes are escaped).
 */
export function parseAnswer(
  content: unknown
): { nextCount: number; names: Fingerprint } | undefined {
  const text = (
    content as {
      user_expressions?: {
        nbprov?: { status?: string; data?: Record<string, unknown> };
      };
    }
  )?.user_expressions?.nbprov;
  const repr = text?.status === 'ok' ? text.data?.['text/plain'] : undefined;
  if (typeof repr !== 'string' || repr.length < 2) {
    return undefined;
  }
  const quote = repr[0];
  if ((quote !== "'" && quote !== '"') || repr[repr.length - 1] !== quote) {
    return undefined;
  }
  const json = repr.slice(1, -1).replace(/\\(.)/g, '$1');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (
    !Array.isArray(value) ||
    typeof value[0] !== 'number' ||
    typeof value[1] !== 'object' ||
    value[1] === null
  ) {
    return undefined;
  }
  const fingerprint: Fingerprint = new Map();
  for (const [name, entry] of Object.entries(value[1] as object)) {
    if (
      Array.isArray(entry) &&
      typeof entry[0] === 'string' &&
      typeof entry[1] === 'number'
    ) {
      fingerprint.set(name, { type: entry[0], id: entry[1] });
    }
  }
  return { nextCount: value[0], names: fingerprint };
}

export function compareFingerprints(
  before: Fingerprint,
  after: Fingerprint
): Omit<INamesReport, 'executions'> {
  const rebound: string[] = [];
  const types: string[] = [];
  for (const [name, now] of after) {
    if (before.get(name)?.id !== now.id) {
      rebound.push(name);
      types.push(now.type);
    }
  }
  const deleted = [...before.keys()].filter(name => !after.has(name));
  return { rebound, types, deleted };
}
