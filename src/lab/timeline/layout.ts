/**
 * How wide the timeline's chart can be in its panel. The parts of a
 * concatenated vega-lite chart have fixed widths, so the chart's width is
 * the panel's less what lies beside the plots: the row labels (or the lane
 * titles) on the left, a series legend on the right, paddings, and the room
 * a vertical scrollbar takes. A chart wider than that scrolls sideways and
 * cuts off whatever lies on its right.
 */

/** vega-lite's axis label size, px. */
export const AXIS_LABEL_FONT_PX = 10;

/** The panel's CSS padding and the chart's own, each side. */
const PADDINGS_PX = 2 * 8 + 2 * 8;

/** A vertical scrollbar the panel shows when the lanes overflow it. */
const SCROLLBAR_PX = 16;

/** Left of a lane: its rotated title, its labels (fixed width) and ticks. */
const LANE_GUTTER_PX = 60;

/** Between a row label and its bars: the tick and the label's padding. */
const ROW_LABEL_GAP_PX = 10;

/** The first and last time labels stick out past the plot's ends. */
const TIME_LABEL_OVERHANG_PX = 24;

/** A series legend (`gpu0`, `gpu1`…) beside the GPU lanes. */
export const SERIES_LEGEND_PX = 70;

/** The narrowest chart drawn; a narrower panel scrolls. */
export const MIN_CHART_PX = 120;

/** The row labels' widest, px: room for `3 import numpy…` without the plot. */
const ROW_LABEL_MAX_PX = 220;
const ROW_LABEL_MIN_PX = 60;

/** How wide a row label may be in a panel this wide; longer ones end in `…`. */
export function rowLabelLimit(panelWidth: number): number {
  return Math.round(
    Math.min(ROW_LABEL_MAX_PX, Math.max(ROW_LABEL_MIN_PX, panelWidth * 0.3))
  );
}

/**
 * The plots' width in a panel `panelWidth` wide (CSS px, its padding
 * included) whose row labels are at most `rowLabelsPx` wide.
 */
export function chartWidth(
  panelWidth: number,
  rowLabelsPx: number,
  seriesLegend: boolean
): number {
  const left = Math.max(LANE_GUTTER_PX, rowLabelsPx + ROW_LABEL_GAP_PX);
  const right = TIME_LABEL_OVERHANG_PX + (seriesLegend ? SERIES_LEGEND_PX : 0);
  return Math.max(
    MIN_CHART_PX,
    Math.floor(panelWidth - PADDINGS_PX - SCROLLBAR_PX - left - right)
  );
}

/**
 * The widest of the row labels as vega draws them (its axis font), each
 * measured once: in execution order a new execution adds a row, and the
 * rows are measured again on every one.
 */
export class RowLabelWidths {
  constructor(private readonly _font: string) {}

  /** The widest of `rows`, px, capped at `limit` (vega cuts longer ones). */
  widest(rows: readonly string[], limit: number): number {
    let widest = 0;
    for (const row of rows) {
      let width = this._widths.get(row);
      if (width === undefined) {
        width = this._measure(row);
        this._widths.set(row, width);
      }
      widest = Math.max(widest, width);
    }
    return Math.min(limit, Math.ceil(widest));
  }

  private _measure(text: string): number {
    if (this._context === undefined) {
      this._context = document.createElement('canvas').getContext('2d');
      if (this._context) {
        this._context.font = `${AXIS_LABEL_FONT_PX}px ${this._font}`;
      }
    }
    // No 2D context (never in a browser): a generous guess per character.
    return this._context?.measureText(text).width ?? text.length * 7;
  }

  private readonly _widths = new Map<string, number>();
  private _context: CanvasRenderingContext2D | null | undefined;
}
