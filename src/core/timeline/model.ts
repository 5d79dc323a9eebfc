/**
 * The timeline of a journal (issue 4): one bar per execution and lanes of
 * resource samples on the same time axis, kept up to date as live batches
 * of events arrive. Pure: no DOM, no vega; the view in `lab/` turns bars
 * and (downsampled, compressed) series into vega data.
 *
 * `append` costs O(batch): each event touches its own execution and
 * series, and each touched bar is rebuilt once per batch. The one
 * exception is a `notebook.context` whose cell order changed, which moves
 * every bar's cell-order key (O(bars), and rare: the user reordered cells).
 *
 * The rules follow `foldJournal`: events about an execution the journal
 * never requested are ignored, and so are repeats of a once-only event, so
 * a bar always agrees with the PROV export of the same journal.
 */

import type {
  CellId,
  ExecutionId,
  ExecutionStatus,
  IExecutionFinishedEvent,
  IExecutionRequestedEvent,
  IExecutionStartedEvent,
  JournalEvent,
  SessionId
} from '../journal/events.js';
import { executionInterval } from '../projection/journal-state.js';
import {
  ResourceAggregator,
  type IExecutionResources
} from '../resources/aggregate.js';
import {
  compressIdleTime,
  type ICompressionOptions,
  type ITimeCompression,
  type ITimeInterval
} from './compress.js';
import { GrowableSeries, type ISeries } from './series.js';

/** A bar's status: how the execution ended, or `running`. */
export type BarStatus = ExecutionStatus | 'running';

/** One execution on the timeline. Times are ms since the epoch. */
export interface ITimelineBar {
  readonly execution: ExecutionId;
  /** 1-based, in the order executions were requested: the execution-order y key. */
  readonly ordinal: number;
  /** The cell it ran from; absent for code not sent from a cell (a console). */
  readonly cellId?: CellId;
  /**
   * The notebook-order y key: the cell's position in the latest
   * `notebook.context`; cells not in it (and code without a cell) after all
   * of those, by first appearance. Sparse but sortable: see `rows`.
   */
  readonly rowKey: number;
  readonly executionCount?: number;
  /**
   * The first non-blank line of the code, raw text (cell code is untrusted:
   * the view escapes it); absent when the code was not recorded.
   */
  readonly firstLine?: string;
  readonly start: number;
  /** Absent while running: the view draws it up to "now". */
  readonly end?: number;
  readonly status: BarStatus;
  readonly session: SessionId;
  /** Which clock both ends come from (see `executionInterval`). */
  readonly clock: 'kernel' | 'recorder';
  /** CPU-seconds, peak memory, GPU-seconds, energy; absent without samples. */
  readonly resources?: IExecutionResources;
}

/** One row of the notebook-order y axis, in order. */
export interface ITimelineRow {
  /** Equals `rowKey` of the row's bars. */
  readonly key: number;
  /** Absent for the row of code sent without a cell. */
  readonly cellId?: CellId;
  /** Whether the latest `notebook.context` lists the cell. */
  readonly inNotebook: boolean;
}

export type LaneId = 'cpu' | 'memory' | 'gpuUtil' | 'gpuMemory' | 'gpuPower';

/** The lanes in the order they are drawn, top to bottom. */
export const LANE_IDS: readonly LaneId[] = [
  'cpu',
  'memory',
  'gpuUtil',
  'gpuMemory',
  'gpuPower'
];

export const LANE_UNITS: Readonly<
  Record<LaneId, 'percent' | 'bytes' | 'watts'>
> = {
  cpu: 'percent',
  memory: 'bytes',
  gpuUtil: 'percent',
  gpuMemory: 'bytes',
  gpuPower: 'watts'
};

/** One line in a lane. */
export interface ITimelineSeries extends ISeries {
  /** `kernel` (the kernel's process tree) or `gpu<index>`. */
  readonly key: string;
  /** nvidia-smi's index, for a GPU series. */
  readonly gpu?: number;
}

/**
 * A lane of samples. `cpu`: % of one core (the tree's, or the kernel's own
 * usage reply). `memory`: the tree's RSS, or the kernel's reported memory.
 * GPU lanes are whole-device figures, one series per GPU, as nvidia-smi
 * shows them (utilisation and power are only known per device, so memory
 * is too, to keep the three comparable).
 */
export interface ITimelineLane {
  readonly id: LaneId;
  readonly unit: 'percent' | 'bytes' | 'watts';
  readonly series: readonly ITimelineSeries[];
}

/** What one `append` changed, for a view that sends changesets. */
export interface ITimelineChange {
  /** Bars added or changed, as they are now (upsert by `execution`). */
  readonly bars: readonly ITimelineBar[];
  /** The notebook order changed: `bars` then holds every bar, `rows` is new. */
  readonly rowsChanged: boolean;
  /** Lanes that got points (new or not). */
  readonly lanes: readonly LaneId[];
  /** How many points were added over all lanes. */
  readonly points: number;
}

interface IExecutionRecord {
  readonly ordinal: number;
  readonly requested: IExecutionRequestedEvent;
  /** `firstLineOf` the source, once: a cell can be long. */
  readonly firstLine: string | undefined;
  started?: IExecutionStartedEvent;
  finished?: IExecutionFinishedEvent;
  /** When its session ended with it unfinished (ms). */
  orphaned?: number;
}

export class TimelineModel {
  constructor(events: readonly JournalEvent[] = []) {
    this.append(events);
  }

  /** Bars, in the order executions were requested. */
  get bars(): readonly ITimelineBar[] {
    return this._bars;
  }

  bar(execution: ExecutionId): ITimelineBar | undefined {
    const index = this._barIndex.get(execution);
    return index === undefined ? undefined : this._bars[index];
  }

  /** The bars still running (no end): the ones a live view grows each tick. */
  running(): ITimelineBar[] {
    return [...this._running].map(execution => this.bar(execution)!);
  }

  /** The rows of the notebook order that have bars, sorted by key. */
  rows(): ITimelineRow[] {
    return [...this._rowKeys]
      .map(([cellId, key]) => ({
        key,
        ...(cellId === undefined ? {} : { cellId }),
        inNotebook: cellId !== undefined && this._cellOrder.has(cellId)
      }))
      .sort((a, b) => a.key - b.key);
  }

  /** Lanes that have points, in `LANE_IDS` order; GPU series by index. */
  lanes(): ITimelineLane[] {
    const out: ITimelineLane[] = [];
    for (const id of LANE_IDS) {
      const lane = this._lanes.get(id);
      if (lane !== undefined) {
        out.push(this._lane(id, lane));
      }
    }
    return out;
  }

  lane(id: LaneId): ITimelineLane | undefined {
    const lane = this._lanes.get(id);
    return lane === undefined ? undefined : this._lane(id, lane);
  }

  /**
   * The earliest and latest time of any bar or sample, or undefined when
   * there is none; running bars reach `now` when it is given.
   */
  extent(now?: number): [number, number] | undefined {
    // Computed, not kept: a bar's start moves when the kernel clock
    // replaces the recorder's, so a running min would drift. O(bars).
    let min = Infinity;
    let max = -Infinity;
    for (const bar of this._bars) {
      min = Math.min(min, bar.start);
      const end =
        bar.end ?? (now === undefined ? bar.start : Math.max(bar.start, now));
      max = Math.max(max, end);
    }
    for (const byKey of this._lanes.values()) {
      for (const series of byKey.values()) {
        const times = series.times;
        min = Math.min(min, times[0]);
        max = Math.max(max, times[times.length - 1]);
      }
    }
    return min > max ? undefined : [min, max];
  }

  /** Each bar as an interval, running ones ending at `now`. O(bars). */
  busyIntervals(now: number): ITimeInterval[] {
    return this._bars.map(bar => ({
      start: bar.start,
      end: bar.end ?? Math.max(bar.start, now)
    }));
  }

  /** The idle-time compression of this timeline at `now` (see `compress.ts`). */
  compression(
    now: number,
    options: Omit<ICompressionOptions, 'domain'> = {}
  ): ITimeCompression {
    const domain = this.extent(now);
    return compressIdleTime(this.busyIntervals(now), {
      ...options,
      ...(domain === undefined ? {} : { domain })
    });
  }

  /** Folds a batch of new events (in journal order) into the timeline. */
  append(events: readonly JournalEvent[]): ITimelineChange {
    const touched = new Set<ExecutionId>();
    const lanes = new Set<LaneId>();
    let points = 0;
    let rowsChanged = false;
    for (const event of events) {
      const figures = this._resources.add(event);
      if (figures !== undefined && this._executions.has(figures)) {
        touched.add(figures);
      }
      switch (event.kind) {
        case 'notebook.context':
          rowsChanged = this._setCellOrder(event.cellOrder) || rowsChanged;
          break;
        case 'execution.requested':
          if (!this._executions.has(event.execution)) {
            this._executions.set(event.execution, {
              ordinal: this._executions.size + 1,
              requested: event,
              firstLine:
                event.source === undefined
                  ? undefined
                  : firstLineOf(event.source)
            });
            this._addRow(event.cellId);
            let running = this._unfinished.get(event.session);
            if (running === undefined) {
              running = new Set();
              this._unfinished.set(event.session, running);
            }
            running.add(event.execution);
            touched.add(event.execution);
          }
          break;
        case 'execution.started': {
          const record = this._executions.get(event.execution);
          if (record !== undefined && record.started === undefined) {
            record.started = event;
            touched.add(event.execution);
          }
          break;
        }
        case 'execution.finished': {
          const record = this._executions.get(event.execution);
          if (record !== undefined && record.finished === undefined) {
            record.finished = event;
            this._unfinished
              .get(record.requested.session)
              ?.delete(event.execution);
            touched.add(event.execution);
          }
          break;
        }
        case 'session.ended': {
          // Its unfinished executions end with it: the kernel is gone.
          const running = this._unfinished.get(event.session);
          if (running !== undefined && running.size > 0) {
            const at = Date.parse(event.t);
            for (const execution of running) {
              this._executions.get(execution)!.orphaned = at;
              touched.add(execution);
            }
            running.clear();
          }
          break;
        }
        case 'resource.sample': {
          const t = Date.parse(event.t);
          points += this._push('cpu', 'kernel', t, event.cpuPercent, lanes);
          points += this._push('memory', 'kernel', t, event.rssBytes, lanes);
          for (const gpu of event.gpus ?? []) {
            const key = `gpu${gpu.index}`;
            points +=
              this._push('gpuUtil', key, t, gpu.utilizationPercent, lanes) +
              this._push('gpuMemory', key, t, gpu.memoryUsedBytes, lanes) +
              this._push('gpuPower', key, t, gpu.powerWatts, lanes);
          }
          break;
        }
        case 'kernel.usage': {
          const t = Date.parse(event.t);
          points +=
            this._push('cpu', 'kernel', t, event.cpuPercent, lanes) +
            this._push('memory', 'kernel', t, event.memoryBytes, lanes);
          break;
        }
        default:
          break;
      }
    }
    const bars: ITimelineBar[] = [];
    if (rowsChanged) {
      for (const execution of this._executions.keys()) {
        this._rebuild(execution, bars);
      }
    } else {
      for (const execution of touched) {
        this._rebuild(execution, bars);
      }
    }
    return { bars, rowsChanged, lanes: [...lanes], points };
  }

  /** Rebuilds one bar from its record; appends it to `out` when placed. */
  private _rebuild(execution: ExecutionId, out: ITimelineBar[]): void {
    const record = this._executions.get(execution)!;
    const interval = executionInterval(record);
    if (interval.start === undefined) {
      // A start time that is no time: nothing to place (the codec refuses these).
      return;
    }
    const start = Date.parse(interval.start);
    let end = interval.end === undefined ? undefined : Date.parse(interval.end);
    let status: BarStatus = record.finished?.status ?? 'running';
    if (end === undefined && record.orphaned !== undefined) {
      end = Math.max(start, record.orphaned);
      status = 'died';
    }
    const { requested, started, finished, firstLine } = record;
    const executionCount = finished?.executionCount ?? started?.executionCount;
    const resources = this._resources.figures(execution);
    const bar: ITimelineBar = {
      execution,
      ordinal: record.ordinal,
      ...(requested.cellId === undefined ? {} : { cellId: requested.cellId }),
      rowKey: this._rowKeys.get(requested.cellId)!,
      ...(executionCount === undefined ? {} : { executionCount }),
      ...(firstLine === undefined ? {} : { firstLine }),
      start,
      ...(end === undefined ? {} : { end }),
      status,
      session: requested.session,
      clock: interval.clock,
      ...(resources === undefined ? {} : { resources })
    };
    const index = this._barIndex.get(execution);
    if (index === undefined) {
      this._barIndex.set(execution, this._bars.length);
      this._bars.push(bar);
    } else {
      this._bars[index] = bar;
    }
    if (end === undefined) {
      this._running.add(execution);
    } else {
      this._running.delete(execution);
    }
    out.push(bar);
  }

  /** A cell's row on first appearance: its notebook position, else last. */
  private _addRow(cellId: CellId | undefined): void {
    if (this._rowKeys.has(cellId)) {
      return;
    }
    const position =
      cellId === undefined ? undefined : this._cellOrder.get(cellId);
    if (position !== undefined) {
      this._rowKeys.set(cellId, position);
    } else {
      this._rowKeys.set(cellId, this._cellOrder.size + this._outsiders);
      this._outsiders += 1;
    }
  }

  /** Takes a new cell order; true when any row's key moved. */
  private _setCellOrder(cellOrder: readonly CellId[]): boolean {
    const order = new Map<CellId, number>();
    for (const cellId of cellOrder) {
      if (!order.has(cellId)) {
        order.set(cellId, order.size);
      }
    }
    this._cellOrder = order;
    // Re-key every row, outsiders in their order of first appearance
    // (a Map iterates in insertion order, which is first appearance).
    this._outsiders = 0;
    let moved = false;
    for (const [cellId, key] of this._rowKeys) {
      const position = cellId === undefined ? undefined : order.get(cellId);
      const next =
        position !== undefined ? position : order.size + this._outsiders++;
      if (next !== key) {
        this._rowKeys.set(cellId, next);
        moved = true;
      }
    }
    return moved;
  }

  private _push(
    lane: LaneId,
    key: string,
    t: number,
    value: number | undefined,
    lanes: Set<LaneId>
  ): number {
    if (value === undefined || !Number.isFinite(value) || !Number.isFinite(t)) {
      return 0;
    }
    let byKey = this._lanes.get(lane);
    if (byKey === undefined) {
      byKey = new Map();
      this._lanes.set(lane, byKey);
    }
    let series = byKey.get(key);
    if (series === undefined) {
      series = new GrowableSeries();
      byKey.set(key, series);
    }
    series.push(t, value);
    lanes.add(lane);
    return 1;
  }

  private _lane(id: LaneId, byKey: Map<string, GrowableSeries>): ITimelineLane {
    const series = [...byKey]
      .map(([key, s]): ITimelineSeries => {
        const gpu = key.startsWith('gpu') ? Number(key.slice(3)) : undefined;
        return {
          key,
          ...(gpu === undefined ? {} : { gpu }),
          times: s.times,
          values: s.values
        };
      })
      .sort((a, b) => (a.gpu ?? -1) - (b.gpu ?? -1));
    return { id, unit: LANE_UNITS[id], series };
  }

  private readonly _resources = new ResourceAggregator();
  private readonly _executions = new Map<ExecutionId, IExecutionRecord>();
  /** Per session, its executions not yet finished. */
  private readonly _unfinished = new Map<SessionId, Set<ExecutionId>>();
  private readonly _bars: ITimelineBar[] = [];
  private readonly _barIndex = new Map<ExecutionId, number>();
  private readonly _running = new Set<ExecutionId>();
  /** Cell id → position in the latest notebook.context. */
  private _cellOrder = new Map<CellId, number>();
  /** Row (cell id, or undefined for code without a cell) → its key; first-appearance order. */
  private readonly _rowKeys = new Map<CellId | undefined, number>();
  private _outsiders = 0;
  private readonly _lanes = new Map<LaneId, Map<string, GrowableSeries>>();
}

/** Longer first lines are cut here (a minified blob must not fill a tooltip). */
export const FIRST_LINE_MAX_CHARS = 200;

/**
 * The first line with something on it, without its line break, cut to
 * `FIRST_LINE_MAX_CHARS` with an ellipsis; '' for blank code.
 */
export function firstLineOf(source: string): string {
  const line = /^[ \t]*\S[^\r\n]*/m.exec(source)?.[0] ?? '';
  return line.length > FIRST_LINE_MAX_CHARS
    ? `${line.slice(0, FIRST_LINE_MAX_CHARS - 1)}…`
    : line;
}
