import type { Cell } from '@jupyterlab/cells';
import type { ICellMark } from './marks.js';

/** On a marked cell's node; the role and stale classes go with it. */
export const MARKED_CLASS = 'jp-provenance-lineage-marked';
export const UPSTREAM_CLASS = 'jp-provenance-lineage-upstream';
export const DOWNSTREAM_CLASS = 'jp-provenance-lineage-downstream';
export const STALE_CLASS = 'jp-provenance-lineage-stale';
/** The mark itself: a strip in the cell's left gutter with its badges. */
const MARK_CLASS = 'jp-provenance-lineage-mark';

const ALL_CLASSES = [
  MARKED_CLASS,
  UPSTREAM_CLASS,
  DOWNSTREAM_CLASS,
  STALE_CLASS
];

/** Glyphs shown beside the colour, so the mark is not colour alone. */
const BADGES: readonly { readonly cls: string; readonly glyph: string }[] = [
  { cls: UPSTREAM_CLASS, glyph: '↑' },
  { cls: DOWNSTREAM_CLASS, glyph: '↓' },
  { cls: STALE_CLASS, glyph: '!' }
];

/**
 * Draws lineage marks on cells: classes on the cell node (the colours and
 * the strip's pattern are in style/base.css, theme variables only), a strip
 * in the left gutter with a glyph per mark, and the mark in words as the
 * strip's `title` and the cell's `aria-description`.
 */
export class CellMarks {
  /** Marks `cell`, or clears its mark when `mark` is undefined. */
  set(cell: Cell, mark: ICellMark | undefined, description: string): void {
    const node = cell.node;
    if (!mark) {
      this.clear(cell);
      return;
    }
    const classes = new Set([MARKED_CLASS]);
    if (mark.roles.includes('upstream')) {
      classes.add(UPSTREAM_CLASS);
    }
    if (mark.roles.includes('downstream')) {
      classes.add(DOWNSTREAM_CLASS);
    }
    if (mark.stale) {
      classes.add(STALE_CLASS);
    }
    for (const cls of ALL_CLASSES) {
      node.classList.toggle(cls, classes.has(cls));
    }
    let strip = this._strips.get(cell);
    if (!strip || strip.parentNode !== node) {
      strip = document.createElement('div');
      strip.className = MARK_CLASS;
      node.appendChild(strip);
      this._strips.set(cell, strip);
    }
    const glyphs = BADGES.filter(b => classes.has(b.cls));
    const shown = strip.dataset.marks ?? '';
    const marks = glyphs.map(b => b.cls).join(' ');
    if (shown !== marks) {
      strip.replaceChildren(
        ...glyphs.map(b => {
          const badge = document.createElement('span');
          badge.className = `${MARK_CLASS}-badge ${b.cls}-badge`;
          badge.setAttribute('aria-hidden', 'true');
          badge.textContent = b.glyph;
          return badge;
        })
      );
      strip.dataset.marks = marks;
    }
    // Text only: names in it come from cell code.
    strip.title = description;
    node.setAttribute('aria-description', description);
  }

  clear(cell: Cell): void {
    const strip = this._strips.get(cell);
    if (!strip && !cell.node.classList.contains(MARKED_CLASS)) {
      return;
    }
    strip?.remove();
    this._strips.delete(cell);
    cell.node.classList.remove(...ALL_CLASSES);
    cell.node.removeAttribute('aria-description');
  }

  private readonly _strips = new WeakMap<Cell, HTMLElement>();
}
