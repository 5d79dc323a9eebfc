import type { Spec as VegaSpec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { LaneId } from '../../core/timeline/index.js';

/** One execution as the chart draws it. Times are ms since the epoch. */
export interface IBarDatum {
  readonly id: string;
  readonly cellId: string;
  /** The y category: a cell (`3 import numpy…`) or an execution (`#12 …`). */
  readonly y: string;
  readonly start: number;
  /** For a running execution, now. */
  readonly end: number;
  /** The wall-clock start (`start` is on the axis, maybe compressed). */
  readonly startText: string;
  readonly status: string;
  /** Plain text; the chart renders text, never HTML. */
  readonly code: string;
  readonly count: string;
  readonly duration: string;
  readonly cpu: string;
  readonly memory: string;
  readonly gpu: string;
  readonly energy: string;
  /** 1 for the executions of the cell selected in the notebook. */
  readonly highlighted: number;
}

/** An idle gap cut by "compress idle time", on the axis. */
export interface ICutDatum {
  readonly start: number;
  readonly end: number;
  /** e.g. `2 h 13 min idle`. */
  readonly label: string;
}

/** A tick of the overview strip: an execution starts in its pixel column. */
export interface IOverviewTick {
  readonly start: number;
}

/** One point of a resource lane. */
export interface ILanePoint {
  readonly t: number;
  readonly v: number;
  /** The series: `kernel`, or `gpu0`, `gpu1`… */
  readonly s: string;
}

export const LANE_TITLES: Readonly<Record<LaneId, string>> = {
  cpu: 'CPU %',
  memory: 'Memory (bytes)',
  gpuUtil: 'GPU %',
  gpuMemory: 'GPU memory (bytes)',
  gpuPower: 'GPU power (W)'
};

/** Colours and fonts, read from JupyterLab's theme variables. */
export interface ITimelineTheme {
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly font: string;
  readonly accent: string;
  readonly status: Readonly<Record<string, string>>;
}

export const STATUSES = [
  'ok',
  'error',
  'interrupted',
  'aborted',
  'died',
  'running'
] as const;

/** The width of a lane's y-axis labels (`1.5G`, `100`). */
const LANE_LABELS_PX = 36;

/** Named data sets of the spec, changed in place on live updates. */
export const BARS = 'bars';
/** Idle gaps cut by "compress idle time": `{start, end, label}`. */
export const CUTS = 'cuts';
/**
 * The overview strip's ticks: `{start}`, one per pixel column that has an
 * execution starting in it (a strip 1,000 px wide shows 5,000 executions
 * with at most 1,000 ticks, looking the same).
 */
export const OVERVIEW = 'overview';

/**
 * The vega expression function that turns a position on the time axis back
 * into wall-clock time (they differ where idle time is compressed); the
 * view registers it (timeline-view.ts), keyed per chart.
 */
export const REAL_TIME_FUNCTION = 'nbprovRealTime';

/**
 * The vega expression function that says whether a position on the time
 * axis lies inside a compressed idle gap. A tick there gets no label: the
 * gap squeezes hours into a few pixels, so evenly spaced ticks inside it
 * would read as times that run hours apart in a finger's width.
 */
export const IN_CUT_FUNCTION = 'nbprovInCut';

/**
 * The time axis's extent when nothing is brushed (a signal the view sets):
 * set by the view rather than computed by vega from the data, so that it
 * moves only when the data outgrow it. A domain vega derives moves with
 * every running bar's end, and a new domain re-encodes and repaints every
 * mark; a stable one lets a live update repaint only what changed.
 */
export const X_DOMAIN = 'xDomain';

/**
 * Where the time axes put their ticks (signals the view sets): null for
 * vega's own, a list where idle time is compressed (core/timeline/ticks.ts).
 * The overview shows the whole extent, the other axes the brushed range.
 */
export const X_TICKS = 'xTicks';
/**
 * The rows of the bars, top to bottom (a signal the view sets when they
 * change). A domain vega derived from the bars (sorted by row) was
 * recomputed with every new or growing bar, and a recomputed scale
 * re-encodes and repaints all of them.
 */
export const Y_DOMAIN = 'yDomain';
export const OVERVIEW_TICKS = 'overviewTicks';
export const laneData = (lane: LaneId): string => `lane_${lane}`;
/**
 * A lane's y extent, `[0, top]` (a signal the view sets): like `X_DOMAIN`,
 * moved only when the data outgrow it (or shrink far inside it), so new
 * samples do not re-encode and repaint every point of the lane.
 */
export const laneDomain = (lane: LaneId): string => `laneDomain_${lane}`;

/** A lane of the chart and the series it draws (`kernel`, `gpu0`…). */
export interface ILaneShape {
  readonly id: LaneId;
  readonly series: readonly string[];
}

/**
 * The chart: an overview strip with a brush (zoom and pan), the executions
 * as bars, and one lane per resource series, all on the brushed time axis.
 * Data come through named data sets so live updates are changesets, never a
 * new chart.
 */
export function timelineSpec(options: {
  /** Identifies this chart to `REAL_TIME_FUNCTION` and `IN_CUT_FUNCTION`. */
  readonly key: string;
  readonly width: number;
  /** The time axis's extent, on the axis (see `X_DOMAIN`). */
  readonly domain: readonly [number, number];
  readonly barsHeight: number;
  /** The rows of the bars, top to bottom (see `Y_DOMAIN`). */
  readonly rows: readonly string[];
  readonly lanes: readonly ILaneShape[];
  /** How wide a row label may be, px (longer ones end in `…`). */
  readonly rowLabelLimit: number;
  readonly theme: ITimelineTheme;
}): TopLevelSpec {
  const { theme } = options;
  const labelExpr =
    `${IN_CUT_FUNCTION}(datum.value, '${options.key}') ? '' : ` +
    `timeFormat(${REAL_TIME_FUNCTION}(datum.value, '${options.key}'), ` +
    `'%H:%M:%S')`;
  // The brushed range, or the whole extent.
  const x = (field: string) => ({
    field,
    type: 'temporal' as const,
    title: null,
    scale: {
      domain: { expr: X_DOMAIN },
      domainRaw: { expr: 'brush["start"]' }
    },
    axis: { labelExpr, labelOverlap: true, values: { expr: X_TICKS } }
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: theme.background,
    // Concatenated views cannot "fit": the view sets each part's width.
    // The view asks for the layout to be measured again (`view.resize()`)
    // when the axes may have changed; measuring after every update
    // (`resize: true`) marked the whole chart for repainting each time.
    autosize: { type: 'pad', resize: false },
    padding: { left: 8, right: 8, top: 4, bottom: 4 },
    params: [
      { name: X_DOMAIN, value: [...options.domain] },
      { name: X_TICKS, value: null },
      { name: Y_DOMAIN, value: [...options.rows] },
      ...options.lanes.map(lane => ({
        name: laneDomain(lane.id),
        value: [0, 1]
      })),
      { name: OVERVIEW_TICKS, value: null }
    ],
    config: {
      font: theme.font,
      view: { stroke: theme.grid },
      axis: {
        labelColor: theme.text,
        titleColor: theme.text,
        domainColor: theme.grid,
        gridColor: theme.grid,
        tickColor: theme.grid,
        labelLimit: 220
      },
      legend: { labelColor: theme.text, titleColor: theme.text }
    },
    vconcat: [
      {
        width: options.width,
        height: 24,
        data: { name: OVERVIEW },
        mark: { type: 'tick', orient: 'vertical', color: theme.muted },
        params: [
          {
            name: 'brush',
            select: { type: 'interval', encodings: ['x'] }
          }
        ],
        encoding: {
          x: {
            field: 'start',
            type: 'temporal',
            title: null,
            scale: { domain: { expr: X_DOMAIN } },
            axis: {
              labelExpr,
              labelOverlap: true,
              values: { expr: OVERVIEW_TICKS }
            }
          }
        }
      },
      {
        // One x scale for the bars and every lane: the brushed range, or
        // all of them together.
        resolve: { scale: { x: 'shared', color: 'independent' } },
        vconcat: [
          {
            width: options.width,
            height: options.barsHeight,
            layer: [
              {
                data: { name: BARS },
                // Square corners: a rounded bar is a path of curves, and
                // thousands of them doubled the time to paint the chart.
                mark: { type: 'bar', minBandSize: 2 },
                params: [
                  {
                    name: 'picked',
                    select: { type: 'point', fields: ['id'], on: 'click' }
                  }
                ],
                encoding: {
                  x: x('start'),
                  x2: { field: 'end' },
                  y: {
                    field: 'y',
                    type: 'nominal',
                    title: null,
                    scale: { domain: { expr: Y_DOMAIN } },
                    axis: { labelLimit: options.rowLabelLimit }
                  },
                  color: {
                    field: 'status',
                    type: 'nominal',
                    title: 'status',
                    // The page draws it, above the chart (status-legend.ts).
                    legend: null,
                    scale: {
                      domain: [...STATUSES],
                      range: STATUSES.map(s => theme.status[s] ?? theme.muted)
                    }
                  },
                  stroke: {
                    condition: {
                      test: 'datum.highlighted === 1',
                      value: theme.accent
                    },
                    value: null
                  },
                  strokeWidth: {
                    condition: { test: 'datum.highlighted === 1', value: 2 },
                    value: 0
                  },
                  tooltip: [
                    { field: 'count', title: 'execution' },
                    { field: 'code', title: 'code' },
                    { field: 'startText', title: 'start' },
                    { field: 'duration', title: 'duration' },
                    { field: 'cpu', title: 'CPU' },
                    { field: 'memory', title: 'peak memory' },
                    { field: 'gpu', title: 'GPU' },
                    { field: 'energy', title: 'energy' },
                    { field: 'status', title: 'status' }
                  ]
                }
              },
              {
                data: { name: CUTS },
                mark: {
                  type: 'rect',
                  color: theme.muted,
                  opacity: 0.25
                },
                encoding: {
                  x: x('start'),
                  x2: { field: 'end' },
                  tooltip: [{ field: 'label', title: 'idle time cut' }]
                }
              }
            ]
          },
          ...options.lanes.map(({ id: lane, series }) => ({
            width: options.width,
            height: 60,
            data: { name: laneData(lane) },
            mark: { type: 'line' as const, clip: true },
            encoding: {
              x: x('t'),
              color: {
                field: 's',
                type: 'nominal' as const,
                title: null,
                legend: hasSeriesLegend({ id: lane, series }) ? {} : null,
                // The series are known: a domain read from the data was
                // recomputed with every sample, and re-encoded every point.
                scale: { domain: [...series], scheme: 'tableau10' }
              },
              y: {
                field: 'v',
                type: 'quantitative' as const,
                title: LANE_TITLES[lane],
                scale: { domain: { expr: laneDomain(lane) }, nice: true },
                axis: {
                  // A fixed width for the labels: new samples that change
                  // them (`90M` to `110M`) never move the lane, or the
                  // layout of the chart around it.
                  minExtent: LANE_LABELS_PX,
                  maxExtent: LANE_LABELS_PX,
                  tickCount: 3,
                  format:
                    lane === 'memory' || lane === 'gpuMemory' ? '~s' : '~r'
                }
              }
            }
          }))
        ]
      }
    ]
  };
}

/** The parts of a compiled (Vega) spec read by the fixes below. */
interface IVegaGroup {
  signals?: {
    name: string;
    on?: { events: unknown; update?: string }[];
  }[];
  marks?: (IVegaGroup & {
    type: string;
    style?: string | string[];
    encode?: { update?: Record<string, unknown> };
  })[];
}

/** Whether a lane names its series beside it (more than one GPU). */
export function hasSeriesLegend(lane: ILaneShape): boolean {
  return lane.series.length > 1;
}

/** A bar is drawn at least this wide, so a short execution can be seen and clicked. */
export const MIN_BAR_PX = 3;

/**
 * The compiled chart (vega-lite's output) with the fixes it needs:
 * `keepBrushOnRescale`, and bars at least `MIN_BAR_PX` wide (vega-lite's
 * `minBandSize` does not apply to a bar drawn from `start` to `end`: a
 * cell that ran for 5 ms in an hour-long session was a pixel wide, too
 * thin to click).
 */
export function finishSpec(spec: VegaSpec): VegaSpec {
  const visit = (group: IVegaGroup): void => {
    for (const mark of group.marks ?? []) {
      const update = mark.encode?.update;
      const x = update?.x as { scale?: string; field?: string } | undefined;
      const x2 = update?.x2 as { field?: string } | undefined;
      if (
        update &&
        [mark.style].flat().includes('bar') &&
        x?.scale !== undefined &&
        x.field === 'start' &&
        x2?.field === 'end'
      ) {
        update.x2 = {
          signal:
            `max(scale('${x.scale}', datum['end']), ` +
            `scale('${x.scale}', datum['start']) + ${MIN_BAR_PX})`
        };
      }
      if (mark.type === 'group') {
        visit(mark);
      }
    }
  };
  visit(spec as IVegaGroup);
  return keepBrushOnRescale(spec);
}

/**
 * The compiled chart, with vega-lite's brush made safe for a time axis that
 * changes. When the overview's scale changes, vega-lite moves the brush to
 * follow it (`brush_x` on `brush_scale_trigger`) by reading the brushed
 * range, which is undefined when nothing is brushed: the expression throws,
 * and the rest of that update (the axes among it) is not drawn. Here it
 * keeps the empty brush instead.
 */
function keepBrushOnRescale(spec: VegaSpec): VegaSpec {
  const visit = (group: IVegaGroup): void => {
    for (const signal of group.signals ?? []) {
      const brush = /^(.*)_x$/.exec(signal.name)?.[1];
      for (const handler of signal.on ?? []) {
        if (
          brush !== undefined &&
          handler.update !== undefined &&
          JSON.stringify(handler.events).includes(`${brush}_scale_trigger`)
        ) {
          handler.update = `isArray(${brush}_start) ? (${handler.update}) : ${signal.name}`;
        }
      }
    }
    for (const mark of group.marks ?? []) {
      if (mark.type === 'group') {
        visit(mark);
      }
    }
  };
  visit(spec as IVegaGroup);
  return spec;
}
