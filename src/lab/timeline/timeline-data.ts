import {
  downsample,
  TimelineModel,
  type ITimelineBar
} from '../../core/timeline/index.js';
import type {
  IExecutionOutputEvent,
  JournalEvent
} from '../../core/journal/index.js';
import { formatBytes } from '../../core/format.js';
import type { IBarDatum, ILanePoint, LaneName } from './spec.js';
import type { IExecutionDetails, ITimelineSource } from './timeline-view.js';

/** y labels are cut here: the axis has a fixed width. */
const LABEL_CHARS = 32;

/**
 * The timeline model (core/timeline) in the shapes the chart draws: bars
 * with their tooltip texts, lanes downsampled to the chart's pixel columns.
 */
export class TimelineData implements ITimelineSource {
  append(events: readonly JournalEvent[]): void {
    this._model.append(events);
    for (const event of events) {
      if (event.kind === 'execution.requested') {
        this._sources.set(event.execution, event.source);
      } else if (event.kind === 'execution.output') {
        let outputs = this._outputs.get(event.execution);
        if (!outputs) {
          outputs = [];
          this._outputs.set(event.execution, outputs);
        }
        outputs.push(event);
      }
    }
  }

  details(execution: string): IExecutionDetails | undefined {
    const bar = this._model.bars.find(b => b.execution === execution);
    if (!bar) {
      return undefined;
    }
    const texts = resourceTexts(bar);
    return {
      title:
        `Execution ${bar.executionCount !== undefined ? `[${bar.executionCount}]` : '[ ]'}` +
        ` · ${bar.status} · ${new Date(bar.start).toLocaleString()} · ` +
        seconds(((bar.end ?? Date.now()) - bar.start) / 1000),
      source: this._sources.get(execution),
      cellId: bar.cellId,
      outputs: (this._outputs.get(execution) ?? [])
        .slice()
        .sort((a, b) => a.index - b.index)
        .map(
          o =>
            `${o.outputType}${o.streamName ? ` (${o.streamName})` : ''} · ` +
            `${formatBytes(o.byteSize)} · ${o.mimeTypes.join(', ')} · sha256 ${o.sha256.slice(0, 12)}…`
        ),
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

  bars(options: {
    order: 'cell' | 'execution';
    now: number;
    highlightCell?: string;
  }): IBarDatum[] {
    const bars = this._model.bars;
    const byCell = options.order === 'cell';
    // A row's label: its position and the first line its cell last ran.
    const rowLabels = new Map<number, string>();
    if (byCell) {
      const positions = new Map(
        this._model.rows().map((row, i) => [row.key, i + 1])
      );
      for (const bar of bars) {
        const position = positions.get(bar.rowKey) ?? 0;
        rowLabels.set(
          bar.rowKey,
          bar.cellId === undefined
            ? '(code without a cell)'
            : `${position} ${cut(bar.firstLine ?? '')}`
        );
      }
    }
    return bars.map(bar => ({
      id: bar.execution,
      cellId: bar.cellId ?? '',
      y: byCell
        ? (rowLabels.get(bar.rowKey) ?? '')
        : `#${bar.ordinal} ${cut(bar.firstLine ?? '')}`,
      yOrder: byCell ? bar.rowKey : bar.ordinal,
      start: bar.start,
      end: bar.end ?? Math.max(options.now, bar.start),
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

  rowCount(order: 'cell' | 'execution'): number {
    return order === 'cell'
      ? this._model.rows().length
      : this._model.bars.length;
  }

  lanes(): LaneName[] {
    return this._model.lanes().map(lane => lane.id);
  }

  lane(
    name: LaneName,
    columns: number,
    domain?: readonly [number, number]
  ): ILanePoint[] {
    const lane = this._model.lane(name);
    const range = domain ?? this._model.extent(Date.now());
    if (!lane || !range) {
      return [];
    }
    const points: ILanePoint[] = [];
    for (const series of lane.series) {
      const drawn = downsample(series, range, columns);
      for (let i = 0; i < drawn.times.length; i++) {
        points.push({ t: drawn.times[i], v: drawn.values[i], s: series.key });
      }
    }
    return points;
  }

  private readonly _model = new TimelineModel();
  /** What the details view shows beyond the model: code and outputs. */
  private readonly _sources = new Map<string, string | undefined>();
  private readonly _outputs = new Map<string, IExecutionOutputEvent[]>();
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
  const memory = r?.peakRssBytes ?? r?.peakPssBytes ?? r?.peakKernelMemoryBytes;
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
