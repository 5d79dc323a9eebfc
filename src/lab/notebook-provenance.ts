import type { ISessionContext } from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { INotebookModel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate, UUID } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import {
  JOURNAL_FORMAT_VERSION,
  journalPathFor,
  type CellId,
  type ExecutionId,
  type IsoTime,
  type JournalEvent,
  type JournalId,
  type SessionEndReason,
  type SessionId
} from '../core/journal/index.js';
import {
  kernelOfInfo,
  Recorder,
  type IObservedMessage
} from '../core/recorder/index.js';
import { RECORDER_NAME } from '../core/version.js';
import { EVENT_MESSAGE } from '../core/protocol/index.js';
import { helloAgent, sendNotebookContext } from './agent-handshake.js';
import { JournalHistory } from './journal-history.js';
import { KernelUsagePoller, type IKernelUsage } from './kernel-usage.js';
import { LiveAgentEvents } from './live-events.js';
import type { IProvenanceSettings } from './settings.js';
import type { ILoadedJournal, SidecarJournal } from './sidecar-journal.js';
import { TimelineProjection } from './timeline/timeline-projection.js';
import { LineageEvents } from './lineage/lineage-events.js';

/** What the recorder of one notebook is doing, for the status bar. */
export type RecordingState =
  | 'loading'
  /** The kernel-side agent records; this page writes nothing. */
  | 'agent'
  /** This page records (the kernel has no agent, or it did not answer). */
  | 'frontend'
  | 'off'
  | 'no-kernel';

/** How long to wait for `kernel_info_reply` before starting without it. */
const KERNEL_INFO_TIMEOUT_MS = 10_000;

export interface INotebookProvenanceOptions {
  /** The notebook document; shared by every view of it. */
  readonly context: DocumentRegistry.IContext<INotebookModel>;
  readonly journal: SidecarJournal;
  readonly settings: IProvenanceSettings;
  readonly recorderVersion: string;
  /** The person the kernel works for (JupyterHub user name where known). */
  readonly user: Promise<string | undefined>;
  /** Called once the journal is read, with what was found (damage included). */
  readonly onLoaded: (loaded: ILoadedJournal) => void;
  /** A recorder failure: reported, never thrown into the notebook. */
  readonly onError: (error: unknown) => void;
}

/**
 * Connects one open notebook document to the core Recorder and its sidecar
 * journal (one per document, however many views show it).
 *
 * This is the frontend tap of DESIGN.md: every message on the notebook's
 * kernel connection (`anyMessage`, both directions) goes through the same
 * Recorder the kernel-side agent uses, and what it emits is appended to the
 * notebook's journal. Kernel changes and restarts close one kernel session
 * and open the next, so one journal spans the notebook's whole history. When
 * the kernel-side agent answers, it is the journal's single writer and this
 * page writes nothing.
 */
export class NotebookProvenance implements IDisposable {
  constructor(options: INotebookProvenanceOptions) {
    this._options = options;
    this._settings = options.settings;
    this._journal = options.journal;
    this._history = new JournalHistory({
      append: events => {
        this._timeline.append(events);
        this._lineageEvents.append(events);
      },
      readTail: bytes => this._journal.readTail(bytes),
      onGap: why =>
        console.warn(`jupyterlab-provenance: ${options.context.path}: ${why}.`)
    });
    this._live.received.connect((live, events) => {
      if (events.length > 0) {
        this._recorded.emit(events);
      }
      if (live.stream === undefined) {
        this._history.streamEnded();
      } else {
        this._history.streamed(live.stream, events, this._agentWritesHere());
      }
    });
    this._recorder = new Recorder({
      tap: 'frontend',
      options: options.settings,
      emit: event => {
        this._write(event);
        this._followExecutions(event);
      },
      onError: options.onError
    });
  }

  /**
   * Follows the kernel at once (messages are held, not lost, while the
   * journal loads) and reads the existing journal.
   */
  async start(): Promise<void> {
    const { context } = this._options;
    context.sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    context.pathChanged.connect(this._onPathChanged, this);
    context.model.cells.changed.connect(this._onCellsChanged, this);
    this._attach(context.sessionContext.session?.kernel ?? null);
    try {
      const loaded = await this._journal.load();
      const created = loaded.events.find(e => e.kind === 'journal.created');
      if (created?.kind === 'journal.created') {
        this._journalId = created.journal;
        this._headerWritten = true;
      }
      this._options.onLoaded(loaded);
      this._loaded.resolve();
      this._history.loaded(loaded.events);
    } catch (error) {
      this._loaded.reject(error);
      // Live views still show what is recorded from now on.
      this._history.loaded([]);
      throw error;
    } finally {
      this._timeline.markReady();
      this._lineageEvents.markReady();
    }
  }

  get stateChanged(): ISignal<this, RecordingState> {
    return this._stateChanged;
  }

  get state(): RecordingState {
    return this._state;
  }

  /**
   * Every event recorded for this notebook from now on, as it happens: the
   * page's own (frontend tap) and the agent's live stream (which can repeat
   * events the journal read at the start has; `timeline` has each once).
   */
  get recorded(): ISignal<this, readonly JournalEvent[]> {
    return this._recorded;
  }

  /**
   * The notebook's timeline as data: the journal read when the notebook
   * opened and every event since, each once (JournalHistory). Kept from
   * the start so that opening the timeline reads nothing.
   */
  get timeline(): TimelineProjection {
    return this._timeline;
  }

  /**
   * The events the lineage graph reads: the journal read when the notebook
   * opened and every event since, each once, without samples and outputs.
   */
  get lineageEvents(): LineageEvents {
    return this._lineageEvents;
  }

  /** What the kernel-side agent streams live (empty without an agent). */
  get live(): LiveAgentEvents {
    return this._live;
  }

  /** Where this notebook's journal is, relative to the server root. */
  get journalPath(): string {
    return this._journal.path;
  }

  /**
   * Writes every recorded event to disk (before an export, for instance).
   * Resolves the number of events still not on disk after trying.
   */
  async flush(): Promise<number> {
    await this._journal.flush();
    return this._journal.pendingLines;
  }

  /** Applies changed settings; turning recording off stops at once. */
  updateSettings(settings: IProvenanceSettings): void {
    const wasEnabled = this._settings.enabled;
    this._settings = settings;
    this._recorder.setOptions(settings);
    if (wasEnabled === settings.enabled) {
      return;
    }
    if (!settings.enabled) {
      this._endSession('unknown');
    }
    if (this._headerWritten && !this._agentRecording) {
      // Only a journal that already exists learns about the gap: turning
      // recording off must not create a file.
      this._journal.append([
        {
          v: JOURNAL_FORMAT_VERSION,
          t: nowIso(),
          kind: 'recording.toggled',
          recording: settings.enabled
        }
      ]);
    }
    if (settings.enabled && this._kernel) {
      void this._beginSession(this._kernel);
    }
    this._setState();
  }

  /** Called when the notebook schedules a cell: keeps the cell order known. */
  noteCellScheduled(): void {
    if (!this._cellOrderChanged) {
      return;
    }
    if (this._agentRecording && this._kernel) {
      // The agent writes the journal: it gets the context to write.
      this._cellOrderChanged = false;
      const kernel = this._kernel;
      void sendNotebookContext(kernel, this._notebookContext()).then(
        recorded => {
          if (!recorded && kernel === this._kernel) {
            this._cellOrderChanged = true;
          }
        }
      );
      return;
    }
    if (!this._recording()) {
      return;
    }
    this._cellOrderChanged = false;
    this._write({
      v: JOURNAL_FORMAT_VERSION,
      t: nowIso(),
      kind: 'notebook.context',
      ...this._notebookContext()
    });
  }

  private _notebookContext(): {
    notebookPath: string;
    format: string;
    cellOrder: CellId[];
  } {
    const model = this._options.context.model;
    const order: CellId[] = [];
    for (let i = 0; i < model.cells.length; i++) {
      order.push(model.cells.get(i).id as CellId);
    }
    return {
      notebookPath: this._options.context.path,
      format: `${model.nbformat}.${model.nbformatMinor}`,
      cellOrder: order
    };
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._usage?.poller.dispose();
    this._detach();
    const { context } = this._options;
    context.sessionContext.kernelChanged.disconnect(
      this._onKernelChanged,
      this
    );
    context.pathChanged.disconnect(this._onPathChanged, this);
    if (!context.model.isDisposed) {
      context.model.cells.changed.disconnect(this._onCellsChanged, this);
    }
    void this._journal.flush();
    this._history.dispose();
    this._timeline.dispose();
    Signal.clearData(this);
  }

  /**
   * Whether the agent's journal is this notebook's sidecar journal, which
   * this page reads: only then can what its stream missed be read back.
   */
  private _agentWritesHere(): boolean {
    const agentPath = this._live.journalPath;
    if (agentPath === undefined) {
      return false;
    }
    const name = (path: string) => path.split(/[\\/]/).pop();
    return name(agentPath) === name(this._journal.path);
  }

  /** Whether this page writes the journal now. */
  private _recording(): boolean {
    return this._settings.enabled && this._sessionOpen;
  }

  private _onKernelChanged(
    _: ISessionContext,
    change: { newValue: Kernel.IKernelConnection | null }
  ): void {
    this._attach(change.newValue);
  }

  private _onCellsChanged(): void {
    this._cellOrderChanged = true;
  }

  /** The journal follows a renamed notebook (`a.ipynb` → `b.ipynb`). */
  private _onPathChanged(_: unknown, path: string): void {
    // The agent learns the new path with the next context it is sent.
    this._cellOrderChanged = true;
    const target = journalPathFor(path);
    this._journal
      .moveTo(target)
      .catch(error =>
        this._options.onError(
          new Error(
            `The provenance journal could not follow the notebook to ${path} ` +
              `(${String(error)}); it stays at ${this._journal.path}.`
          )
        )
      );
  }

  private _attach(kernel: Kernel.IKernelConnection | null): void {
    if (kernel && this._kernel && kernel.id === this._kernel.id) {
      // A new connection to the same kernel process (JupyterLab makes one
      // when it restarts a kernel): the kernel session goes on.
      this._disconnect(this._kernel);
      this._kernel = kernel;
      this._connect(kernel);
      return;
    }
    this._detach();
    this._kernel = kernel;
    this._setState();
    if (!kernel) {
      return;
    }
    this._connect(kernel);
    if (this._settings.enabled) {
      void this._beginSession(kernel);
    }
  }

  private _connect(kernel: Kernel.IKernelConnection): void {
    kernel.anyMessage.connect(this._onAnyMessage, this);
    kernel.statusChanged.connect(this._onStatusChanged, this);
  }

  private _disconnect(kernel: Kernel.IKernelConnection): void {
    kernel.anyMessage.disconnect(this._onAnyMessage, this);
    kernel.statusChanged.disconnect(this._onStatusChanged, this);
  }

  private _detach(reason: SessionEndReason = 'unknown'): void {
    const kernel = this._kernel;
    if (!kernel) {
      return;
    }
    this._disconnect(kernel);
    this._endSession(reason);
    this._kernel = null;
  }

  /**
   * Opens a kernel session once the journal is loaded, the kernel has said
   * what it is, and any agent has answered. Messages that arrive meanwhile
   * are held and replayed in order, so an execution queued while the kernel
   * connects is not lost. A session end while this waits makes it give up
   * (its token is no longer current) without touching what a later start
   * holds.
   */
  private async _beginSession(kernel: Kernel.IKernelConnection): Promise<void> {
    if (this._starting || this._sessionOpen || this._agentRecording) {
      return;
    }
    this._starting = true;
    this._held = [];
    const token = ++this._beginToken;
    this._setState();
    // A journal that could not be read is not written to (start() reported
    // it): appending could bury what is there.
    const loaded = await this._loaded.promise.then(
      () => true,
      () => false
    );
    const [info, agent, user] = loaded
      ? await Promise.all([
          withTimeout(kernel.info, KERNEL_INFO_TIMEOUT_MS).catch(
            () => undefined
          ),
          helloAgent(kernel, this._options.context.path),
          this._options.user.catch(() => undefined)
        ])
      : [];
    if (token !== this._beginToken) {
      return;
    }
    if (!loaded) {
      this._starting = false;
      this._held = [];
      return;
    }
    this._starting = false;
    if (
      kernel.id !== this._kernel?.id ||
      !this._settings.enabled ||
      this._isDisposed
    ) {
      this._held = [];
      this._setState();
      return;
    }
    if (agent?.recording) {
      // The agent is the journal's single writer; what was held is in it.
      this._agentRecording = true;
      this._journal.releaseLoadedText();
      this._held = [];
      this._cellOrderChanged = true;
      this._setState();
      return;
    }
    this._recorder.startSession({
      session: UUID.uuid4() as SessionId,
      kernel: kernelOfInfo(kernel.id, kernel.name, info),
      user
    });
    this._sessionOpen = true;
    this._cellOrderChanged = true;
    this._setState();
    const held = this._held;
    this._held = [];
    for (const observed of held) {
      this._recorder.handle(observed);
    }
  }

  /**
   * Without the agent: while a cell runs, the kernel's own usage figures
   * (kernel-usage.ts), journaled as `kernel.usage` with the execution.
   */
  private _followExecutions(event: JournalEvent): void {
    if (event.kind === 'session.started') {
      this._sessionId = event.session;
      return;
    }
    if (event.kind === 'execution.finished') {
      // Also the finishes a session end emits: nothing new is started.
      this._usage?.poller.stop();
      return;
    }
    if (event.kind !== 'execution.started') {
      return;
    }
    const kernel = this._kernel;
    const interval = this._settings.kernelUsageInterval;
    if (!kernel || interval <= 0) {
      return;
    }
    if (this._usage?.kernel !== kernel) {
      this._usage?.poller.dispose();
      this._usage = {
        kernel,
        poller: new KernelUsagePoller<ExecutionId>({
          kernel,
          intervalSeconds: interval,
          onUsage: (usage, execution) => this._writeUsage(usage, execution)
        })
      };
    }
    this._usage.poller.start(event.execution);
  }

  private _writeUsage(usage: IKernelUsage, execution: ExecutionId): void {
    const session = this._sessionId;
    if (!this._recording() || session === undefined) {
      return;
    }
    this._write({
      v: JOURNAL_FORMAT_VERSION,
      t: nowIso(),
      kind: 'kernel.usage',
      session,
      execution,
      ...usage
    });
  }

  private _endSession(reason: SessionEndReason): void {
    this._usage?.poller.dispose();
    this._usage = undefined;
    // Any start still waiting is now stale.
    this._beginToken += 1;
    this._starting = false;
    this._held = [];
    // A restarted kernel is a new agent process: ask again.
    if (this._agentRecording) {
      this._live.clear();
    }
    this._agentRecording = false;
    if (this._sessionOpen) {
      this._sessionOpen = false;
      this._recorder.endSession(reason);
    }
  }

  private _onAnyMessage(
    _: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    if (!this._settings.enabled) {
      return;
    }
    const observed: IObservedMessage = {
      direction: args.direction,
      msg: args.msg as KernelMessage.IMessage
    };
    // Not a type @jupyterlab/services knows, hence the widening to string.
    const msgType: string = observed.msg.header.msg_type;
    if (msgType === EVENT_MESSAGE) {
      // The agent's live stream: never a message of the notebook's own.
      if (observed.direction === 'recv' && observed.msg.channel === 'iopub') {
        this._live.receive(observed.msg.content);
      }
      return;
    }
    if (isServerAutoRestart(observed.msg)) {
      // The server restarted a kernel that died. This message arrives before
      // the connection's status changes to `restarting`, which a restart
      // asked for by the user also shows.
      this._endSession('died');
      return;
    }
    if (this._agentRecording) {
      return;
    }
    if (!this._sessionOpen && !this._starting && this._kernel) {
      // The first message after a restart (the frontend's kernel_info
      // request) opens the next session, whatever statuses came before.
      void this._beginSession(this._kernel);
    }
    if (this._sessionOpen) {
      this._recorder.handle(observed);
    } else if (this._starting) {
      this._held.push(observed);
    }
  }

  private _onStatusChanged(
    kernel: Kernel.IKernelConnection,
    status: Kernel.Status
  ): void {
    switch (status) {
      case 'restarting':
        this._endSession('restart');
        break;
      case 'autorestarting':
      case 'dead':
        this._endSession('died');
        break;
      case 'starting':
      case 'idle':
      case 'busy':
        if (!this._sessionOpen && this._settings.enabled) {
          void this._beginSession(kernel);
        }
        break;
      default:
        break;
    }
  }

  private _write(event: JournalEvent): void {
    if (!this._headerWritten) {
      this._headerWritten = true;
      const header: JournalEvent = {
        v: JOURNAL_FORMAT_VERSION,
        t: event.t,
        kind: 'journal.created',
        journal: this._journalId,
        notebookPath: this._options.context.path,
        recorder: {
          name: RECORDER_NAME,
          version: this._options.recorderVersion
        }
      };
      this._journal.append([header]);
      this._recorded.emit([header]);
      this._history.recorded([header]);
    }
    // Written in batches a few hundred milliseconds apart: a write per
    // execution made every trivial cell measurably slower (bench/browser).
    this._journal.append([event]);
    this._recorded.emit([event]);
    this._history.recorded([event]);
  }

  private _setState(): void {
    const state: RecordingState = !this._settings.enabled
      ? 'off'
      : !this._kernel
        ? 'no-kernel'
        : this._agentRecording
          ? 'agent'
          : this._sessionOpen
            ? 'frontend'
            : 'loading';
    if (state !== this._state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private readonly _options: INotebookProvenanceOptions;
  private readonly _journal: SidecarJournal;
  private readonly _recorder: Recorder;
  private readonly _loaded = new PromiseDelegate<void>();
  private readonly _live = new LiveAgentEvents();
  private readonly _timeline = new TimelineProjection();
  private readonly _lineageEvents = new LineageEvents();
  private readonly _history: JournalHistory;
  private readonly _recorded = new Signal<this, readonly JournalEvent[]>(this);
  private _usage:
    | {
        readonly kernel: Kernel.IKernelConnection;
        readonly poller: KernelUsagePoller<ExecutionId>;
      }
    | undefined;
  private _sessionId: SessionId | undefined;
  private _settings: IProvenanceSettings;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _journalId = UUID.uuid4() as JournalId;
  private _headerWritten = false;
  private _sessionOpen = false;
  /** The kernel-side agent answered and records this kernel. */
  private _agentRecording = false;
  private _starting = false;
  /** Identifies the current session start; bumped when a session ends. */
  private _beginToken = 0;
  private _held: IObservedMessage[] = [];
  private _cellOrderChanged = true;
  private _state: RecordingState = 'loading';
  private _isDisposed = false;
  private readonly _stateChanged = new Signal<this, RecordingState>(this);
}

/** The server's own `status: restarting` message, sent when it auto-restarts. */
function isServerAutoRestart(msg: KernelMessage.IMessage): boolean {
  return (
    msg.channel === 'iopub' &&
    msg.header.msg_type === 'status' &&
    (msg.content as KernelMessage.IStatusMsg['content']).execution_state ===
      'restarting'
  );
}

function nowIso(): IsoTime {
  return new Date().toISOString() as IsoTime;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
