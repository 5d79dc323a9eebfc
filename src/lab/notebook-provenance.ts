import type { ISessionContext } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import {
  JOURNAL_FORMAT_VERSION,
  type CellId,
  type IsoTime,
  type JournalEvent,
  type JournalId,
  type SessionEndReason,
  type SessionId
} from '../core/journal/index.js';
import { Recorder } from '../core/recorder/index.js';
import { helloAgent } from './agent-handshake.js';
import type { IProvenanceSettings } from './settings.js';
import type { ILoadedJournal, SidecarJournal } from './sidecar-journal.js';

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
  readonly panel: NotebookPanel;
  readonly journal: SidecarJournal;
  readonly settings: IProvenanceSettings;
  readonly recorderVersion: string;
  /** The person the kernel works for (JupyterHub user name where known). */
  readonly user?: string;
  /** Called once the journal is read, with what was found (damage included). */
  readonly onLoaded: (loaded: ILoadedJournal) => void;
  /** A recorder failure: reported, never thrown into the notebook. */
  readonly onError: (error: unknown) => void;
}

/**
 * Connects one open notebook to the core Recorder and its sidecar journal.
 *
 * This is the frontend tap of DESIGN.md: every message on the notebook's
 * kernel connection (`anyMessage`, both directions) goes through the same
 * Recorder the kernel-side agent uses, and what it emits is appended to the
 * notebook's journal. Kernel changes and restarts close one kernel session
 * and open the next, so one journal spans the notebook's whole history.
 */
export class NotebookProvenance implements IDisposable {
  constructor(options: INotebookProvenanceOptions) {
    this._options = options;
    this._settings = options.settings;
    this._journal = options.journal;
    this._recorder = new Recorder({
      tap: 'frontend',
      options: options.settings,
      emit: event => this._write(event),
      onError: options.onError
    });
  }

  /** Reads the existing journal, then follows the notebook's kernel. */
  async start(): Promise<void> {
    const loaded = await this._journal.load();
    const created = loaded.events.find(e => e.kind === 'journal.created');
    if (created?.kind === 'journal.created') {
      this._journalId = created.journal;
      this._headerWritten = true;
    }
    this._options.onLoaded(loaded);
    if (this.isDisposed) {
      return;
    }
    const context = this._options.panel.sessionContext;
    context.kernelChanged.connect(this._onKernelChanged, this);
    this._attach(context.session?.kernel ?? null);
    this._setState();
  }

  get stateChanged(): ISignal<this, RecordingState> {
    return this._stateChanged;
  }

  get state(): RecordingState {
    return this._state;
  }

  get journalPath(): string {
    return this._journal.path;
  }

  /** Writes every recorded event to disk (before an export, for instance). */
  flush(): Promise<void> {
    return this._journal.flush();
  }

  /** Applies changed settings; turning recording off stops at once. */
  updateSettings(settings: IProvenanceSettings): void {
    const wasEnabled = this._settings.enabled;
    this._settings = settings;
    this._recorder.setOptions(settings);
    if (wasEnabled !== settings.enabled && this._headerWritten) {
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
    if (!settings.enabled && this._sessionOpen) {
      this._recorder.endSession('unknown');
      this._sessionOpen = false;
    }
    if (settings.enabled && !wasEnabled && this._kernel) {
      void this._beginSession(this._kernel);
    }
    this._setState();
  }

  /** Called when the notebook schedules a cell: keeps the cell order known. */
  noteCellScheduled(): void {
    if (!this._settings.enabled) {
      return;
    }
    const model = this._options.panel.content.model;
    if (!model) {
      return;
    }
    const order: CellId[] = [];
    for (let i = 0; i < model.cells.length; i++) {
      order.push(model.cells.get(i).id as CellId);
    }
    const key = order.join('\n');
    if (key === this._lastCellOrder) {
      return;
    }
    this._lastCellOrder = key;
    this._write({
      v: JOURNAL_FORMAT_VERSION,
      t: nowIso(),
      kind: 'notebook.context',
      notebookPath: this._options.panel.context.path,
      format: `${model.nbformat}.${model.nbformatMinor}`,
      cellOrder: order
    });
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._detach();
    this._options.panel.sessionContext.kernelChanged.disconnect(
      this._onKernelChanged,
      this
    );
    void this._journal.flush();
    Signal.clearData(this);
  }

  private _onKernelChanged(
    _: ISessionContext,
    change: { newValue: Kernel.IKernelConnection | null }
  ): void {
    this._attach(change.newValue);
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
   * Opens a kernel session once the kernel has said what it is. Messages
   * that arrive meanwhile are held and replayed in order, so an execution
   * queued while the kernel connects is not lost.
   */
  private async _beginSession(kernel: Kernel.IKernelConnection): Promise<void> {
    if (this._starting || this._sessionOpen) {
      return;
    }
    this._starting = true;
    this._held = [];
    const generation = this._generation;
    const info = await withTimeout(kernel.info, KERNEL_INFO_TIMEOUT_MS).catch(
      () => undefined
    );
    const agent = await helloAgent(kernel, this._options.panel.context.path);
    this._starting = false;
    if (
      generation !== this._generation ||
      kernel.id !== this._kernel?.id ||
      !this._settings.enabled
    ) {
      // The kernel died, restarted or changed while we waited.
      this._held = [];
      return;
    }
    if (agent?.recording) {
      // The agent is the journal's single writer; what was held is in it.
      this._agentRecording = true;
      this._held = [];
      this._setState();
      return;
    }
    const language = info?.language_info;
    this._recorder.startSession({
      session: UUID.uuid4() as SessionId,
      kernel: {
        id: kernel.id,
        name: kernel.name,
        language: language?.name,
        languageVersion: language?.version,
        implementation: info?.implementation,
        implementationVersion: info?.implementation_version
      },
      user: this._options.user
    });
    this._sessionOpen = true;
    this._setState();
    const held = this._held;
    this._held = [];
    for (const observed of held) {
      this._recorder.handle(observed);
    }
  }

  private _endSession(reason: SessionEndReason): void {
    this._generation += 1;
    this._held = [];
    // A restarted kernel is a new agent process: ask again.
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
    const observed = {
      direction: args.direction,
      msg: args.msg as KernelMessage.IMessage
    };
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
      this._journal.append([
        {
          v: JOURNAL_FORMAT_VERSION,
          t: event.t,
          kind: 'journal.created',
          journal: this._journalId,
          notebookPath: this._options.panel.context.path,
          recorder: {
            name: 'jupyterlab-provenance',
            version: this._options.recorderVersion
          }
        }
      ]);
    }
    // Written in batches a few hundred milliseconds apart: a write per
    // execution made every trivial cell measurably slower (bench/browser).
    this._journal.append([event]);
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
  private _settings: IProvenanceSettings;
  private _kernel: Kernel.IKernelConnection | null = null;
  private _journalId = UUID.uuid4() as JournalId;
  private _headerWritten = false;
  private _sessionOpen = false;
  /** The kernel-side agent answered and records this kernel. */
  private _agentRecording = false;
  private _starting = false;
  /** Bumped when a session ends, so a start begun before it is dropped. */
  private _generation = 0;
  private _held: Array<{
    direction: 'send' | 'recv';
    msg: KernelMessage.IMessage;
  }> = [];
  private _lastCellOrder = '';
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
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no reply within ${ms} ms`)),
      ms
    );
    promise.then(
      value => {
        clearTimeout(timer);
        resolve(value);
      },
      error => {
        clearTimeout(timer);
        reject(error);
      }
    );
  });
}
