/**
 * A short summary of a journal, for people (`nbprov info`): sessions,
 * executions by status, the time span, and the cells that took longest.
 */

import { executionInterval, foldJournal } from './journal-state.js';
import { RUNNING_STATUS } from './prov.js';

/** Total time spent in one cell (or in code sent without a cell). */
export interface ICellTime {
  /** The cell id, or `null` for code that was not sent from a cell. */
  readonly cellId: string | null;
  readonly executions: number;
  readonly wallSeconds: number;
}

export interface IJournalSummary {
  readonly journalId?: string;
  readonly notebookPath?: string;
  readonly sessions: number;
  readonly executions: number;
  /** Executions per status; unfinished ones count as `running`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Earliest start and latest end of any execution. */
  readonly firstStart?: string;
  readonly lastEnd?: string;
  /** Cells by total wall time, longest first. */
  readonly topCells: readonly ICellTime[];
}

/** Summarises a journal; `top` bounds the list of cells. */
export function summarizeJournal(
  events: Parameters<typeof foldJournal>[0],
  top = 5
): IJournalSummary {
  const state = foldJournal(events);
  const byStatus: Record<string, number> = {};
  const cells = new Map<string | null, { executions: number; ms: number }>();
  let firstStart: string | undefined;
  let lastEnd: string | undefined;
  for (const execution of state.executions.values()) {
    const status = execution.finished?.status ?? RUNNING_STATUS;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const { start, end } = executionInterval(execution);
    if (
      start !== undefined &&
      (firstStart === undefined || start < firstStart)
    ) {
      firstStart = start;
    }
    if (end !== undefined && (lastEnd === undefined || end > lastEnd)) {
      lastEnd = end;
    }
    const key = execution.requested.cellId ?? null;
    const cell = cells.get(key) ?? { executions: 0, ms: 0 };
    cell.executions += 1;
    if (start !== undefined && end !== undefined) {
      cell.ms += Date.parse(end) - Date.parse(start);
    }
    cells.set(key, cell);
  }
  const topCells = [...cells.entries()]
    .map(([cellId, c]) => ({
      cellId,
      executions: c.executions,
      wallSeconds: c.ms / 1000
    }))
    .sort((a, b) => b.wallSeconds - a.wallSeconds)
    .slice(0, top);
  return {
    journalId: state.journalId,
    notebookPath: state.notebookPath,
    sessions: state.sessions.size,
    executions: state.executions.size,
    byStatus,
    firstStart,
    lastEnd,
    topCells
  };
}
