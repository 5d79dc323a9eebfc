import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IThemeManager } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import { UUID } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import type { View } from 'vega';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { LaneId } from '../../core/timeline/index.js';
import {
  BARS,
  CUTS,
  laneData,
  OVERVIEW,
  IN_CUT_FUNCTION,
  finishSpec,
  REAL_TIME_FUNCTION,
  OVERVIEW_TICKS,
  timelineSpec,
  X_DOMAIN,
  X_TICKS,
  Y_DOMAIN,
  type IBarDatum,
  type ICutDatum,
  type ILanePoint,
  type ILaneShape,
  laneDomain,
  type IOverviewTick,
  type ITimelineTheme,
  hasSeriesLegend
} from './spec.js';
import { chartWidth, RowLabelWidths, rowLabelLimit } from './layout.js';
import { StatusLegend } from './status-legend.js';
import { barChanges, laneChanges, laneTop, tailChanges } from './changes.js';
import { repaintOnlyWhatChanged } from './repaint.js';

/** What the details of a selected execution show (all plain text). */
export interface IExecutionDetails {
  readonly title: string;
  /** The code that ran, as it ran (absent when code was not recorded). */
  readonly source?: string;
  readonly cellId?: string;
  /** One line per output: type, size, MIME types, hash (the first ones). */
  readonly outputs: readonly string[];
  /** How many outputs it had. */
  readonly outputCount: number;
  /** Label and value pairs. */
  readonly resources: readonly (readonly [string, string])[];
}

/** How bars are laid out: the y order, "now" for running ones, the highlight. */
export interface IBarsOptions {
  readonly order: 'cell' | 'execution';
  readonly now: number;
  readonly highlightCell?: string;
}

/** What the view draws from: the timeline model, adapted (timeline-data.ts). */
export interface ITimelineSource extends IDisposable {
  /** Resolves once the journal read when the notebook opened is in. */
  readonly ready: Promise<void>;
  /** Fires when events changed the timeline (the view redraws within a second). */
  readonly changed: ISignal<ITimelineSource, void>;
  readonly isEmpty: boolean;
  /** Whether an execution is still running (its bar grows). */
  readonly hasRunning: boolean;
  /** What changed since the last call (see `bars`' `only`). */
  takeChanges(): {
    all: boolean;
    executions: ReadonlySet<string>;
    samples: boolean;
  };
  /** The earliest and latest time of anything drawn, on the axis. */
  extent(now: number): [number, number] | undefined;
  /** Every bar, or only those of the executions in `only`. */
  bars(options: IBarsOptions, only?: ReadonlySet<string>): IBarDatum[];
  /** The lanes that have samples, and their series. */
  lanes(): ILaneShape[];
  /** Fixes the axis (real, or idle time compressed) for the next drawing. */
  prepare(now: number, compress: boolean): void;
  /** An axis position as wall-clock ms. */
  toReal(t: number): number;
  /** Whether an axis position lies inside an idle cut. */
  inCut(t: number): boolean;
  /**
   * Tick positions for the time axis over `range`, `width` pixels wide,
   * where idle time is compressed; null for the axis's own.
   */
  axisTicks(range: readonly [number, number], width: number): number[] | null;
  cuts(): ICutDatum[];
  details(execution: string): IExecutionDetails | undefined;
  /**
   * The overview strip's ticks over `domain` (on the axis): the first
   * execution starting in each of `columns` pixel columns.
   */
  overview(domain: readonly [number, number], columns: number): IOverviewTick[];
  /** How many rows the y axis has in that order. */
  rowCount(order: 'cell' | 'execution'): number;
  /** The rows' labels in that order, top to bottom. */
  rows(order: 'cell' | 'execution'): string[];
  /** A lane downsampled to `columns` over `[t0, t1]` (all time when absent). */
  lane(
    name: LaneId,
    columns: number,
    domain?: readonly [number, number]
  ): ILanePoint[];
}

export interface ITimelineViewOptions {
  readonly notebook: NotebookPanel;
  readonly source: ITimelineSource;
  readonly themeManager: IThemeManager | null;
}

/** Live updates are applied at most this often. */
const REDRAW_MS = 1000;

/** A resize redraws the chart once the panel has been still this long. */
const RESIZE_SETTLE_MS = 200;

/** Each row of bars is this tall, up to `MAX_BARS_HEIGHT` for all of them. */
const ROW_HEIGHT = 18;
const MAX_BARS_HEIGHT = 500;

function barsHeight(rows: number): number {
  return Math.min(MAX_BARS_HEIGHT, ROW_HEIGHT * Math.max(1, rows));
}

/** The shortest time axis: one instant is drawn over a second. */
const MIN_DOMAIN_MS = 1000;

/** How much a live update's new time axis reaches beyond the data. */
const HEADROOM = 0.1;

function withHeadroom([start, end]: [number, number]): [number, number] {
  return [start, end + Math.max(MIN_DOMAIN_MS, (end - start) * HEADROOM)];
}

function sameRange(
  a: readonly [number, number] | undefined,
  b: readonly [number, number] | undefined
): boolean {
  return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
}

/** Whether `bar` is `old` but for an end less than `ms` later (and its texts). */
function onlyGrewLessThan(old: IBarDatum, bar: IBarDatum, ms: number): boolean {
  return (
    old.status === bar.status &&
    old.start === bar.start &&
    old.y === bar.y &&
    old.highlighted === bar.highlighted &&
    bar.end >= old.end &&
    bar.end - old.end < ms
  );
}

/** Whether `b` holds what `a` holds, item by item (`undefined`: nothing yet). */
function sameList<T>(
  a: readonly T[],
  b: readonly T[] | undefined,
  same: (x: T, y: T) => boolean
): boolean {
  return (
    b !== undefined && a.length === b.length && a.every((x, i) => same(x, b[i]))
  );
}

/**
 * The timeline of one notebook: executions as bars and resource lanes on one
 * time axis (vega-lite), live. New events go to the model as they arrive;
 * the chart takes them at most once a second as changesets on its named data
 * sets, so it never re-embeds for an update (only for a new theme or lane).
 */
export class TimelineView extends Widget {
  constructor(options: ITimelineViewOptions) {
    super();
    this._options = options;
    this.id = `provenance-timeline-view-${UUID.uuid4()}`;
    this.addClass('jp-provenance-timeline');
    this.node.tabIndex = 0;
    this.node.setAttribute('role', 'figure');
    this.node.setAttribute(
      'aria-label',
      `Provenance timeline of ${options.notebook.context.path}`
    );
    this._chart = document.createElement('div');
    this._chart.className = 'jp-provenance-timeline-chart';
    this._empty = document.createElement('div');
    this._empty.className = 'jp-provenance-timeline-empty';
    this._empty.textContent = 'Run a cell to start the timeline';
    this._live = document.createElement('div');
    this._live.className = 'jp-provenance-timeline-announce';
    this._live.setAttribute('aria-live', 'polite');
    this._details = document.createElement('section');
    this._details.className = 'jp-provenance-timeline-details';
    this._details.setAttribute('aria-label', 'Selected execution');
    this._details.hidden = true;
    this.node.append(
      this._empty,
      this._legend.node,
      this._chart,
      this._details,
      this._live
    );
    this.node.addEventListener('keydown', this._onKey);
  }

  /** y axis: cells in notebook order, or executions in the order they ran. */
  get order(): 'cell' | 'execution' {
    return this._order;
  }

  set order(order: 'cell' | 'execution') {
    this._order = order;
    this._allBarsNext = true;
    this._dirty = true;
    void this._redraw();
  }

  /** Whether idle gaps longer than 10 minutes are cut from the time axis. */
  get compressIdle(): boolean {
    return this._compressIdle;
  }

  set compressIdle(on: boolean) {
    this._compressIdle = on;
    // A new time axis: fitted to the data again.
    this._fitDomain = true;
    this._allBarsNext = true;
    this._dirty = true;
    void this._redraw();
  }

  /** Settles when the journal is read and the first chart drawn. */
  get ready(): Promise<void> {
    return this._ready;
  }

  /** The vega view drawing the chart now (for tests and benchmarks). */
  get chart(): View | undefined {
    return this._view;
  }

  /**
   * Where an execution's bar is drawn, in client (page) coordinates, from
   * the chart's scenegraph; undefined when it is not drawn. For tests that
   * click a bar as a person would.
   */
  barBox(
    execution: string
  ): { x: number; y: number; width: number; height: number } | undefined {
    const view = this._view;
    const canvas = this._chart.querySelector('canvas');
    if (!view || !canvas) {
      return undefined;
    }
    const found = findBar(
      (view.scenegraph() as unknown as { root: ISceneNode }).root,
      execution,
      0,
      0
    );
    if (!found) {
      return undefined;
    }
    // The scene starts at the view's origin, inside its padding.
    const page = canvas.getBoundingClientRect();
    const [ox, oy] = view.origin();
    const padding = view.padding();
    const [left, top] =
      typeof padding === 'number'
        ? [padding, padding]
        : [padding.left ?? 0, padding.top ?? 0];
    return {
      ...found,
      x: page.left + ox + left + found.x,
      y: page.top + oy + top + found.y
    };
  }

  /** The rendered chart as PNG or SVG (a data URL or the SVG text). */
  async picture(format: 'png' | 'svg'): Promise<string> {
    const view = await this._viewReady();
    return format === 'png' ? view.toImageURL('png', 2) : view.toSVG();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    clearInterval(this._timer);
    clearTimeout(this._resizeTimer);
    TIME_AXES.charts.delete(this.id);
    this._options.source.dispose();
    this._view?.finalize();
    this._options.themeManager?.themeChanged.disconnect(this._onTheme, this);
    this._options.notebook.content.activeCellChanged.disconnect(
      this._onActiveCell,
      this
    );
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this._started) {
      return;
    }
    this._started = true;
    this._ready = this._start();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    // Lumino layouts resize widgets without a window resize event, and the
    // parts of a concatenated chart have fixed widths: a new width is a new
    // chart, once the panel has stopped moving.
    const width = msg.width >= 0 ? msg.width : this.node.clientWidth;
    if (width <= 0 || Math.abs(width - this._width) < 10) {
      return;
    }
    this._width = width;
    clearTimeout(this._resizeTimer);
    this._resizeTimer = setTimeout(() => {
      if (this._view) {
        void this._embed();
      }
    }, RESIZE_SETTLE_MS);
  }

  private async _start(): Promise<void> {
    const source = this._options.source;
    // Opened with the notebook (a restored layout): its journal is still
    // being read.
    this._empty.textContent = 'Reading the provenance journal…';
    await source.ready;
    if (this.isDisposed) {
      return;
    }
    this._empty.textContent = 'Run a cell to start the timeline';
    source.changed.connect(() => {
      this._dirty = true;
    });
    this._options.themeManager?.themeChanged.connect(this._onTheme, this);
    this._options.notebook.content.activeCellChanged.connect(
      this._onActiveCell,
      this
    );
    this._onActiveCell();
    // For bench/browser: what the first drawing took, model to pixels.
    const began = performance.now();
    await this._embed();
    this.node.dataset.embedMs = (performance.now() - began).toFixed(0);
    this._timer = setInterval(() => {
      if (this._dirty || source.hasRunning) {
        void this._redraw();
      }
    }, REDRAW_MS);
  }

  private _panelWidth(): number {
    return this._width || this.node.clientWidth;
  }

  /** The plots' width for the panel, the row labels and the lanes now. */
  private _chartWidth(): number {
    return chartWidth(
      this._panelWidth(),
      this._rowLabelsPx,
      this._lanes.some(hasSeriesLegend)
    );
  }

  private async _embed(): Promise<void> {
    const source = this._options.source;
    this._updateEmpty();
    const [{ default: embed }, { compile }] = await Promise.all([
      import('vega-embed'),
      import('vega-lite')
    ]);
    await registerTimeAxes();
    TIME_AXES.charts.set(this.id, source);
    this._lanes = source.lanes();
    const theme = readTheme(this.node);
    this._legend.paint(theme);
    // For tests and styling: what the chart was last drawn with.
    this.node.dataset.background = theme.background;
    const now = Date.now();
    source.prepare(now, this._compressIdle);
    this._domain = this._nextDomain(now, true);
    this._barsHeight = barsHeight(source.rowCount(this._order));
    this._rows = source.rows(this._order);
    // Measured again in this theme's font.
    this._rowLabels = new RowLabelWidths(theme.font);
    const labelLimit = rowLabelLimit(this._panelWidth());
    this._rowLabelsPx = this._rowLabels.widest(this._rows, labelLimit);
    this._plotWidth = this._chartWidth();
    const spec = timelineSpec({
      key: this.id,
      width: this._plotWidth,
      domain: this._domain,
      barsHeight: this._barsHeight,
      rows: this._rows,
      lanes: this._lanes,
      rowLabelLimit: labelLimit,
      theme
    });
    this._view?.finalize();
    const result = await embed(this._chart, finishSpec(compile(spec).spec), {
      mode: 'vega',
      actions: false,
      renderer: 'canvas',
      // vega-tooltip escapes every value: cell code is untrusted text.
      tooltip: { theme: 'custom' }
    });
    this._view = result.view;
    repaintOnlyWhatChanged(this._view);
    // A new chart starts empty: every bar, cut and lane goes in.
    this._allBarsNext = true;
    this._layoutNext = true;
    this._tuples = new Map();
    this._cuts = undefined;
    this._overview = undefined;
    this._laneRange = undefined;
    this._lanePoints = new Map();
    this._laneTops = new Map();
    this._view.addEventListener('click', (_event, item) => {
      const datum = (item as { datum?: Partial<IBarDatum> } | null | undefined)
        ?.datum;
      if (datum?.id !== undefined && datum.cellId !== undefined) {
        this._select(datum.id, datum.cellId);
      }
    });
    this._view.addSignalListener('brush', () => {
      this._dirty = true;
      void this._redraw();
    });
    this._dirty = true;
    await this._redraw();
  }

  private async _redraw(): Promise<void> {
    const view = this._view;
    if (!view || this._drawing) {
      return;
    }
    this._drawing = true;
    const began = performance.now();
    try {
      const source = this._options.source;
      this._updateEmpty();
      const lanes = source.lanes();
      if (
        laneKey(lanes) !== laneKey(this._lanes) ||
        barsHeight(source.rowCount(this._order)) !== this._barsHeight
      ) {
        // A GPU lane appeared, or a row (a cell run for the first time,
        // the other order): a new chart, once, so rows keep their height.
        this._drawing = false;
        await this._embed();
        return;
      }
      this._dirty = false;
      const { changeset, truthy } = await import('vega');
      const now = Date.now();
      source.prepare(now, this._compressIdle);
      // Whether the axes may have changed, so the layout is measured again
      // (a new chart: its first data).
      let relayout = this._layoutNext;
      this._layoutNext = false;
      const rows = source.rows(this._order);
      if (!sameList(rows, this._rows, (x, y) => x === y)) {
        const labelsPx = this._rowLabels.widest(
          rows,
          rowLabelLimit(this._panelWidth())
        );
        if (labelsPx > this._rowLabelsPx) {
          // A longer row label: narrower plots, or the chart would stick
          // out of its panel.
          this._drawing = false;
          await this._embed();
          return;
        }
        this._rows = rows;
        view.signal(Y_DOMAIN, rows);
        relayout = true;
      }
      const cuts = source.cuts();
      const cutsMoved = !sameList(
        cuts,
        this._cuts,
        (x, y) => x.start === y.start && x.end === y.end && x.label === y.label
      );
      if (cutsMoved) {
        this._cuts = cuts;
        view.change(CUTS, changeset().remove(truthy).insert(cuts));
        this.node.dataset.cuts = String(cuts.length);
        relayout = true;
      }
      const domain = this._nextDomain(now, this._fitDomain);
      this._fitDomain = false;
      const domainMoved = !sameRange(domain, this._domain);
      if (domainMoved) {
        this._domain = domain;
        view.signal(X_DOMAIN, [...domain]);
        relayout = true;
      }
      // What the bars and lanes show: the brushed range, or all of it.
      const range = brushDomain(view.signal('brush')) ?? domain;
      const width = this._plotWidth;
      // Idle time compressed: ticks around the cuts, none inside them.
      for (const [name, ticks] of [
        [OVERVIEW_TICKS, source.axisTicks(domain, width)],
        [X_TICKS, source.axisTicks(range, width)]
      ] as const) {
        const before = view.signal(name) as number[] | null;
        if (
          ticks === null
            ? before !== null
            : !sameList(ticks, before ?? undefined, (x, y) => x === y)
        ) {
          view.signal(name, ticks);
          relayout = true;
        }
      }
      const options = {
        order: this._order,
        now,
        highlightCell: this._highlightCell
      };
      const changes = source.takeChanges();
      // What this update hands vega (for bench/browser).
      const handed = { bars: 0, ticks: 0, points: 0 };
      // A live batch changes a few bars: only those are handed over. The
      // order, the highlight or moved idle cuts may change them all: every
      // bar is made again, and those that differ handed over.
      if (this._allBarsNext || changes.all || cutsMoved) {
        this._allBarsNext = false;
        const bars = barChanges(this._tuples, source.bars(options));
        this._tuples = new Map(bars.held.map(bar => [bar.id, bar]));
        view.change(BARS, changeset().remove(bars.remove).insert(bars.insert));
        handed.bars += bars.insert.length;
      } else if (changes.executions.size > 0) {
        const update = changeset();
        // A running bar grows every second; it is handed over again once
        // it has grown a pixel (on a session of hours, every few minutes).
        const msPerPixel = (range[1] - range[0]) / width;
        for (const bar of source.bars(options, changes.executions)) {
          const old = this._tuples.get(bar.id);
          if (old && onlyGrewLessThan(old, bar, msPerPixel)) {
            continue;
          }
          if (old) {
            update.remove(old);
          }
          update.insert(bar);
          handed.bars += 1;
          this._tuples.set(bar.id, bar);
        }
        view.change(BARS, update);
      }
      // The overview's ticks change when an execution starts in a pixel
      // column that had none, or the axis changes.
      const columns = Math.max(50, Math.round(this._plotWidth));
      if (
        changes.executions.size > 0 ||
        domainMoved ||
        cutsMoved ||
        !this._overview
      ) {
        const ticks = tailChanges(
          this._overview ?? [],
          source.overview(domain, columns),
          (x, y) => x.start === y.start
        );
        this._overview = ticks.held;
        handed.ticks += ticks.insert.length;
        if (ticks.remove.length > 0 || ticks.insert.length > 0) {
          view.change(
            OVERVIEW,
            changeset().remove(ticks.remove).insert(ticks.insert)
          );
        }
      }
      if (relayout) {
        // Axis labels may be wider or narrower: measure the layout again
        // (it repaints only what moved).
        view.resize();
      }
      const vegaStart = performance.now();
      await view.runAsync();
      let vegaMs = performance.now() - vegaStart;
      // Lanes are downsampled again only when samples arrived or the range
      // they are drawn over (brush, axis, width) changed; only the points
      // that differ are handed over. They go to vega in a run of their
      // own: vega repaints one box around everything that changed in a
      // run, and a box around a new bar and a lane's new point covers most
      // of the chart.
      const laneRange = `${range[0]} ${range[1]} ${columns} ${cutsMoved ? now : ''}`;
      if (changes.samples || laneRange !== this._laneRange) {
        this._laneRange = laneRange;
        let points = 0;
        let changed = false;
        let relayoutLanes = false;
        for (const { id: lane } of lanes) {
          const drawn = laneChanges(
            this._lanePoints.get(lane) ?? [],
            source.lane(lane, columns, range)
          );
          this._lanePoints.set(lane, drawn.held);
          points += drawn.held.length;
          handed.points += drawn.insert.length;
          changed ||= drawn.remove.length + drawn.insert.length > 0;
          view.change(
            laneData(lane),
            changeset().remove(drawn.remove).insert(drawn.insert)
          );
          const top = laneTop(this._laneTops.get(lane), drawn.held);
          if (top !== this._laneTops.get(lane)) {
            this._laneTops.set(lane, top);
            view.signal(laneDomain(lane), [0, top]);
            changed = true;
            relayoutLanes = true;
          }
        }
        this.node.dataset.lanePoints = String(points);
        if (changed) {
          if (relayoutLanes) {
            view.resize();
            relayout = true;
          }
          const lanesStart = performance.now();
          await view.runAsync();
          vegaMs += performance.now() - lanesStart;
        }
      }
      this.node.dataset.bars = String(this._tuples.size);
      // For tests: how many updates the chart has taken.
      this.node.dataset.redraws = String(++this._redraws);
      // For bench/browser: what the last update took, data to pixels, and
      // how much of it was vega's (dataflow and paint).
      const done = performance.now();
      this.node.dataset.redrawMs = (done - began).toFixed(1);
      this.node.dataset.vegaMs = vegaMs.toFixed(1);
      this.node.dataset.update =
        `${handed.bars} bars, ${handed.ticks} ticks, ${handed.points} points` +
        (relayout ? ', layout' : '');
    } finally {
      this._drawing = false;
    }
  }

  /**
   * The time axis's extent: the data's, kept while the data stay inside it.
   * When a live update outgrows it, it grows by a tenth of the span more
   * than needed, so a running cell moves it a few times an hour rather than
   * every second (each move repaints every mark). `reset` fits it to the
   * data again (a new chart, a new time axis).
   */
  private _nextDomain(now: number, reset: boolean): [number, number] {
    const source = this._options.source;
    const extent = source.extent(now) ?? [now - 60_000, now];
    const fitted: [number, number] = [
      extent[0],
      Math.max(extent[1], extent[0] + MIN_DOMAIN_MS)
    ];
    const current = this._domain;
    if (reset || current === undefined) {
      return source.hasRunning ? withHeadroom(fitted) : fitted;
    }
    if (fitted[0] >= current[0] && fitted[1] <= current[1]) {
      return current;
    }
    return withHeadroom([
      Math.min(fitted[0], current[0]),
      Math.max(fitted[1], current[1])
    ]);
  }

  private _updateEmpty(): void {
    const empty = this._options.source.isEmpty;
    this._empty.hidden = !empty;
    this._chart.hidden = empty;
    this._legend.node.hidden = empty;
  }

  private _onTheme(): void {
    void this._embed();
  }

  /** Selecting a cell in the notebook highlights its executions. */
  private _onActiveCell(): void {
    const cell = this._options.notebook.content.activeCell;
    const id = cell?.model.id;
    if (id !== this._highlightCell) {
      this._highlightCell = id;
      this._allBarsNext = true;
      this._dirty = true;
    }
  }

  /** A bar chosen (click or keys): its cell becomes the notebook's active cell. */
  private _select(executionId: string, cellId: string): void {
    this._selected = executionId;
    const notebook = this._options.notebook.content;
    const cells = notebook.model?.cells;
    if (cells) {
      for (let i = 0; i < cells.length; i++) {
        if (cells.get(i).id === cellId) {
          notebook.activeCellIndex = i;
          void notebook.scrollToItem(i);
          break;
        }
      }
    }
    this._showDetails(executionId);
    // From the model, not the drawn bars: those lag by up to a redraw.
    const [bar] = this._options.source.bars(
      { order: this._order, now: Date.now() },
      new Set([executionId])
    );
    if (bar) {
      this._live.textContent = `Execution ${bar.count}: ${bar.status}, ${bar.duration}. ${bar.code}`;
    }
  }

  /**
   * The selected execution in words: the code as it ran, its outputs with
   * sizes, its resources. Built with text nodes only (cell code and output
   * names are untrusted).
   */
  private _showDetails(executionId: string): void {
    const details = this._options.source.details(executionId);
    const node = this._details;
    node.replaceChildren();
    node.hidden = details === undefined;
    if (!details) {
      return;
    }
    const element = <K extends keyof HTMLElementTagNameMap>(
      tag: K,
      text?: string,
      className?: string
    ): HTMLElementTagNameMap[K] => {
      const child = document.createElement(tag);
      if (text !== undefined) {
        child.textContent = text;
      }
      if (className) {
        child.className = className;
      }
      return child;
    };
    node.append(element('h3', details.title));
    node.append(
      element(
        'pre',
        details.source ?? '(code not recorded)',
        'jp-provenance-timeline-source'
      )
    );
    const resources = element('dl');
    for (const [label, value] of details.resources) {
      resources.append(element('dt', label), element('dd', value));
    }
    node.append(resources);
    node.append(
      element(
        'h4',
        details.outputCount === 0
          ? 'No outputs'
          : `Outputs (${details.outputCount})`
      )
    );
    if (details.outputs.length > 0) {
      const list = element('ul');
      for (const line of details.outputs) {
        list.append(element('li', line));
      }
      node.append(list);
    }
  }

  /** Left/right arrows move between executions in the order they ran. */
  private readonly _onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') {
      return;
    }
    const byTime = [...this._tuples.values()].sort((a, b) => a.start - b.start);
    if (byTime.length === 0) {
      return;
    }
    event.preventDefault();
    const at = byTime.findIndex(b => b.id === this._selected);
    const next =
      at < 0
        ? event.key === 'ArrowRight'
          ? 0
          : byTime.length - 1
        : Math.min(
            byTime.length - 1,
            Math.max(0, at + (event.key === 'ArrowRight' ? 1 : -1))
          );
    this._select(byTime[next].id, byTime[next].cellId);
  };

  private async _viewReady(): Promise<View> {
    await this._ready;
    if (!this._view) {
      throw new Error('The timeline has nothing drawn yet.');
    }
    return this._view;
  }

  private readonly _options: ITimelineViewOptions;
  private readonly _chart: HTMLDivElement;
  private readonly _empty: HTMLDivElement;
  private readonly _live: HTMLDivElement;
  private readonly _details: HTMLElement;
  private readonly _legend = new StatusLegend();
  private _view: View | undefined;
  /** Row labels measured in the chart's font. */
  private _rowLabels = new RowLabelWidths('sans-serif');
  /** The widest row label when the chart was embedded, px. */
  private _rowLabelsPx = 0;
  /** The plots' width when the chart was embedded, px. */
  private _plotWidth = 0;
  private _lanes: ILaneShape[] = [];
  /** The top of each lane's y extent (`laneDomain`). */
  private _laneTops = new Map<LaneId, number>();
  /** The height of the bars' plot, for the rows it had when embedded. */
  private _barsHeight = 0;
  /** The time axis's extent now (`X_DOMAIN`). */
  private _domain: [number, number] | undefined;
  /** The next drawing fits the time axis to the data again. */
  private _fitDomain = false;
  /** The idle cuts drawn; undefined: none handed to this chart yet. */
  private _cuts: ICutDatum[] | undefined;
  /** The overview's ticks drawn; undefined: none handed over yet. */
  private _overview: readonly IOverviewTick[] | undefined;
  /** What the lanes were last downsampled for; undefined: not yet. */
  private _laneRange: string | undefined;
  private _order: 'cell' | 'execution' = 'cell';
  private _compressIdle = false;
  /** The bars handed to the chart, by execution: removed by identity. */
  private _tuples = new Map<string, IBarDatum>();
  /** The rows of the bars drawn (`Y_DOMAIN`). */
  private _rows: readonly string[] = [];
  /** The points handed to each lane: removed by identity. */
  private _lanePoints = new Map<LaneId, readonly ILanePoint[]>();
  private _allBarsNext = true;
  /** The next update measures the layout again (a new chart). */
  private _layoutNext = true;
  private _highlightCell: string | undefined;
  private _selected: string | undefined;
  private _dirty = false;
  private _drawing = false;
  private _redraws = 0;
  private _started = false;
  private _width = 0;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private _ready: Promise<void> = Promise.resolve();
}

/** Lanes and their series, as one string (a change means a new chart). */
function laneKey(lanes: readonly ILaneShape[]): string {
  return lanes.map(lane => `${lane.id}:${lane.series.join('+')}`).join();
}

/**
 * Each chart's time axis (by widget id): positions back to wall-clock
 * time, and whether a position is inside an idle cut; `toReal` and `inCut`
 * are what vega calls. Vega keeps expression functions for the page's life:
 * they are methods made once here, because a closure made inside a view's
 * method (where a bundler may inline its creation) would keep the first
 * view, and its chart, alive with it.
 */
const TIME_AXES = {
  charts: new Map<string, ITimelineSource>(),
  toReal(t: number, key: string): number {
    const source = TIME_AXES.charts.get(key);
    return source === undefined ? t : source.toReal(t);
  },
  inCut(t: number, key: string): boolean {
    return TIME_AXES.charts.get(key)?.inCut(t) ?? false;
  }
};
let timeAxesRegistered: Promise<void> | undefined;

/**
 * Axis labels show wall-clock time even where idle time is compressed, and
 * none inside a cut: vega expression functions (once per page).
 */
function registerTimeAxes(): Promise<void> {
  timeAxesRegistered ??= import('vega').then(({ expressionFunction }) => {
    expressionFunction(REAL_TIME_FUNCTION, TIME_AXES.toReal);
    expressionFunction(IN_CUT_FUNCTION, TIME_AXES.inCut);
  });
  return timeAxesRegistered;
}

/** What `barBox` reads of vega's scenegraph (mark and item nodes). */
interface ISceneNode {
  readonly marktype?: string;
  readonly items?: readonly ISceneNode[];
  readonly datum?: { readonly id?: unknown; readonly cellId?: unknown };
  readonly x?: number;
  readonly y?: number;
  readonly x2?: number;
  readonly y2?: number;
  readonly width?: number;
  readonly height?: number;
}

/**
 * The box of the bar (a rect whose datum is the execution's bar datum)
 * under `node`, offset by the groups above it.
 */
function findBar(
  node: ISceneNode,
  execution: string,
  dx: number,
  dy: number
): { x: number; y: number; width: number; height: number } | undefined {
  for (const item of node.items ?? []) {
    const datum = item.datum;
    if (
      node.marktype === 'rect' &&
      datum?.id === execution &&
      datum.cellId !== undefined
    ) {
      // A bar is encoded with x and x2 (y and height from the band).
      const x = item.x ?? 0;
      const y = item.y ?? 0;
      const x2 = item.x2 ?? x + (item.width ?? 0);
      const y2 = item.y2 ?? y + (item.height ?? 0);
      return {
        x: dx + Math.min(x, x2),
        y: dy + Math.min(y, y2),
        width: Math.abs(x2 - x),
        height: Math.abs(y2 - y)
      };
    }
    // A group item offsets what it holds.
    const offset = node.marktype === 'group';
    const found = findBar(
      item,
      execution,
      dx + (offset ? (item.x ?? 0) : 0),
      dy + (offset ? (item.y ?? 0) : 0)
    );
    if (found) {
      return found;
    }
  }
  return undefined;
}

/** The brushed time range, when the overview strip has a brush. */
function brushDomain(value: unknown): readonly [number, number] | undefined {
  const range = (value as { start?: unknown } | null | undefined)?.start;
  if (
    Array.isArray(range) &&
    range.length === 2 &&
    range.every(v => typeof v === 'number' || v instanceof Date)
  ) {
    const [a, b] = range.map(Number);
    return a < b ? [a, b] : undefined;
  }
  return undefined;
}

/** The chart's colours from JupyterLab's theme variables, now. */
export function readTheme(node: HTMLElement): ITimelineTheme {
  const style = getComputedStyle(node);
  const v = (name: string, fallback: string): string =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--jp-layout-color0', 'white'),
    text: v('--jp-ui-font-color1', '#333'),
    muted: v('--jp-ui-font-color3', '#999'),
    grid: v('--jp-border-color2', '#ddd'),
    font: v('--jp-ui-font-family', 'sans-serif'),
    accent: v('--jp-brand-color1', '#1976d2'),
    status: {
      ok: v('--jp-success-color1', '#388e3c'),
      error: v('--jp-error-color1', '#d32f2f'),
      interrupted: v('--jp-warn-color1', '#f57c00'),
      aborted: v('--jp-ui-font-color3', '#999'),
      died: v('--jp-error-color0', '#b71c1c'),
      running: v('--jp-brand-color1', '#1976d2')
    }
  };
}
