import type {
  Contents,
  Kernel,
  KernelMessage,
  Session
} from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import {
  notebookStem,
  type ExecutionId,
  type IsoTime,
  type JournalId
} from '../../../core/journal/index.js';
import type { IRecordingOptions } from '../../../core/recorder/index.js';
import { OutputTexts } from './output-text.js';
import type { IReplayPlan, IReplayStep } from './plan.js';
import { ReplayRecording } from './replay-recording.js';
import {
  buildReport,
  replayFinishedEvent,
  type IReplayReport
} from './report.js';

/** How long a replay kernel may take to start and answer `kernel_info`. */
const KERNEL_READY_TIMEOUT_MS = 120_000;
/** After Cancel, how long an interrupt may take before the kernel is shut down regardless. */
const INTERRUPT_GRACE_MS = 5_000;

export type ReplayPhase =
  'starting' | 'running' | 'stopping' | 'done' | 'cancelled' | 'failed';

export interface IReplayProgress {
  readonly phase: ReplayPhase;
  /** Executions finished so far, of `total`. */
  readonly done: number;
  readonly total: number;
  /** The execution running now. */
  readonly current?: IReplayStep;
  /** What went wrong, when the replay could not run (`failed` without a report). */
  readonly error?: string;
  readonly report?: IReplayReport;
  /** Things the user should know about the replay's provenance. */
  readonly notes: readonly string[];
  /** Where the replay is journaled. */
  readonly journalPath: string;
  readonly byAgent: boolean;
}

export interface IReplayRunOptions {
  readonly sessions: Session.IManager;
  readonly contents: Contents.IManager;
  readonly notebookPath: string;
  readonly plan: IReplayPlan;
  /** The original journal's id, which `replay.finished` names. */
  readonly journalId: JournalId;
  readonly kernelName: string;
  readonly recording: IRecordingOptions;
  readonly recordingEnabled: boolean;
  readonly recorderVersion: string;
  readonly user?: string;
  /** Recorded ordinal → output texts the notebook still shows. */
  readonly recordedTexts: ReadonlyMap<number, ReadonlyMap<string, string>>;
}

/** The session path of a notebook's replays: `<dir>/<stem>.replay.ipynb`. */
export function replayPathFor(notebookPath: string): string {
  return `${notebookStem(notebookPath)}.replay.ipynb`;
}

/**
 * One replay: a fresh kernel of the same kernelspec, started through the
 * session manager (the user's kernel is never touched), runs the plan's
 * sources in order, then is shut down; the recording is compared with the
 * recorded executions and the report made.
 *
 * Cancel interrupts the execution running, stops sending the rest, and
 * shuts the kernel down (at once if the interrupt has not ended it within a
 * few seconds). What ran is still compared; the rest is reported as not
 * run, and the replay as failed.
 */
export class ReplayRun implements IDisposable {
  constructor(options: IReplayRunOptions) {
    this._options = options;
    this._recording = new ReplayRecording({
      contents: options.contents,
      replayPath: replayPathFor(options.notebookPath),
      recording: options.recording,
      enabled: options.recordingEnabled,
      recorderVersion: options.recorderVersion,
      user: options.user
    });
    this._progress = {
      phase: 'starting',
      done: 0,
      total: options.plan.steps.length,
      notes: [],
      journalPath: this._recording.journalPath,
      byAgent: false
    };
  }

  get progress(): IReplayProgress {
    return this._progress;
  }

  get changed(): ISignal<this, IReplayProgress> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Runs the replay to its end (or its cancellation); never throws. */
  async run(): Promise<IReplayProgress> {
    const replayPath = replayPathFor(this._options.notebookPath);
    let kernel: Kernel.IKernelConnection;
    try {
      kernel = await this._startKernel(replayPath);
    } catch (error) {
      await this._shutdown();
      this._update({
        phase: 'failed',
        error: `The replay kernel (${this._options.kernelName}) could not be started: ${message(error)}`
      });
      return this._progress;
    }
    if (this._cancelled) {
      return this._end();
    }
    this._update({ phase: 'running', byAgent: this._recording.byAgent });
    let stopped: string | undefined;
    for (const step of this._options.plan.steps) {
      if (this._cancelled) {
        break;
      }
      this._update({ current: step });
      const texts = new OutputTexts();
      this._replayedTexts.set(step.ordinal, texts.texts);
      const future = kernel.requestExecute(
        {
          code: step.source,
          silent: false,
          store_history: true,
          allow_stdin: false,
          stop_on_error: false
        },
        true,
        step.cellId !== undefined ? { cellId: step.cellId } : {}
      );
      this._replayedIds.set(
        step.ordinal,
        future.msg.header.msg_id as ExecutionId
      );
      future.onIOPub = msg => texts.add(msg.header.msg_type, msg.content);
      try {
        await future.done;
      } catch (error) {
        if (!this._cancelled) {
          stopped = `the replay kernel stopped (${message(error)})`;
        }
        break;
      }
      if (this._cancelled) {
        // Interrupted: it did not run to its end.
        break;
      }
      this._update({ done: this._progress.done + 1 });
    }
    return this._end(stopped);
  }

  /** Stops the replay: interrupt, then shut the kernel down. */
  cancel(): void {
    if (this._cancelled || this._finished) {
      return;
    }
    this._cancelled = true;
    this._update({ phase: 'stopping' });
    const kernel = this._session?.kernel;
    if (!kernel) {
      return;
    }
    void kernel.interrupt().catch(() => undefined);
    // A kernel deaf to interrupts (stuck in native code) is shut down anyway.
    this._graceTimer = setTimeout(
      () => void this._shutdown(),
      INTERRUPT_GRACE_MS
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.cancel();
    Signal.clearData(this);
  }

  private async _startKernel(
    replayPath: string
  ): Promise<Kernel.IKernelConnection> {
    const { sessions, kernelName } = this._options;
    // The server hands an existing session's kernel to a second start on
    // the same path: that would not be a fresh kernel.
    if (await sessions.findByPath(replayPath)) {
      throw new Error(
        `a replay of this notebook is already running (session ${replayPath}); ` +
          'wait for it to end or shut its kernel down under Running Terminals and Kernels'
      );
    }
    this._session = await sessions.startNew(
      {
        path: replayPath,
        // The kernel is told this name (JPY_SESSION_NAME): the agent names
        // its journal after it.
        name: replayPath.split('/').pop() as string,
        type: 'notebook',
        kernel: { name: kernelName }
      },
      { kernelConnectionOptions: { handleComms: false } }
    );
    const kernel = this._session.kernel;
    if (!kernel) {
      throw new Error('the server started no kernel');
    }
    const info = await ready(kernel);
    await this._recording.start(kernel, info);
    return kernel;
  }

  private async _end(stopped?: string): Promise<IReplayProgress> {
    this._update({ phase: 'stopping', current: undefined });
    await this._shutdown();
    this._recording.stop();
    const cancelled = this._cancelled;
    const report = buildReport({
      steps: this._options.plan.steps,
      replayed: this._recording.state(),
      replayedIds: this._replayedIds,
      recordedTexts: this._options.recordedTexts,
      replayedTexts: this._replayedTexts,
      ...(cancelled
        ? { stopped: 'the replay was cancelled' }
        : stopped !== undefined
          ? { stopped }
          : {})
    });
    const { plan, notebookPath, journalId } = this._options;
    const problem = await this._recording
      .finish(session =>
        replayFinishedEvent(
          report,
          {
            session,
            journal: journalId,
            notebookPath,
            cellId: plan.target.cellId,
            target: plan.target.execution.requested.execution
          },
          new Date().toISOString() as IsoTime
        )
      )
      .catch(
        error => `The replay's link could not be journaled: ${message(error)}`
      );
    this._finished = true;
    this._update({
      phase: cancelled ? 'cancelled' : 'done',
      report,
      notes: problem !== undefined ? [problem] : []
    });
    return this._progress;
  }

  /** Shuts the replay kernel down, once. */
  private _shutdown(): Promise<void> {
    clearTimeout(this._graceTimer);
    const session = this._session;
    this._shutdownDone ??= session
      ? session.shutdown().catch(error => {
          console.warn('jupyterlab-provenance: replay kernel shutdown', error);
        })
      : Promise.resolve();
    return this._shutdownDone;
  }

  private _update(change: Partial<IReplayProgress>): void {
    this._progress = { ...this._progress, ...change };
    if (!this._isDisposed) {
      this._changed.emit(this._progress);
    }
  }

  private readonly _options: IReplayRunOptions;
  private readonly _recording: ReplayRecording;
  private readonly _replayedIds = new Map<number, ExecutionId>();
  private readonly _replayedTexts = new Map<
    number,
    ReadonlyMap<string, string>
  >();
  private _session: Session.ISessionConnection | undefined;
  private _progress: IReplayProgress;
  private _cancelled = false;
  private _finished = false;
  private _graceTimer: ReturnType<typeof setTimeout> | undefined;
  private _shutdownDone: Promise<void> | undefined;
  private _isDisposed = false;
  private readonly _changed = new Signal<this, IReplayProgress>(this);
}

/**
 * The kernel's `kernel_info` reply once it answers; rejects when it dies
 * first or takes longer than `KERNEL_READY_TIMEOUT_MS`.
 */
function ready(
  kernel: Kernel.IKernelConnection
): Promise<KernelMessage.IInfoReply | undefined> {
  return new Promise((resolve, reject) => {
    const onStatus = (_: unknown, status: Kernel.Status): void => {
      if (status === 'dead') {
        done(() => reject(new Error('the kernel died as it started')));
      }
    };
    const timer = setTimeout(
      () =>
        done(() =>
          reject(
            new Error(`no answer within ${KERNEL_READY_TIMEOUT_MS / 1000} s`)
          )
        ),
      KERNEL_READY_TIMEOUT_MS
    );
    const done = (settle: () => void): void => {
      clearTimeout(timer);
      kernel.statusChanged.disconnect(onStatus);
      settle();
    };
    kernel.statusChanged.connect(onStatus);
    kernel.info.then(
      info => done(() => resolve(info)),
      error => done(() => reject(error))
    );
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
