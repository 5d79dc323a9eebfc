import type { Contents } from '@jupyterlab/services';
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
import { SidecarJournal } from '../sidecar-journal.js';
import { cachingLineageOptions } from './analysis-cache.js';

/** How long new events wait before the graph is rebuilt with them. */
export const REBUILD_DELAY_MS = 300;

/**
 * The lineage graph of one notebook, kept current: built from its journal
 * when it starts, rebuilt (debounced) after every batch of events recorded
 * since. Analyses are cached across rebuilds, so a rebuild folds the
 * journal and resolves names, but parses only sources it has not seen.
 *
 * Events recorded while the journal is read, and those the agent's stream
 * repeats from the file, arrive twice: the fold keeps the first of each
 * (an execution is requested, started, finished once), so they are not
 * sorted out here.
 */
export class NotebookLineage implements IDisposable {
  constructor(
    provenance: NotebookProvenance,
    contents: Contents.IManager,
    options: ILineageOptions
  ) {
    this._provenance = provenance;
    this._contents = contents;
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

  /** Reads the journal, builds the graph and follows new events. */
  async start(): Promise<void> {
    const provenance = this._provenance;
    provenance.recorded.connect(this._onRecorded, this);
    await provenance.flush();
    const journal = new SidecarJournal(
      this._contents,
      provenance.journalPath,
      () => undefined
    );
    const loaded = await journal.load();
    if (this._isDisposed) {
      return;
    }
    // What was recorded during the read goes after what was read.
    this._events = [...aboutLineage(loaded.events), ...this._events];
    this._rebuild();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._timer);
    this._provenance.recorded.disconnect(this._onRecorded, this);
    Signal.clearData(this);
  }

  private _onRecorded(_: unknown, events: readonly JournalEvent[]): void {
    const relevant = aboutLineage(events);
    if (relevant.length === 0) {
      return;
    }
    this._events.push(...relevant);
    if (
      this._timer === undefined &&
      this._graph !== undefined &&
      relevant.some(e => CHANGES_GRAPH.has(e.kind))
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
    this._graph = buildLineage(foldJournal(this._events), this._options);
    this._lastBuildMs = performance.now() - start;
    this._changed.emit(this._graph);
  }

  private readonly _provenance: NotebookProvenance;
  private readonly _contents: Contents.IManager;
  private readonly _options: ILineageOptions;
  private _events: JournalEvent[] = [];
  private _graph: ILineageGraph | undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _lastBuildMs = 0;
  private _isDisposed = false;
  private readonly _changed = new Signal<this, ILineageGraph>(this);
}

/** What the graph does not read is not kept. */
const IGNORED: ReadonlySet<JournalEvent['kind']> = new Set<
  JournalEvent['kind']
>([
  // Every second, and about resources only.
  'resource.sample',
  'kernel.usage',
  // One per output message: the graph reads executions, not outputs.
  'execution.output'
]);

/** Events after which the graph may differ (a start changes nothing it shows). */
const CHANGES_GRAPH: ReadonlySet<JournalEvent['kind']> = new Set<
  JournalEvent['kind']
>([
  'session.started',
  'execution.requested',
  'execution.finished',
  'execution.names'
]);

function aboutLineage(events: readonly JournalEvent[]): JournalEvent[] {
  return events.filter(e => !IGNORED.has(e.kind));
}
