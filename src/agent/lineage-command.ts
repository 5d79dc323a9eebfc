/**
 * `nbprov lineage NOTEBOOK --cell ID [--json]`: what a cell's latest
 * execution came from and what was built on it, from the notebook's journal.
 * The JSON form is a contract (issue 5): `cell`, `execution`,
 * `upstream_cells` (transitive), `downstream_cells`, `files_read`,
 * `files_written`; further keys may be added, never renamed.
 */

import type { ICodeCell } from '@jupyterlab/nbformat';
import { existsSync, readFileSync } from 'node:fs';
import { sha256Hex } from '../core/hash.js';
import {
  foldJournal,
  type IJournalState
} from '../core/projection/journal-state.js';
import {
  buildLineage,
  cellLineage,
  defaultLineageOptions,
  staleCells,
  type ILineageGraph,
  type StaleReason
} from '../core/lineage/index.js';
import {
  damageWarnings,
  JournalCommandError,
  readNotebookJournal
} from './journal-commands.js';
import { parseNotebook } from './runner/notebook-file.js';

export interface ILineageReport {
  readonly cell: string;
  /** The `msg_id` of the cell's latest execution (the journal's execution id). */
  readonly execution: string;
  readonly execution_count: number | null;
  readonly status: string;
  readonly upstream_cells: string[];
  readonly downstream_cells: string[];
  readonly files_read: string[];
  readonly files_written: string[];
  /** Why the cell's result may be out of date; null when it is current. */
  readonly stale: StaleReason | null;
}

/** The lineage graph of a notebook's journal, with each cell's current source hash. */
export function notebookLineage(
  notebookPath: string,
  warn: (line: string) => void
): {
  graph: ILineageGraph;
  journal: IJournalState;
  /** Code cells of the notebook file as saved now, by id. */
  savedCells: Map<string, ICodeCell>;
  /** Their sources' sha256, by id. */
  currentSha256: Map<string, string>;
} {
  const { path, journal } = readNotebookJournal(notebookPath);
  damageWarnings(path, journal).forEach(warn);
  const state = foldJournal(journal.events);
  const graph = buildLineage(state, defaultLineageOptions());
  const savedCells = savedCodeCells(notebookPath, warn);
  const currentSha256 = new Map(
    [...savedCells].map(([id, cell]) => [id, sha256Hex(String(cell.source))])
  );
  return { graph, journal: state, savedCells, currentSha256 };
}

export function lineageReport(
  notebookPath: string,
  cellId: string,
  warn: (line: string) => void
): ILineageReport {
  const { graph, currentSha256 } = notebookLineage(notebookPath, warn);
  const lineage = cellLineage(graph, cellId);
  if (!lineage) {
    throw new JournalCommandError(
      currentSha256.has(cellId)
        ? `Cell ${cellId} has no recorded execution in the journal of ${notebookPath}.`
        : `No cell ${cellId} in ${notebookPath} or its journal.`
    );
  }
  const { execution } = lineage.execution;
  return {
    cell: cellId,
    execution: execution.requested.execution,
    execution_count:
      execution.finished?.executionCount ??
      execution.started?.executionCount ??
      null,
    status: execution.finished?.status ?? 'running',
    upstream_cells: lineage.upstreamCells,
    downstream_cells: lineage.downstreamCells,
    files_read: lineage.filesRead,
    files_written: lineage.filesWritten,
    stale: staleCells(graph, currentSha256).get(cellId) ?? null
  };
}

/** The report for people, one line each. */
export function describeLineage(report: ILineageReport): string[] {
  const list = (items: readonly string[]) =>
    items.length === 0 ? '(none)' : items.join(', ');
  const count =
    report.execution_count === null ? '' : ` [${report.execution_count}]`;
  return [
    `Cell ${report.cell}: latest execution${count} ${report.status}`,
    `  upstream cells:   ${list(report.upstream_cells)}`,
    `  downstream cells: ${list(report.downstream_cells)}`,
    `  files read:       ${list(report.files_read)}`,
    `  files written:    ${list(report.files_written)}`,
    `  stale:            ${report.stale ? describeStale(report.stale) : 'no'}`
  ];
}

export function describeStale(reason: StaleReason): string {
  switch (reason.kind) {
    case 'edited':
      return 'its source changed since it ran';
    case 'input-changed':
      return `${reason.name} changed since it ran${reason.by ? ` (cell ${reason.by})` : ''}`;
    case 'upstream-stale':
      return `cell ${reason.cellId}, which it depends on, is stale`;
  }
}

/**
 * The notebook file's code cells by id, as saved now (their sources tell
 * edits since the cells ran, their outputs the text a replay can diff).
 */
function savedCodeCells(
  notebookPath: string,
  warn: (line: string) => void
): Map<string, ICodeCell> {
  const cells = new Map<string, ICodeCell>();
  if (!existsSync(notebookPath)) {
    warn(
      `warning: ${notebookPath} not found: edits since the cells ran are not seen`
    );
    return cells;
  }
  try {
    const notebook = parseNotebook(
      readFileSync(notebookPath, 'utf8'),
      notebookPath
    );
    for (const cell of notebook.cells) {
      if (cell.cell_type === 'code' && typeof cell.id === 'string') {
        cells.set(cell.id, cell as ICodeCell);
      }
    }
  } catch (error) {
    warn(
      `warning: ${(error as Error).message}: edits are not seen, outputs not diffed`
    );
  }
  return cells;
}
