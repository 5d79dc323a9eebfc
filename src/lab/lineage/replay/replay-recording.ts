import type { Contents, Kernel, KernelMessage } from '@jupyterlab/services';
import { UUID } from '@lumino/coreutils';
import {
  JOURNAL_FORMAT_VERSION,
  journalPathFor,
  type IReplayFinishedEvent,
  type IsoTime,
  type JournalEvent,
  type JournalId,
  type SessionId
} from '../../../core/journal/index.js';
import {
  foldJournal,
  type IJournalState
} from '../../../core/projection/journal-state.js';
import {
  kernelOfInfo,
  Recorder,
  type IRecordingOptions
} from '../../../core/recorder/index.js';
import { RECORDER_NAME } from '../../../core/version.js';
import { helloAgent } from '../../agent-handshake.js';
import { SidecarJournal } from '../../sidecar-journal.js';

export interface IReplayRecordingOptions {
  readonly contents: Contents.IManager;
  /** The replay's session path (`<stem>.replay.ipynb`); its journal is named after it. */
  readonly replayPath: string;
  readonly recording: IRecordingOptions;
  /** False when the user turned recording off: nothing is written. */
  readonly enabled: boolean;
  readonly recorderVersion: string;
  readonly user?: string;
}

/**
 * The provenance of one replay, in `<stem>.replay.provenance.jsonl`.
 *
 * A kernel wrapped by the agent journals the replay there by itself (the
 * agent names its journal after the session's name). Any other kernel is
 * recorded here, with the same core Recorder, and written through the
 * contents API. Either way the page also keeps its own recording of the
 * replay in memory (not written when the agent writes), which is what the
 * comparison reads: it does not wait on the agent's file. Once the kernel is
 * shut down, `finish` appends `replay.finished` to the journal.
 */
export class ReplayRecording {
  constructor(options: IReplayRecordingOptions) {
    this._options = options;
    this._journal = new SidecarJournal(
      options.contents,
      journalPathFor(options.replayPath),
      error => {
        this._writeError = error;
      }
    );
    this._recorder = new Recorder({
      tap: 'frontend',
      options: options.recording,
      emit: event => {
        this._events.push(event);
        if (this._writing) {
          this._journal.append([event]);
        }
      },
      onError: error => console.error('jupyterlab-provenance: replay', error)
    });
  }

  /** Where the replay is journaled, relative to the server root. */
  get journalPath(): string {
    return this._journal.path;
  }

  /** Whether the kernel-side agent records the replay. */
  get byAgent(): boolean {
    return this._byAgent;
  }

  /**
   * Starts recording `kernel` (ready, nothing sent yet): asks for an agent,
   * and without one opens the journal and a session of the page's own.
   */
  async start(
    kernel: Kernel.IKernelConnection,
    info: KernelMessage.IInfoReply | undefined
  ): Promise<void> {
    this._kernel = kernel;
    kernel.anyMessage.connect(this._onMessage, this);
    const agent = await helloAgent(kernel, this._options.replayPath);
    this._byAgent = agent?.recording === true;
    if (this._byAgent) {
      this._agentJournal = agent?.journalPath;
    } else if (this._options.enabled) {
      const loaded = await this._journal.load();
      const created = loaded.events.find(e => e.kind === 'journal.created');
      if (!created) {
        this._journal.append([
          {
            v: JOURNAL_FORMAT_VERSION,
            t: new Date().toISOString() as IsoTime,
            kind: 'journal.created',
            journal: UUID.uuid4() as JournalId,
            notebookPath: this._options.replayPath,
            recorder: {
              name: RECORDER_NAME,
              version: this._options.recorderVersion
            }
          }
        ]);
      }
      this._writing = true;
    }
    this._session = UUID.uuid4() as SessionId;
    this._recorder.startSession({
      session: this._session,
      kernel: kernelOfInfo(kernel.id, kernel.name, info),
      ...(this._options.user !== undefined ? { user: this._options.user } : {})
    });
  }

  /** The page's recording of the replay so far. */
  state(): IJournalState {
    return foldJournal(this._events);
  }

  /** The kernel is gone: the session ends (executions still open end with it). */
  stop(): void {
    this._kernel?.anyMessage.disconnect(this._onMessage, this);
    this._recorder.endSession('shutdown');
  }

  /**
   * Appends `replay.finished`, naming the replay's session as the journal
   * knows it (the agent's own, with the agent). Resolves a problem to tell
   * the user, or undefined when it is written.
   */
  async finish(
    event: (session: SessionId) => IReplayFinishedEvent
  ): Promise<string | undefined> {
    if (!this._byAgent) {
      if (!this._writing) {
        return 'Provenance recording is off: this replay was not recorded.';
      }
      this._journal.append([event(this._session as SessionId)]);
      return (await this._journal.flush())
        ? undefined
        : `The replay's journal ${this._journal.path} could not be saved ` +
            `(${String(this._writeError)}).`;
    }
    // The agent wrote the journal and has exited with the kernel.
    const expected = this._journal.path.split('/').pop();
    if (this._agentJournal?.split(/[\\/]/).pop() !== expected) {
      return (
        `The kernel-side agent journaled this replay at ${this._agentJournal ?? 'an unknown place'}, ` +
        `not beside the notebook, so it is not linked to what it replayed.`
      );
    }
    const loaded = await this._journal.load();
    const kernelId = this._kernel?.id;
    const started = loaded.events.filter(
      e => e.kind === 'session.started' && e.kernel.id === kernelId
    );
    const last = started[started.length - 1];
    if (last?.kind !== 'session.started') {
      return `The agent's journal ${this._journal.path} has no session of the replay's kernel.`;
    }
    this._journal.append([event(last.session)]);
    return (await this._journal.flush())
      ? undefined
      : `The replay's journal ${this._journal.path} could not be saved ` +
          `(${String(this._writeError)}).`;
  }

  private _onMessage(
    _: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    this._recorder.handle({ direction: args.direction, msg: args.msg });
  }

  private readonly _options: IReplayRecordingOptions;
  private readonly _journal: SidecarJournal;
  private readonly _recorder: Recorder;
  private readonly _events: JournalEvent[] = [];
  private _kernel: Kernel.IKernelConnection | undefined;
  private _session: SessionId | undefined;
  private _byAgent = false;
  private _agentJournal: string | undefined;
  private _writing = false;
  private _writeError: unknown;
}
