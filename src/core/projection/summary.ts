/**
 * A short summary of a journal, for people (`nbprov info`): sessions,
 * executions by status, the time span, and the cells that took longest.
 */

import {
  aggregateExecutions,
  peakMemoryBytes
} from '../resources/aggregate.js';
import { executionInterval, foldJournal } from './journal-state.js';
import { RUNNING_STATUS } from './prov.js';

/** Total time spent in one cell (or in code sent without a cell). */
export interface ICellTime {
  /** The cell id, or `null` for code that was not sent from a cell. */
  readonly cellId: string | null;
  readonly executions: number;
  readonly wallSeconds: number;
  /** Summed over the cell's executions that have resource figures. */
  readonly cpuSeconds?: number;
  /** The largest memory figure of any execution (RSS, else PSS, else the kernel's own). */
  readonly peakMemoryBytes?: number;
  readonly gpuSeconds?: number;
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
  const resources = aggregateExecutions(events);
  const byStatus: Record<string, number> = {};
  const cells = new Map<
    string | null,
    {
      executions: number;
      ms: number;
      cpuSeconds?: number;
      peakMemoryBytes?: number;
      gpuSeconds?: number;
    }
  >();
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
    const figures = resources.get(execution.requested.execution);
    if (figures !== undefined) {
      cell.cpuSeconds = (cell.cpuSeconds ?? 0) + figures.cpuSeconds;
      const memory = peakMemoryBytes(figures);
      if (memory !== undefined) {
        cell.peakMemoryBytes = Math.max(cell.peakMemoryBytes ?? 0, memory);
      }
      if (figures.gpuSeconds !== undefined) {
        cell.gpuSeconds = (cell.gpuSeconds ?? 0) + figures.gpuSeconds;
      }
    }
    cells.set(key, cell);
  }
  const topCells = [...cells.entries()]
    .map(([cellId, c]) => ({
      cellId,
      executions: c.executions,
      wallSeconds: c.ms / 1000,
      ...(c.cpuSeconds !== undefined
        ? { cpuSeconds: Math.round(c.cpuSeconds * 1000) / 1000 }
        : {}),
      ...(c.peakMemoryBytes !== undefined
        ? { peakMemoryBytes: c.peakMemoryBytes }
        : {}),
      ...(c.gpuSeconds !== undefined
        ? { gpuSeconds: Math.round(c.gpuSeconds * 1000) / 1000 }
        : {})
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
