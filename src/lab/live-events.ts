import { Signal, type ISignal } from '@lumino/signaling';
import type {
  IResourceSampleEvent,
  JournalEvent
} from '../core/journal/index.js';
import { readEventMessage } from '../core/protocol/index.js';

/**
 * What the kernel-side agent streams to this page (`nbprov_event` on
 * iopub): the events of the current agent, in order, for live views (the
 * status bar; the timeline through NotebookProvenance's JournalHistory).
 * The journal file stays the record: the events are passed on, not kept
 * (a long training run streams a sample a second).
 */
export class LiveAgentEvents {
  /** Fires with each batch of events received. */
  get received(): ISignal<this, readonly JournalEvent[]> {
    return this._received;
  }

  /** The current agent's stream id; undefined before one and after `clear`. */
  get stream(): string | undefined {
    return this._stream;
  }

  /** Where the current agent writes its journal, on the kernel's host. */
  get journalPath(): string | undefined {
    return this._journalPath;
  }

  /** The newest resource sample, if any arrived. */
  get latestSample(): IResourceSampleEvent | undefined {
    return this._latestSample;
  }

  /** Messages and events left out as malformed so far. */
  get rejected(): number {
    return this._rejected;
  }

  /**
   * Takes one message's content. A malformed message or event is counted
   * and reported once, never thrown: it is input from the network.
   */
  receive(content: unknown): void {
    const read = readEventMessage(content);
    if (read === undefined) {
      this._reject(1);
      return;
    }
    if (read.rejected > 0) {
      this._reject(read.rejected);
    }
    if (read.stream !== this._stream) {
      // A new agent (the kernel restarted): a new stream.
      this._stream = read.stream;
      this._latestSample = undefined;
    }
    this._journalPath = read.journalPath;
    if (read.events.length === 0) {
      return;
    }
    for (const event of read.events) {
      if (event.kind === 'resource.sample') {
        this._latestSample = event;
      }
    }
    this._received.emit(read.events);
  }

  /** Forgets what arrived (the kernel went away). */
  clear(): void {
    this._stream = undefined;
    this._journalPath = undefined;
    this._latestSample = undefined;
    this._received.emit([]);
  }

  private _reject(count: number): void {
    if (this._rejected === 0) {
      console.warn(
        'jupyterlab-provenance: a live provenance message from the kernel-side ' +
          'agent was malformed and left out (the journal file is unaffected).'
      );
    }
    this._rejected += count;
  }

  private _stream: string | undefined;
  private _journalPath: string | undefined;
  private _latestSample: IResourceSampleEvent | undefined;
  private _rejected = 0;
  private readonly _received = new Signal<this, readonly JournalEvent[]>(this);
}
