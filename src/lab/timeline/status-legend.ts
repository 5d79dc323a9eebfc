import { STATUSES, type ITimelineTheme } from './spec.js';

/**
 * The bars' colours, as a row of swatches above the chart. Drawn by the
 * page rather than by vega: vega's legend stood to the right of the bars,
 * took a fifth of a side panel's width, was cut off at its edge, and, taller
 * than a few rows of bars, pushed the lanes below it down. Here it wraps to
 * the panel and is real text for screen readers.
 */
export class StatusLegend {
  constructor() {
    this.node = document.createElement('ul');
    this.node.className = 'jp-provenance-timeline-legend';
    this.node.setAttribute('aria-label', 'Execution status colours');
    for (const status of STATUSES) {
      const item = document.createElement('li');
      item.dataset.status = status;
      const swatch = document.createElement('span');
      swatch.className = 'jp-provenance-timeline-swatch';
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, document.createTextNode(status));
      this.node.append(item);
      this._swatches.set(status, swatch);
    }
  }

  readonly node: HTMLUListElement;

  /** Colours the swatches as the chart colours its bars. */
  paint(theme: ITimelineTheme): void {
    for (const [status, swatch] of this._swatches) {
      swatch.style.background = theme.status[status] ?? theme.muted;
    }
  }

  private readonly _swatches = new Map<string, HTMLSpanElement>();
}
