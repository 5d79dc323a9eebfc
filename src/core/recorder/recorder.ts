/**
 * The Recorder: one state machine from Jupyter protocol messages to journal
 * events (DESIGN.md, "The one idea"). Every tap (agent, frontend, headless
 * runner) feeds it the messages it observes and writes what it emits; it
 * does not know where the messages come from.
 *
 * Protocol facts it relies on (Jupyter messaging spec, "Execute"):
 * - an execution is named by its `execute_request`'s `header.msg_id`, which
 *   the kernel copies into the `parent_header` of the reply and of every
 *   iopub message the execution causes;
 * - the kernel publishes `status: busy`, then `execute_input`, outputs, and
 *   `status: idle`; the `execute_reply` on shell races with the iopub
 *   messages, so an execution is over only when both the reply and idle are
 *   in (outputs from the execution can still arrive between the two).
 */

import type { KernelMessage } from '@jupyterlab/services';
import {
  JOURNAL_FORMAT_VERSION,
  type CellId,
  type IExecutionFinishedEvent,
  type ExecutionId,
  type ExecutionStatus,
  type IsoTime,
  type JournalEvent,
  type OutputType,
  type SessionEndReason,
  type SessionId,
  type ISessionStartedEvent,
  type IStreamDigest,
  type Tap
} from '../journal/events.js';
import { Sha256Builder } from '../hash.js';
import { digestOutput, sourceDigest } from './output-digest.js';
import { toIsoTime } from './time.js';

/** What is recorded; the lab reads it from settings and may change it live. */
export interface IRecordingOptions {
  /** Keep cells' source in the journal (its sha256 is always kept). */
  readonly recordCode: boolean;
  /** Keep a short text preview of each output. */
  readonly recordOutputPreviews: boolean;
  /** Longest preview, in characters, before it is cut and ends with '…'. */
  readonly maxPreviewChars: number;
}

/** One message as a tap saw it: sent to the kernel, or received from it. */
export interface IObservedMessage {
  readonly direction: 'send' | 'recv';
  readonly msg: KernelMessage.IMessage;
}

export interface IRecorderOptions {
  readonly tap: Tap;
  /** Receives every event, in order; where it goes is the tap's business. */
  readonly emit: (event: JournalEvent) => void;
  /** The recorder's clock for events' `t`; defaults to the system clock. */
  readonly now?: () => Date;
  readonly options: IRecordingOptions;
  /**
   * Told about anything the recorder could not handle (a malformed message,
   * a failing `emit`). The recorder never throws into the notebook; without
   * this callback it reports to `console.error` where there is a console.
   */
  readonly onError?: (error: Error) => void;
}

export interface ISessionInfo {
  readonly session: SessionId;
  readonly kernel: ISessionStartedEvent['kernel'];
  readonly host?: string;
  readonly user?: string;
}

/**
 * A session's kernel as its `kernel_info_reply` describes it (every tap
 * reads the same fields); `language` falls back where the reply has none.
 */
export function kernelOfInfo(
  id: string,
  name: string,
  info: KernelMessage.IInfoReply | undefined,
  language?: string
): ISessionStartedEvent['kernel'] {
  const languageInfo = info?.language_info;
  return {
    id,
    name,
    language: languageInfo?.name ?? language,
    languageVersion: languageInfo?.version,
    implementation: info?.implementation,
    implementationVersion: info?.implementation_version
  };
}

/** What the recorder keeps of one running execution: a few fields, no output. */
interface IPending {
  started: boolean;
  /** `status: busy` date, for a kernel that sends no `execute_input`. */
  busyTime?: IsoTime;
  /** The kernel has published something on iopub for this execution. */
  active: boolean;
  outputs: number;
  reply?: Omit<IExecutionFinishedEvent, 'v' | 't' | 'kind' | 'execution'> & {
    readonly replyTime?: IsoTime;
  };
  idle?: { readonly time?: IsoTime };
  /** Each stream's text so far, hashed as one (`execution.finished.streams`). */
  streams?: Map<string, Sha256Builder>;
}

const OUTPUT_TYPES: ReadonlySet<string> = new Set<OutputType>([
  'stream',
  'display_data',
  'update_display_data',
  'execute_result',
  'error'
]);

export class Recorder {
  private readonly _tap: Tap;
  private readonly _emit: (event: JournalEvent) => void;
  private readonly _now: () => Date;
  private readonly _onError: (error: Error) => void;
  private _options: IRecordingOptions;
  private _session: SessionId | undefined;
  /** Executions requested and not yet finished, by `msg_id`. */
  private readonly _pending = new Map<string, IPending>();

  constructor(options: IRecorderOptions) {
    this._tap = options.tap;
    this._emit = options.emit;
    this._now = options.now ?? (() => new Date());
    this._onError = options.onError ?? reportToConsole;
    this._options = { ...options.options };
  }

  /** The options in force. */
  get options(): IRecordingOptions {
    return this._options;
  }

  /** Changes what is recorded from the next message on. */
  setOptions(options: Partial<IRecordingOptions>): void {
    this._options = { ...this._options, ...options };
  }

  /** The kernel session being recorded, if one is started. */
  get session(): SessionId | undefined {
    return this._session;
  }

  /** How many executions are requested and not finished (memory check). */
  get pendingCount(): number {
    return this._pending.size;
  }

  /**
   * A kernel session begins (a kernel started, or this tap attached to one).
   * A session still open is ended first, with reason `unknown`.
   */
  startSession(info: ISessionInfo): void {
    this._guard(() => {
      if (this._session !== undefined) {
        this._endSession('unknown');
      }
      this._session = info.session;
      this._send({
        kind: 'session.started',
        session: info.session,
        tap: this._tap,
        kernel: compact({ ...info.kernel }) as ISessionStartedEvent['kernel'],
        ...compact({ host: info.host, user: info.user })
      });
    });
  }

  /**
   * The kernel session is over. Executions still running end as `died`
   * when the kernel died or restarted and `aborted` otherwise, unless their
   * reply was already in (then the reply says how they ended).
   */
  endSession(reason: SessionEndReason): void {
    this._guard(() => this._endSession(reason));
  }

  /** Feeds one observed message. Never throws. */
  handle(observed: IObservedMessage): void {
    this._guard(() => this._handle(observed));
  }

  private _endSession(reason: SessionEndReason): void {
    const session = this._session;
    if (session === undefined) {
      return;
    }
    this._session = undefined;
    const status: ExecutionStatus =
      reason === 'died' || reason === 'restart' ? 'died' : 'aborted';
    const pending = [...this._pending];
    this._pending.clear();
    for (const [id, execution] of pending) {
      execution.reply ??= { status };
      // One failing emit must not keep the others from finishing.
      this._guard(() => this._finish(id, execution));
    }
    this._send({ kind: 'session.ended', session, reason });
  }

  private _handle(observed: IObservedMessage): void {
    const msg: unknown = observed?.msg;
    if (!isRecord(msg)) {
      throw new Error('observed message has no msg');
    }
    const header = msg.header;
    if (!isRecord(header) || typeof header.msg_type !== 'string') {
      throw new Error('message without header.msg_type');
    }
    const msgType = header.msg_type;
    const channel = msg.channel;
    if (observed.direction === 'send') {
      if (msgType === 'execute_request' && channel === 'shell') {
        this._onExecuteRequest(msg, header);
      }
      return;
    }
    if (observed.direction !== 'recv') {
      throw new Error(`${msgType}: unknown direction`);
    }
    if (
      channel !== 'iopub' &&
      !(channel === 'shell' && msgType === 'execute_reply')
    ) {
      return;
    }
    const parent = msg.parent_header;
    if (!isRecord(parent)) {
      throw new Error(`${msgType} message without parent_header`);
    }
    const id = parent.msg_id;
    const pending = typeof id === 'string' ? this._pending.get(id) : undefined;
    if (pending === undefined) {
      // Not ours: another client's execution, a silent one, or kernel
      // housekeeping (`status: starting`, comm traffic without a parent).
      return;
    }
    const executionId = id as string;
    const time = toIsoTime(header.date);
    if (channel === 'shell') {
      this._onExecuteReply(executionId, pending, msg, time);
      return;
    }
    const content = msg.content;
    if (!isRecord(content)) {
      throw new Error(`${msgType} message without content`);
    }
    if (!pending.active) {
      pending.active = true;
      this._settleEarlier(executionId);
    }
    if (msgType === 'status') {
      const state = content.execution_state;
      if (state === 'busy') {
        pending.busyTime ??= time;
      } else if (state === 'idle' && pending.idle === undefined) {
        pending.idle = { time };
        this._finishIfDone(executionId, pending);
      }
    } else if (msgType === 'execute_input') {
      if (!pending.started) {
        pending.started = true;
        this._send({
          kind: 'execution.started',
          execution: executionId as ExecutionId,
          ...compact({
            executionCount: countOf(content.execution_count),
            kernelTime: time
          })
        });
      }
    } else if (OUTPUT_TYPES.has(msgType)) {
      this._ensureStarted(executionId, pending);
      const { recordOutputPreviews, maxPreviewChars } = this._options;
      const digest = digestOutput(
        msgType as OutputType,
        content,
        recordOutputPreviews ? maxPreviewChars : undefined
      );
      if (digest.streamName !== undefined) {
        this._hashStream(pending, digest.streamName, content);
      }
      this._send({
        kind: 'execution.output',
        execution: executionId as ExecutionId,
        index: pending.outputs++,
        outputType: digest.outputType,
        ...compact({ streamName: digest.streamName }),
        mimeTypes: digest.mimeTypes,
        byteSize: digest.byteSize,
        sha256: digest.sha256,
        ...compact({ preview: digest.preview, kernelTime: time })
      });
    }
    // `clear_output` is not recorded: it changes what the notebook shows,
    // not what the execution produced, and every output before it is
    // already in the journal.
  }

  private _onExecuteRequest(
    msg: Record<string, unknown>,
    header: Record<string, unknown>
  ): void {
    const content = msg.content;
    if (!isRecord(content) || typeof content.code !== 'string') {
      throw new Error('execute_request without content.code');
    }
    // Silent requests are other extensions' background work (variable
    // inspectors, completers): not the user's executions. Their iopub
    // traffic is then ignored as having no known parent.
    if (content.silent === true) {
      return;
    }
    const id = header.msg_id;
    if (typeof id !== 'string' || id === '') {
      throw new Error('execute_request without header.msg_id');
    }
    if (this._session === undefined) {
      throw new Error(
        'execute_request before startSession: execution not recorded'
      );
    }
    if (this._pending.has(id)) {
      throw new Error(`execute_request ${id} sent twice: second ignored`);
    }
    this._pending.set(id, { started: false, active: false, outputs: 0 });
    const metadata = msg.metadata;
    const cellId = isRecord(metadata) ? metadata.cellId : undefined;
    this._send({
      kind: 'execution.requested',
      session: this._session,
      execution: id as ExecutionId,
      ...compact({
        cellId:
          typeof cellId === 'string' && cellId !== ''
            ? (cellId as CellId)
            : undefined,
        source: this._options.recordCode ? content.code : undefined
      }),
      sourceSha256: sourceDigest(content.code)
    });
  }

  private _onExecuteReply(
    id: string,
    pending: IPending,
    msg: Record<string, unknown>,
    time: IsoTime | undefined
  ): void {
    if (pending.reply !== undefined) {
      return;
    }
    const content = msg.content;
    if (!isRecord(content)) {
      throw new Error('execute_reply without content');
    }
    const metadata = isRecord(msg.metadata) ? msg.metadata : {};
    let status: ExecutionStatus;
    switch (content.status) {
      case 'ok':
      case 'aborted':
        status = content.status;
        break;
      case 'error':
        // An interrupt reaches Python as KeyboardInterrupt: the user
        // stopped the cell, it did not fail.
        status =
          content.ename === 'KeyboardInterrupt' ? 'interrupted' : 'error';
        break;
      default:
        throw new Error(`execute_reply with status ${String(content.status)}`);
    }
    const error =
      content.status === 'error'
        ? {
            ename: typeof content.ename === 'string' ? content.ename : '',
            evalue: typeof content.evalue === 'string' ? content.evalue : ''
          }
        : undefined;
    pending.reply = compact({
      status,
      executionCount: countOf(content.execution_count),
      kernelStarted: toIsoTime(metadata.started),
      error,
      replyTime: time
    }) as IPending['reply'];
    if (pending.idle === undefined && this._laterIsActive(id)) {
      pending.idle = {};
    }
    this._finishIfDone(id, pending);
  }

  /*
   * iopub is a PUB/SUB channel: under a flood of output the kernel drops
   * messages past its high-water mark, and an execution whose `idle` was
   * dropped would stay pending until the session ends. The kernel runs
   * shell requests one at a time and publishes `idle` of one before `busy`
   * of the next on the same socket, so once a later execution shows
   * activity, an earlier one that has its reply will get no idle: finish it
   * (its `kernelTime` then comes from the reply). Executions on ipykernel 7
   * subshells can overlap; this would finish them a little early, never
   * lose them.
   */

  /** Finishes executions before `id` that have their reply but lost idle. */
  private _settleEarlier(id: string): void {
    // Deleting the current entry while iterating a Map is safe in JS.
    for (const [earlierId, earlier] of this._pending) {
      if (earlierId === id) {
        return;
      }
      if (earlier.reply !== undefined && earlier.idle === undefined) {
        earlier.idle = {};
        this._finishIfDone(earlierId, earlier);
      }
    }
  }

  /** Whether an execution requested after `id` has shown kernel activity. */
  private _laterIsActive(id: string): boolean {
    let later = false;
    for (const [otherId, other] of this._pending) {
      if (later && other.active) {
        return true;
      }
      later ||= otherId === id;
    }
    return false;
  }

  private _ensureStarted(id: string, pending: IPending): void {
    if (pending.started) {
      return;
    }
    pending.started = true;
    this._send({
      kind: 'execution.started',
      execution: id as ExecutionId,
      ...compact({ kernelTime: pending.busyTime })
    });
  }

  private _finishIfDone(id: string, pending: IPending): void {
    if (pending.reply !== undefined && pending.idle !== undefined) {
      // An aborted request never ran (ipykernel answers it unexecuted after
      // an earlier error, with `stop_on_error`): it gets no `started`.
      if (pending.reply.status !== 'aborted') {
        this._ensureStarted(id, pending);
      }
      this._finish(id, pending);
    }
  }

  private _hashStream(
    pending: IPending,
    name: string,
    content: Record<string, unknown>
  ): void {
    pending.streams ??= new Map();
    let builder = pending.streams.get(name);
    if (!builder) {
      builder = new Sha256Builder();
      pending.streams.set(name, builder);
    }
    // digestOutput has checked that a stream's text is a string.
    builder.update(content.text as string);
  }

  private _finish(id: string, pending: IPending): void {
    // Forget first: if emitting fails, the execution must not stay pending.
    this._pending.delete(id);
    const reply = pending.reply ?? { status: 'aborted' };
    this._send({
      kind: 'execution.finished',
      execution: id as ExecutionId,
      status: reply.status,
      ...compact({
        executionCount: reply.executionCount,
        kernelStarted: reply.kernelStarted,
        kernelTime: pending.idle?.time ?? reply.replyTime,
        error: reply.error,
        streams: streamDigests(pending.streams)
      })
    });
  }

  private _send(fields: DistributiveOmit<JournalEvent, 'v' | 't'>): void {
    const event = {
      v: JOURNAL_FORMAT_VERSION,
      t: this._now().toISOString() as IsoTime,
      ...fields
    } as JournalEvent;
    this._emit(event);
  }

  private _guard(action: () => void): void {
    try {
      action();
    } catch (e) {
      try {
        this._onError(e instanceof Error ? e : new Error(String(e)));
      } catch {
        // The error handler failed too; the notebook must still not break.
      }
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;

/** `fields` without the keys whose value is undefined. */
function compact<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as (keyof T)[]) {
    if (fields[key] !== undefined) {
      out[key] = fields[key];
    }
  }
  return out;
}

function countOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? value
    : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reportToConsole(error: Error): void {
  // core has neither DOM nor Node types; `console` exists in both at runtime.
  const host = globalThis as { console?: { error(...data: unknown[]): void } };
  host.console?.error('jupyterlab-provenance recorder:', error);
}

function streamDigests(
  streams: ReadonlyMap<string, Sha256Builder> | undefined
): IStreamDigest[] | undefined {
  if (!streams) {
    return undefined;
  }
  return [...streams].map(([name, builder]) => ({
    name,
    byteSize: builder.byteLength,
    sha256: builder.digestHex()
  }));
}
