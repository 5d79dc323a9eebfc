import { Signal, type ISignal } from '@lumino/signaling';
import {
  compressedAxisTicks,
  downsample,
  type ITimeCompression,
  type ITimelineBar,
  type TimelineModel
} from '../../core/timeline/index.js';
import type {
  ExecutionId,
  IExecutionOutputEvent
} from '../../core/journal/index.js';
import { formatBytes } from '../../core/format.js';
import { peakMemoryBytes } from '../../core/resources/index.js';
import type {
  IBarDatum,
  ICutDatum,
  ILaneShape,
  ILanePoint,
  IOverviewTick
} from './spec.js';
import type { LaneId } from '../../core/timeline/index.js';
import type {
  IBarsOptions,
  IExecutionDetails,
  ITimelineSource
} from './timeline-view.js';
import type {
  ITimelineProjectionChange,
  TimelineProjection
} from './timeline-projection.js';

/** Idle gaps longer than this are cut when idle time is compressed. */
export const IDLE_THRESHOLD_MS = 10 * 60_000;

/** y labels are cut here: the axis has a fixed width. */
const LABEL_CHARS = 32;

/**
 * A notebook's timeline (timeline-projection.ts) in the shapes one chart
 * draws: bars with their tooltip texts, lanes downsampled to the chart's
 * pixel columns, and what changed since that chart last took its bars.
 */
export class TimelineData implements ITimelineSource {
  /**
   * @param downsampling - false draws every raw point: only for
   *   bench/browser/timeline.spec.ts, to measure what downsampling saves.
   */
  constructor(
    projection: TimelineProjection,
    private readonly _downsampling = true
  ) {
    this._projection = projection;
    this._model = projection.model;
    projection.changed.connect(this._onChanged, this);
  }

  get ready(): Promise<void> {
    return this._projection.ready;
  }

  get changed(): ISignal<this, void> {
    return this._changedSignal;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._projection.changed.disconnect(this._onChanged, this);
    Signal.clearData(this);
  }

  private _onChanged(_: unknown, change: ITimelineProjectionChange): void {
    for (const execution of change.executions) {
      this._changed.add(execution);
    }
    this._rowsChanged ||= change.rowsChanged;
    if (change.rowsChanged) {
      this._rowLabels = undefined;
    }
    this._samplesChanged ||= change.samples;
    this._changedSignal.emit();
  }

  /**
   * Fixes the time axis for the next drawing: real time, or with idle gaps
   * longer than `IDLE_THRESHOLD_MS` cut down (`compress`).
   */
  prepare(now: number, compress: boolean): void {
    this._compression = compress
      ? this._model.compression(now, { thresholdMs: IDLE_THRESHOLD_MS })
      : undefined;
  }

  /** A position on the axis as wall-clock ms. */
  toReal(t: number): number {
    return this._compression ? this._compression.toReal(t) : t;
  }

  axisTicks(range: readonly [number, number], width: number): number[] | null {
    return this._compression
      ? compressedAxisTicks(this._compression, range, width)
      : null;
  }

  inCut(t: number): boolean {
    return (this._compression?.cuts ?? []).some(
      cut => t > cut.compressedStart && t < cut.compressedEnd
    );
  }

  cuts(): ICutDatum[] {
    return (this._compression?.cuts ?? []).map(cut => ({
      start: cut.compressedStart,
      end: cut.compressedEnd,
      label: `${duration(cut.realEnd - cut.realStart)} idle`
    }));
  }

  private _axis(t: number): number {
    return this._compression ? this._compression.toCompressed(t) : t;
  }

  details(execution: string): IExecutionDetails | undefined {
    const bar = this._model.bar(execution as ExecutionId);
    if (!bar) {
      return undefined;
    }
    const texts = resourceTexts(bar);
    const outputs = this._projection.outputs(execution);
    return {
      title:
        `Execution ${bar.executionCount !== undefined ? `[${bar.executionCount}]` : '[ ]'}` +
        ` · ${bar.status} · ${new Date(bar.start).toLocaleString()} · ` +
        seconds(((bar.end ?? Date.now()) - bar.start) / 1000),
      source: this._projection.source(execution),
      cellId: bar.cellId,
      outputs: outputLines(outputs),
      outputCount: outputs.total,
      resources: [
        ['CPU', texts.cpu],
        ['Peak memory', texts.memory],
        ['GPU', texts.gpu],
        ['Energy', texts.energy]
      ]
    };
  }

  get isEmpty(): boolean {
    return this._model.bars.length === 0;
  }

  get hasRunning(): boolean {
    return this._model.running().length > 0;
  }

  /**
   * What changed since the last call: the executions whose bars differ
   * (new, finished, still running), or `all` when the rows moved; whether
   * samples arrived.
   */
  takeChanges(): {
    all: boolean;
    executions: ReadonlySet<string>;
    samples: boolean;
  } {
    for (const bar of this._model.running()) {
      this._changed.add(bar.execution);
    }
    const changes = {
      all: this._rowsChanged,
      executions: this._changed,
      samples: this._samplesChanged
    };
    this._changed = new Set();
    this._rowsChanged = false;
    this._samplesChanged = false;
    return changes;
  }

  /** The earliest and latest time of anything drawn, on the axis. */
  extent(now: number): [number, number] | undefined {
    const extent = this._model.extent(now);
    return extent && [this._axis(extent[0]), this._axis(extent[1])];
  }

  bars(options: IBarsOptions, only?: ReadonlySet<string>): IBarDatum[] {
    const all = this._model.bars;
    const bars =
      only === undefined
        ? all
        : [...only].flatMap(id => {
            const bar = this._model.bar(id as ExecutionId);
            return bar ? [bar] : [];
          });
    const byCell = options.order === 'cell';
    const rowLabels = byCell ? this._cellRowLabels() : undefined;
    return bars.map(bar => ({
      id: bar.execution,
      cellId: bar.cellId ?? '',
      y: rowLabels ? (rowLabels.get(bar.rowKey) ?? '') : executionRowLabel(bar),
      start: this._axis(bar.start),
      end: this._axis(bar.end ?? Math.max(options.now, bar.start)),
      startText: new Date(bar.start).toLocaleTimeString(),
      status: bar.status,
      code: bar.firstLine ?? '(code not recorded)',
      count:
        bar.executionCount !== undefined ? `[${bar.executionCount}]` : '[ ]',
      duration: seconds(((bar.end ?? options.now) - bar.start) / 1000),
      ...resourceTexts(bar),
      highlighted:
        options.highlightCell !== undefined &&
        bar.cellId === options.highlightCell
          ? 1
          : 0
    }));
  }

  overview(
    domain: readonly [number, number],
    columns: number
  ): IOverviewTick[] {
    const [t0, t1] = domain;
    const scale = t1 > t0 ? columns / (t1 - t0) : 0;
    const seen = new Set<number>();
    const ticks: IOverviewTick[] = [];
    for (const bar of this._model.bars) {
      const start = this._axis(bar.start);
      const column = Math.floor((start - t0) * scale);
      if (!seen.has(column)) {
        seen.add(column);
        ticks.push({ start });
      }
    }
    return ticks;
  }

  rows(order: 'cell' | 'execution'): string[] {
    if (order === 'execution') {
      return this._model.bars
        .slice()
        .sort((a, b) => a.ordinal - b.ordinal)
        .map(executionRowLabel);
    }
    const labels = this._cellRowLabels();
    return this._model.rows().map(row => labels.get(row.key) ?? '');
  }

  /**
   * Each notebook-order row's label, by row key: its position and the first
   * line its cell first ran (stable, so one new bar never relabels the
   * others).
   */
  private _cellRowLabels(): Map<number, string> {
    // Made again when the rows move or a bar is added (a new cell's row);
    // a running bar's tick reuses them.
    const bars = this._model.bars.length;
    if (this._rowLabels?.bars === bars) {
      return this._rowLabels.labels;
    }
    const positions = new Map(
      this._model.rows().map((row, i) => [row.key, i + 1])
    );
    const labels = new Map<number, string>();
    for (const bar of this._model.bars) {
      if (labels.has(bar.rowKey)) {
        continue;
      }
      labels.set(
        bar.rowKey,
        bar.cellId === undefined
          ? '(code without a cell)'
          : `${positions.get(bar.rowKey) ?? 0} ${cut(bar.firstLine ?? '')}`
      );
    }
    this._rowLabels = { bars, labels };
    return labels;
  }

  rowCount(order: 'cell' | 'execution'): number {
    return order === 'cell'
      ? this._model.rows().length
      : this._model.bars.length;
  }

  lanes(): ILaneShape[] {
    return this._model.lanes().map(lane => ({
      id: lane.id,
      series: lane.series.map(series => series.key)
    }));
  }

  lane(
    name: LaneId,
    columns: number,
    domain?: readonly [number, number]
  ): ILanePoint[] {
    const lane = this._model.lane(name);
    // The brush is on the axis: back to real time to pick the samples.
    const range: readonly [number, number] | undefined = domain
      ? [this.toReal(domain[0]), this.toReal(domain[1])]
      : this._model.extent(Date.now());
    if (!lane || !range) {
      return [];
    }
    const points: ILanePoint[] = [];
    for (const series of lane.series) {
      const drawn = this._downsampling
        ? downsample(series, range, columns)
        : series;
      for (let i = 0; i < drawn.times.length; i++) {
        points.push({
          t: this._axis(drawn.times[i]),
          v: drawn.values[i],
          s: series.key
        });
      }
    }
    return points;
  }

  private readonly _projection: TimelineProjection;
  private readonly _model: TimelineModel;
  private _changed = new Set<string>();
  private _rowsChanged = false;
  /** Each row's label (`_cellRowLabels`) and how many bars it was made from. */
  private _rowLabels: { bars: number; labels: Map<number, string> } | undefined;
  private _samplesChanged = false;
  private _compression: ITimeCompression | undefined;
  private _isDisposed = false;
  private readonly _changedSignal = new Signal<this, void>(this);
}

/** One line per output: type, size, MIME types, hash; then how many more. */
function outputLines(outputs: {
  readonly kept: readonly IExecutionOutputEvent[];
  readonly total: number;
}): string[] {
  const lines = outputs.kept
    .slice()
    .sort((a, b) => a.index - b.index)
    .map(
      o =>
        `${o.outputType}${o.streamName ? ` (${o.streamName})` : ''} · ` +
        `${formatBytes(o.byteSize)} · ${o.mimeTypes.join(', ')} · sha256 ${o.sha256.slice(0, 12)}…`
    );
  if (outputs.total > outputs.kept.length) {
    lines.push(`… and ${outputs.total - outputs.kept.length} more`);
  }
  return lines;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 60
    ? `${minutes} min`
    : minutes < 48 * 60
      ? `${Math.floor(minutes / 60)} h ${minutes % 60} min`
      : `${Math.round(minutes / 1440)} days`;
}

/** An execution-order row's label: the execution's ordinal and first line. */
function executionRowLabel(bar: ITimelineBar): string {
  return `#${bar.ordinal} ${cut(bar.firstLine ?? '')}`;
}

function cut(text: string): string {
  return text.length > LABEL_CHARS
    ? text.slice(0, LABEL_CHARS - 1) + '…'
    : text;
}

function seconds(value: number): string {
  return value < 60
    ? `${value.toFixed(value < 10 ? 2 : 1)} s`
    : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

function resourceTexts(
  bar: ITimelineBar
): Pick<IBarDatum, 'cpu' | 'memory' | 'gpu' | 'energy'> {
  const r = bar.resources;
  const memory = r ? peakMemoryBytes(r) : undefined;
  const energy =
    r?.gpuEnergyJoules !== undefined || r?.cpuEnergyJoules !== undefined
      ? `${Math.round((r.gpuEnergyJoules ?? 0) + (r.cpuEnergyJoules ?? 0))} J`
      : '–';
  return {
    cpu: r ? `${r.cpuSeconds.toFixed(2)} CPU s` : '–',
    memory: memory !== undefined ? formatBytes(memory) : '–',
    gpu: r?.gpuSeconds !== undefined ? `${r.gpuSeconds.toFixed(2)} GPU s` : '–',
    energy
  };
}
