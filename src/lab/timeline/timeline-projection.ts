import { PromiseDelegate } from '@lumino/coreutils';
import { Signal, type ISignal } from '@lumino/signaling';
import type {
  ExecutionId,
  IExecutionOutputEvent,
  JournalEvent
} from '../../core/journal/index.js';
import { TimelineModel } from '../../core/timeline/index.js';

/** What one batch of events changed on the timeline. */
export interface ITimelineProjectionChange {
  /** Executions whose bars are new or different. */
  readonly executions: readonly ExecutionId[];
  /** The notebook order changed: every bar's row may have moved. */
  readonly rowsChanged: boolean;
  /** Samples arrived. */
  readonly samples: boolean;
}

/** A details view lists this many outputs of one execution, then a count. */
export const MAX_OUTPUTS_KEPT = 100;

/**
 * One notebook's timeline as data, kept from the moment the notebook opens:
 * fed the journal read then and every event recorded since (NotebookProvenance
 * and its JournalHistory), so opening the timeline reads nothing again. It
 * keeps the model (bars; samples in typed arrays) and what the details view
 * shows beyond it (the code as it ran, the first outputs); never the events.
 * Each open timeline view adapts it (timeline-data.ts).
 */
export class TimelineProjection {
  /** Fires after each batch, with what it changed. */
  get changed(): ISignal<this, ITimelineProjectionChange> {
    return this._changed;
  }

  /** Resolves once the journal read at the start is in. */
  get ready(): Promise<void> {
    return this._ready.promise;
  }

  /** The journal read at the start is in (whether or not there was one). */
  markReady(): void {
    this._ready.resolve();
  }

  get model(): TimelineModel {
    return this._model;
  }

  append(events: readonly JournalEvent[]): void {
    const change = this._model.append(events);
    for (const event of events) {
      if (event.kind === 'execution.requested') {
        if (event.source !== undefined) {
          this._sources.set(event.execution, event.source);
        }
      } else if (event.kind === 'execution.output') {
        let outputs = this._outputs.get(event.execution);
        if (!outputs) {
          outputs = { kept: [], total: 0 };
          this._outputs.set(event.execution, outputs);
        }
        // A loop printing a line at a time makes an output event a line:
        // the details list the first ones and count the rest.
        outputs.total += 1;
        if (outputs.kept.length < MAX_OUTPUTS_KEPT) {
          outputs.kept.push(event);
        }
      }
    }
    this._changed.emit({
      executions: change.bars.map(bar => bar.execution),
      rowsChanged: change.rowsChanged,
      samples: change.points > 0
    });
  }

  /** The code an execution ran, when it was recorded. */
  source(execution: string): string | undefined {
    return this._sources.get(execution as ExecutionId);
  }

  /** An execution's first outputs (at most `MAX_OUTPUTS_KEPT`) and how many it had. */
  outputs(execution: string): {
    readonly kept: readonly IExecutionOutputEvent[];
    readonly total: number;
  } {
    return (
      this._outputs.get(execution as ExecutionId) ?? { kept: [], total: 0 }
    );
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private readonly _model = new TimelineModel();
  private readonly _sources = new Map<ExecutionId, string>();
  private readonly _outputs = new Map<
    ExecutionId,
    { kept: IExecutionOutputEvent[]; total: number }
  >();
  private readonly _ready = new PromiseDelegate<void>();
  private readonly _changed = new Signal<this, ITimelineProjectionChange>(this);
}
