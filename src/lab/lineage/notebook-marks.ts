import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IDisposable } from '@lumino/disposable';
import { sha256Hex } from '../../core/hash.js';
import type { ILineageOptions } from '../../core/lineage/index.js';
import type { NotebookProvenance } from '../notebook-provenance.js';
import { CellMarks } from './cell-marks.js';
import { computeMarks, describeMark } from './marks.js';
import { NotebookLineage, REBUILD_DELAY_MS } from './notebook-lineage.js';

/**
 * Follows one open notebook and keeps its lineage marks current: on a
 * change of the active cell (at once), on newly recorded events (the
 * graph's debounced rebuild), and on edits (debounced; only sources that
 * changed are hashed again).
 */
export class NotebookMarks implements IDisposable {
  constructor(
    panel: NotebookPanel,
    provenance: NotebookProvenance,
    options: ILineageOptions
  ) {
    this._panel = panel;
    this._lineage = new NotebookLineage(provenance, options);
    this._lineage.changed.connect(this._render, this);
    panel.content.activeCellChanged.connect(this._render, this);
    panel.content.modelContentChanged.connect(this._onContentChanged, this);
    void this._lineage
      .start()
      .catch(error =>
        console.error('jupyterlab-provenance: lineage not available', error)
      );
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._editTimer);
    const notebook = this._panel.content;
    notebook.activeCellChanged.disconnect(this._render, this);
    notebook.modelContentChanged.disconnect(this._onContentChanged, this);
    this._lineage.dispose();
    if (!notebook.isDisposed) {
      for (const cell of notebook.widgets) {
        this._marks.clear(cell);
      }
    }
  }

  private _onContentChanged(): void {
    if (this._editTimer === undefined) {
      this._editTimer = setTimeout(() => {
        this._editTimer = undefined;
        this._render();
      }, REBUILD_DELAY_MS);
    }
  }

  private _render(): void {
    const graph = this._lineage.graph;
    const notebook = this._panel.content;
    if (this._isDisposed || !graph || notebook.isDisposed) {
      return;
    }
    const positions = new Map<string, number>();
    const current = new Map<string, string>();
    // Hashes of cells that went are dropped with them.
    const hashes = this._hashes;
    this._hashes = new Map();
    notebook.widgets.forEach((cell, i) => {
      positions.set(cell.model.id, i);
      if (cell.model.type === 'code') {
        const source = cell.model.sharedModel.getSource();
        const known = hashes.get(source);
        const sha256 = known ?? sha256Hex(source);
        this._hashes.set(source, sha256);
        current.set(cell.model.id, sha256);
      }
    });
    const marks = computeMarks(graph, notebook.activeCell?.model.id, current);
    const label = (cellId: string): string => {
      const position = positions.get(cellId);
      return position !== undefined
        ? `cell ${position + 1}`
        : 'a cell no longer in the notebook';
    };
    for (const cell of notebook.widgets) {
      const mark = marks.get(cell.model.id);
      this._marks.set(cell, mark, mark ? describeMark(mark, label) : '');
    }
  }

  private readonly _panel: NotebookPanel;
  private readonly _lineage: NotebookLineage;
  private readonly _marks = new CellMarks();
  /** Source → sha256 of the cells as last rendered: only edits are hashed. */
  private _hashes = new Map<string, string>();
  private _editTimer: ReturnType<typeof setTimeout> | undefined;
  private _isDisposed = false;
}
