/**
 * The report of a replay: per replayed execution, whether it reproduced the
 * recorded one, which outputs differ (previews, and a line diff where both
 * texts are known), and the `replay.finished` event that links the replay to
 * what it replayed. Pure: the runner gathers the inputs.
 */

import {
  JOURNAL_FORMAT_VERSION,
  type CellId,
  type ExecutionId,
  type IReplayFinishedEvent,
  type IsoTime,
  type JournalId,
  type SessionId
} from '../../../core/journal/index.js';
import {
  compareExecutions,
  textDiff,
  type IOutputDifference,
  type ReplayVerdict
} from '../../../core/lineage/index.js';
import type { IJournalState } from '../../../core/projection/journal-state.js';
import { runName, type IReplayStep } from './plan.js';

export interface IReportDifference extends IOutputDifference {
  /** `-` recorded / `+` replayed lines, where both texts are known. */
  readonly diff?: string;
}

export interface IReportRow {
  readonly step: IReplayStep;
  /** `[7]` (the recorded execution count) or `run #n`. */
  readonly run: string;
  /** The first line of the code that ran. */
  readonly firstLine: string;
  readonly verdict: ReplayVerdict;
  /** The replay's execution, when it ran. */
  readonly replayed?: ExecutionId;
  /** Why it failed, or what limits the comparison. */
  readonly note?: string;
  readonly differences: readonly IReportDifference[];
}

export interface IReplayReport {
  /** The worst verdict of the rows; `failed` when the replay stopped early. */
  readonly verdict: ReplayVerdict;
  readonly rows: readonly IReportRow[];
  /** Why the replay stopped before its last execution, if it did. */
  readonly stopped?: string;
}

export interface IReportInput {
  readonly steps: readonly IReplayStep[];
  /** The replay's own recording (its kernel session). */
  readonly replayed: IJournalState;
  /** Recorded ordinal → the replay's execution id, for the steps that were sent. */
  readonly replayedIds: ReadonlyMap<number, ExecutionId>;
  /** Recorded ordinal → output texts where the notebook still shows them. */
  readonly recordedTexts: ReadonlyMap<number, ReadonlyMap<string, string>>;
  /** Recorded ordinal → output texts of the replay. */
  readonly replayedTexts: ReadonlyMap<number, ReadonlyMap<string, string>>;
  /** Why the replay stopped early (cancelled, kernel died). */
  readonly stopped?: string;
}

const SEVERITY: Record<ReplayVerdict, number> = {
  reproduced: 0,
  differs: 1,
  failed: 2
};

export function buildReport(input: IReportInput): IReplayReport {
  const rows = input.steps.map(step => row(step, input));
  let verdict: ReplayVerdict = input.stopped ? 'failed' : 'reproduced';
  for (const { verdict: v } of rows) {
    if (SEVERITY[v] > SEVERITY[verdict]) {
      verdict = v;
    }
  }
  return {
    verdict,
    rows,
    ...(input.stopped !== undefined ? { stopped: input.stopped } : {})
  };
}

function row(step: IReplayStep, input: IReportInput): IReportRow {
  const base = {
    step,
    run: runName(step.recorded),
    firstLine: firstLine(step.source)
  };
  const id = input.replayedIds.get(step.ordinal);
  const replayed =
    id !== undefined ? input.replayed.executions.get(id) : undefined;
  if (id === undefined || !replayed?.finished) {
    return {
      ...base,
      verdict: 'failed',
      ...(id !== undefined ? { replayed: id } : {}),
      note:
        id === undefined
          ? `not run${input.stopped ? `: ${input.stopped}` : ''}`
          : `did not finish${input.stopped ? `: ${input.stopped}` : ''}`,
      differences: []
    };
  }
  const comparison = compareExecutions(step.recorded, replayed);
  const recordedTexts = input.recordedTexts.get(step.ordinal);
  const replayedTexts = input.replayedTexts.get(step.ordinal);
  const differences = comparison.differences.map(d => {
    const before = recordedTexts?.get(d.output);
    const after = replayedTexts?.get(d.output);
    if (before !== undefined && after !== undefined) {
      return { ...d, diff: textDiff(before, after) };
    }
    // Previews are in the journal only when the setting keeps them.
    const recordedPreview = d.recordedPreview ?? preview(before);
    const replayedPreview = d.replayedPreview ?? preview(after);
    return {
      ...d,
      ...(recordedPreview !== undefined ? { recordedPreview } : {}),
      ...(replayedPreview !== undefined ? { replayedPreview } : {})
    };
  });
  const notes: string[] = [];
  if (comparison.recordedStatus !== comparison.replayedStatus) {
    const error = replayed.finished.error;
    notes.push(
      `recorded ${comparison.recordedStatus}, replayed ${comparison.replayedStatus}` +
        (error ? ` (${error.ename}: ${error.evalue})` : '')
    );
  }
  if (comparison.caveat) {
    notes.push(comparison.caveat);
  }
  return {
    ...base,
    verdict: comparison.verdict,
    replayed: id,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    differences
  };
}

export interface IReplayLink {
  /** The replay kernel's session in the replay journal. */
  readonly session: SessionId;
  /** The journal the replayed executions are recorded in. */
  readonly journal: JournalId;
  readonly notebookPath: string;
  readonly cellId: string | undefined;
  readonly target: ExecutionId;
}

/** The last event of a replay's journal session (core/journal/events.ts). */
export function replayFinishedEvent(
  report: IReplayReport,
  link: IReplayLink,
  t: IsoTime
): IReplayFinishedEvent {
  return {
    v: JOURNAL_FORMAT_VERSION,
    t,
    kind: 'replay.finished',
    session: link.session,
    of: {
      journal: link.journal,
      notebookPath: link.notebookPath,
      ...(link.cellId !== undefined ? { cellId: link.cellId as CellId } : {}),
      execution: link.target
    },
    verdict: report.verdict,
    executions: report.rows.map(r => ({
      ...(r.replayed !== undefined ? { execution: r.replayed } : {}),
      replayOf: r.step.recorded.requested.execution,
      replayOfOrdinal: r.step.ordinal,
      verdict: r.verdict
    }))
  };
}

function firstLine(source: string): string {
  const line = source.split('\n').find(l => l.trim() !== '') ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

const PREVIEW_CHARS = 200;

function preview(text: string | undefined): string | undefined {
  if (text === undefined) {
    return undefined;
  }
  return text.length > PREVIEW_CHARS
    ? `${text.slice(0, PREVIEW_CHARS)}…`
    : text;
}
