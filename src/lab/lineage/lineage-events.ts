import { PromiseDelegate } from '@lumino/coreutils';
import { Signal, type ISignal } from '@lumino/signaling';
import type { JournalEvent } from '../../core/journal/index.js';

/** What the lineage graph does not read is not kept. */
const IGNORED: ReadonlySet<JournalEvent['kind']> = new Set<
  JournalEvent['kind']
>([
  // Every second, and about resources only.
  'resource.sample',
  'kernel.usage',
  // One per output message: the graph reads executions, not outputs.
  'execution.output'
]);

/**
 * The events of one notebook's journal that its lineage graph reads, kept
 * from the moment the notebook opens: fed the journal read then and every
 * event since, each once (NotebookProvenance's JournalHistory), so the
 * lineage marks read nothing again (a 40 MB journal used to be read a
 * second time for them). Samples and outputs, the bulk of a journal, are
 * left out.
 */
export class LineageEvents {
  /** Resolves once the journal read at the start is in. */
  get ready(): Promise<void> {
    return this._ready.promise;
  }

  /** Every kept event so far, in journal order. */
  get events(): readonly JournalEvent[] {
    return this._events;
  }

  /** Fires with the kept events of each new batch. */
  get added(): ISignal<this, readonly JournalEvent[]> {
    return this._added;
  }

  append(events: readonly JournalEvent[]): void {
    const kept = events.filter(event => !IGNORED.has(event.kind));
    if (kept.length === 0) {
      return;
    }
    // One by one: spread as arguments, a long journal's events overflow
    // the call stack.
    for (const event of kept) {
      this._events.push(event);
    }
    this._added.emit(kept);
  }

  /** The journal read at the start is in (whether or not there was one). */
  markReady(): void {
    this._ready.resolve();
  }

  private readonly _events: JournalEvent[] = [];
  private readonly _ready = new PromiseDelegate<void>();
  private readonly _added = new Signal<this, readonly JournalEvent[]>(this);
}
