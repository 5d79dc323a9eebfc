import { Signal, type ISignal } from '@lumino/signaling';
import type {
  IResourceSampleEvent,
  JournalEvent
} from '../core/journal/index.js';
import { readEventMessage } from '../core/protocol/index.js';

/**
 * What the kernel-side agent streams to this page (`nbprov_event` on
 * iopub): the events of the current agent, in order, for live views (the
 * status bar now, the timeline next). The journal file stays the record;
 * this is what has arrived since the page connected.
 */
export class LiveAgentEvents {
  /** Fires with each batch of events received. */
  get received(): ISignal<this, readonly JournalEvent[]> {
    return this._received;
  }

  get events(): readonly JournalEvent[] {
    return this._events;
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
      this._events = [];
      this._latestSample = undefined;
    }
    if (read.events.length === 0) {
      return;
    }
    this._events.push(...read.events);
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
    this._events = [];
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
  private _events: JournalEvent[] = [];
  private _latestSample: IResourceSampleEvent | undefined;
  private _rejected = 0;
  private readonly _received = new Signal<this, readonly JournalEvent[]>(this);
}
