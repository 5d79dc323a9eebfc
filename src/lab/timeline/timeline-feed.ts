import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import { encodeEvent, type JournalEvent } from '../../core/journal/index.js';
import type { NotebookProvenance } from '../notebook-provenance.js';

/**
 * The events of one notebook for a live view: what its journal holds when
 * the view opens, then every event recorded after (the page's own or the
 * agent's stream). Events recorded while the journal is read arrive both
 * ways; they are passed on once.
 */
export class TimelineFeed implements IDisposable {
  constructor(provenance: NotebookProvenance) {
    this._provenance = provenance;
  }

  /** Fires with events recorded after `start` resolved. */
  get appended(): ISignal<this, readonly JournalEvent[]> {
    return this._appended;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Reads the journal and starts following; resolves the events so far. */
  async start(): Promise<readonly JournalEvent[]> {
    this._provenance.recorded.connect(this._onRecorded, this);
    const loaded = await this._provenance.readJournal();
    const early = this._early ?? [];
    this._early = undefined;
    if (early.length === 0) {
      return loaded.events;
    }
    // Only lines recorded since the earliest early event can be in both:
    // the rest of a long journal is not encoded again.
    const since = early.reduce((t, e) => (e.t < t ? e.t : t), early[0].t);
    const seen = new Set(
      loaded.events.filter(e => e.t >= since).map(e => encodeEvent(e))
    );
    return [
      ...loaded.events,
      ...early.filter(event => !seen.has(encodeEvent(event)))
    ];
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._provenance.recorded.disconnect(this._onRecorded, this);
    Signal.clearData(this);
  }

  private _onRecorded(_: unknown, events: readonly JournalEvent[]): void {
    if (this._early !== undefined) {
      this._early.push(...events);
    } else {
      this._appended.emit(events);
    }
  }

  private readonly _provenance: NotebookProvenance;
  /** Events recorded while the journal is read; undefined once read. */
  private _early: JournalEvent[] | undefined = [];
  private _isDisposed = false;
  private readonly _appended = new Signal<this, readonly JournalEvent[]>(this);
}
