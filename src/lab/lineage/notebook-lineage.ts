import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { JournalEvent } from '../../core/journal/index.js';
import {
  buildLineage,
  type ILineageGraph,
  type ILineageOptions
} from '../../core/lineage/index.js';
import { foldJournal } from '../../core/projection/journal-state.js';
import type { NotebookProvenance } from '../notebook-provenance.js';
import type { LineageEvents } from './lineage-events.js';
import { cachingLineageOptions } from './analysis-cache.js';

/** How long new events wait before the graph is rebuilt with them. */
export const REBUILD_DELAY_MS = 300;

/**
 * The lineage graph of one notebook, kept current: built from its journal
 * (the events NotebookProvenance has kept since the notebook opened: the
 * journal is not read again) when it starts, rebuilt (debounced) after
 * every batch of events since. Analyses are cached across rebuilds, so a
 * rebuild folds the journal and resolves names, but parses only sources it
 * has not seen.
 */
export class NotebookLineage implements IDisposable {
  constructor(provenance: NotebookProvenance, options: ILineageOptions) {
    this._source = provenance.lineageEvents;
    this._options = cachingLineageOptions(options);
  }

  /** The graph as last built; undefined until the journal is read. */
  get graph(): ILineageGraph | undefined {
    return this._graph;
  }

  /** Fires after every (re)build. */
  get changed(): ISignal<this, ILineageGraph> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Builds the graph once the journal is in and follows new events. */
  async start(): Promise<void> {
    await this._source.ready;
    if (this._isDisposed) {
      return;
    }
    this._source.added.connect(this._onAdded, this);
    this._rebuild();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._timer);
    this._source.added.disconnect(this._onAdded, this);
    Signal.clearData(this);
  }

  private _onAdded(_: unknown, events: readonly JournalEvent[]): void {
    if (
      this._timer === undefined &&
      this._graph !== undefined &&
      events.some(e => CHANGES_GRAPH.has(e.kind))
    ) {
      // A rebuild folds the whole journal (40-110 ms at 5,000 executions,
      // bench/lineage-marks.ts): a long journal waits longer, so rebuilds
      // never take more than a third of the page's time.
      this._timer = setTimeout(
        () => {
          this._timer = undefined;
          this._rebuild();
        },
        Math.max(REBUILD_DELAY_MS, 2 * this._lastBuildMs)
      );
    }
  }

  private _rebuild(): void {
    if (this._isDisposed) {
      return;
    }
    const start = performance.now();
    this._graph = buildLineage(foldJournal(this._source.events), this._options);
    this._lastBuildMs = performance.now() - start;
    this._changed.emit(this._graph);
  }

  private readonly _source: LineageEvents;
  private readonly _options: ILineageOptions;
  private _graph: ILineageGraph | undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _lastBuildMs = 0;
  private _isDisposed = false;
  private readonly _changed = new Signal<this, ILineageGraph>(this);
}

/** Events after which the graph may differ (a start changes nothing it shows). */
const CHANGES_GRAPH: ReadonlySet<JournalEvent['kind']> = new Set<
  JournalEvent['kind']
>([
  'session.started',
  'execution.requested',
  'execution.finished',
  'execution.names'
]);
