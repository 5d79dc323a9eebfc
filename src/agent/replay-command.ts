/**
 * `nbprov replay NOTEBOOK --cell ID [--json]`: re-runs the lineage of a
 * cell's latest execution (its upstream slice, in the recorded order, with
 * the recorded source versions, not today's cell text) in a fresh kernel of
 * the same kernelspec, through the agent, and compares what each execution
 * produced with what was recorded.
 *
 * The replay is recorded like any run, in its own journal beside the
 * notebook (`NAME.replay.provenance.jsonl`, one kernel session per replay),
 * which ends with a `replay.finished` event naming the executions replayed.
 * The user's kernel and the notebook's own journal are never touched.
 */

import type {
  ICodeCell,
  INotebookContent,
  IOutput,
  MultilineString
} from '@jupyterlab/nbformat';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  decodeJournal,
  encodeEvent,
  JOURNAL_FORMAT_VERSION,
  journalPathFor,
  notebookStem,
  type IReplayFinishedEvent,
  type IsoTime,
  type JournalId,
  type ReplayVerdict
} from '../core/journal/index.js';
import {
  compareExecutions,
  replaySlice,
  textDiff,
  type IExecutionLineage,
  type IOutputDifference
} from '../core/lineage/index.js';
import {
  foldJournal,
  type IExecutionState,
  type ISessionState
} from '../core/projection/journal-state.js';
import { JournalCommandError } from './journal-commands.js';
import { notebookLineage } from './lineage-command.js';
import type { IAgentCommand } from './runner/kernel-process.js';
import type { IProgress } from './runner/progress.js';
import { EXIT_KERNEL_FAILED, runNotebookContent } from './runner/run.js';

export interface IReplayOptions {
  readonly notebook: string;
  readonly cellId: string;
  /** Kernelspec to replay in; default the one the execution ran in. */
  readonly kernel?: string;
  readonly timeoutSeconds?: number;
  readonly agent: IAgentCommand;
  readonly progress: IProgress;
  readonly warn: (line: string) => void;
}

export interface IReplayedExecution {
  readonly cell: string | null;
  /** The original execution's `msg_id`. */
  readonly original_execution: string;
  readonly original_execution_count: number | null;
  /** The replay's execution, when it ran. */
  readonly replayed_execution: string | null;
  readonly verdict: ReplayVerdict;
  readonly recorded_status: string;
  readonly replayed_status: string;
  readonly differing_outputs: readonly IOutputDifference[];
  /** A line diff of the outputs' text, where both texts were at hand. */
  readonly diff?: string;
  readonly caveat?: string;
}

export interface IReplayReport {
  readonly cell: string;
  readonly execution: string;
  readonly verdict: ReplayVerdict;
  readonly kernel: string;
  readonly replay_journal: string;
  readonly executions: readonly IReplayedExecution[];
}

/** Replays; resolves with the report and the exit status (0 only if everything reproduced). */
export async function replayCell(
  options: IReplayOptions
): Promise<{ report: IReplayReport; status: number }> {
  const notebookPath = resolve(options.notebook);
  const { graph, journal, savedCells } = notebookLineage(
    notebookPath,
    options.warn
  );
  const target = graph.latestByCell.get(options.cellId);
  if (!target) {
    throw new JournalCommandError(
      `Cell ${options.cellId} has no recorded execution in the journal of ${options.notebook}.`
    );
  }
  const slice = replaySlice(graph, target.ordinal);
  const unrecorded = slice.find(
    e => e.execution.requested.source === undefined
  );
  if (unrecorded) {
    throw new JournalCommandError(
      `Execution ${unrecorded.ordinal} (cell ${unrecorded.cellId ?? 'none'}) was recorded without its code (recording code was off): the lineage cannot be replayed.`
    );
  }
  const kernel =
    options.kernel ??
    target.execution.session?.started.kernel.name ??
    'python3';
  const replayName = join(
    dirname(notebookPath),
    `${notebookStem(basename(notebookPath))}.replay.ipynb`
  );
  const replayJournal = journalPathFor(replayName);
  const sessionsBefore = new Set(readState(replayJournal).sessions.keys());

  const nb = sliceNotebook(slice, kernel);
  const runStatus = await runNotebookContent(
    { nb, notebookPath: replayName, outputPath: undefined },
    {
      kernel,
      allowErrors: true,
      timeoutSeconds: options.timeoutSeconds,
      agent: options.agent,
      progress: options.progress
    }
  );

  const replayed = newSession(readState(replayJournal), sessionsBefore);
  const executions = slice.map((original, i) =>
    compareOne(
      original,
      replayed?.executions[i],
      nb.cells[i] as ICodeCell,
      savedCells
    )
  );
  const verdict = worst(executions.map(e => e.verdict));
  if (replayed && journal.journalId !== undefined) {
    appendReplayFinished(replayJournal, {
      session: replayed.started.session,
      of: {
        journal: journal.journalId as JournalId,
        ...(journal.notebookPath !== undefined
          ? { notebookPath: journal.notebookPath }
          : {}),
        ...(target.execution.requested.cellId !== undefined
          ? { cellId: target.execution.requested.cellId }
          : {}),
        execution: target.execution.requested.execution
      },
      verdict,
      executions: slice.map((original, i) => ({
        ...(replayed.executions[i]
          ? { execution: replayed.executions[i].requested.execution }
          : {}),
        replayOf: original.execution.requested.execution,
        replayOfOrdinal: original.ordinal,
        verdict: executions[i].verdict
      }))
    });
  } else if (!replayed) {
    options.warn(
      `warning: the replay left no session in ${replayJournal}; it is not recorded`
    );
  }
  const report: IReplayReport = {
    cell: options.cellId,
    execution: target.execution.requested.execution,
    verdict,
    kernel,
    replay_journal: replayJournal,
    executions
  };
  const status =
    runStatus === EXIT_KERNEL_FAILED || runStatus >= 128
      ? runStatus
      : verdict === 'reproduced'
        ? 0
        : 1;
  return { report, status };
}

/** The report for people. */
export function describeReplay(report: IReplayReport): string[] {
  const lines = [
    `Replay of cell ${report.cell}: ${report.verdict} (${report.executions.length} executions, kernel ${report.kernel})`
  ];
  for (const e of report.executions) {
    const count =
      e.original_execution_count === null
        ? ''
        : ` [${e.original_execution_count}]`;
    lines.push(`  ${e.verdict.padEnd(10)} cell ${e.cell ?? '(none)'}${count}`);
    if (e.verdict === 'failed') {
      lines.push(
        `    recorded ${e.recorded_status}, replayed ${e.replayed_status}`
      );
    }
    for (const d of e.differing_outputs) {
      lines.push(
        `    output ${d.output} ${d.change}` +
          (d.recordedPreview !== undefined
            ? `; recorded ${JSON.stringify(d.recordedPreview)}`
            : '') +
          (d.replayedPreview !== undefined
            ? `; replayed ${JSON.stringify(d.replayedPreview)}`
            : '')
      );
    }
    if (e.diff !== undefined) {
      lines.push(...e.diff.split('\n').map(line => `    ${line}`));
    }
    if (e.caveat !== undefined) {
      lines.push(`    note: ${e.caveat}`);
    }
  }
  lines.push(`Recorded in ${report.replay_journal}`);
  return lines;
}

/** The slice as a notebook: one code cell per execution, with the code that ran then. */
function sliceNotebook(
  slice: readonly IExecutionLineage[],
  kernel: string
): INotebookContent {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernel, display_name: kernel } },
    cells: slice.map((e): ICodeCell => ({
      cell_type: 'code',
      // A cell run twice in the slice keeps its id both times: the
      // replay journal then shows one cell executed twice, as it was.
      id: e.cellId ?? `replay-${e.ordinal}`,
      source: e.execution.requested.source ?? '',
      metadata: {},
      outputs: [],
      execution_count: null
    }))
  };
}

function readState(path: string) {
  if (!existsSync(path)) {
    return foldJournal([]);
  }
  return foldJournal(decodeJournal(readFileSync(path, 'utf8')).events);
}

function newSession(
  state: ReturnType<typeof foldJournal>,
  before: ReadonlySet<string>
): ISessionState | undefined {
  const fresh = [...state.sessions.values()].filter(
    s => !before.has(s.started.session)
  );
  return fresh[fresh.length - 1];
}

function compareOne(
  original: IExecutionLineage,
  replayed: IExecutionState | undefined,
  replayedCell: ICodeCell,
  saved: ReadonlyMap<string, ICodeCell>
): IReplayedExecution {
  const recorded = original.execution;
  const count =
    recorded.finished?.executionCount ?? recorded.started?.executionCount;
  const base = {
    cell: original.cellId ?? null,
    original_execution: recorded.requested.execution,
    original_execution_count: count ?? null,
    replayed_execution: replayed?.requested.execution ?? null,
    recorded_status: recorded.finished?.status ?? 'running'
  };
  if (!replayed) {
    return {
      ...base,
      verdict: 'failed',
      replayed_status: 'not run',
      differing_outputs: []
    };
  }
  const comparison = compareExecutions(recorded, replayed);
  // The notebook file keeps the text of each cell's latest outputs: when
  // they are this execution's, a diff can show what changed.
  const savedCell =
    original.cellId !== undefined ? saved.get(original.cellId) : undefined;
  const diff =
    comparison.verdict === 'differs' &&
    savedCell !== undefined &&
    count !== undefined &&
    savedCell.execution_count === count
      ? textDiff(
          outputText(savedCell.outputs),
          outputText(replayedCell.outputs)
        )
      : undefined;
  return {
    ...base,
    verdict: comparison.verdict,
    replayed_status: comparison.replayedStatus,
    differing_outputs: comparison.differences,
    ...(diff !== undefined ? { diff } : {}),
    ...(comparison.caveat !== undefined ? { caveat: comparison.caveat } : {})
  };
}

/** What a person reads in the outputs: streams, plain text, errors. */
function outputText(outputs: readonly IOutput[]): string {
  const text = (value: MultilineString | undefined): string =>
    value === undefined ? '' : Array.isArray(value) ? value.join('') : value;
  const parts: string[] = [];
  for (const output of outputs) {
    if (output.output_type === 'stream') {
      parts.push(text(output.text as MultilineString));
    } else if (output.output_type === 'error') {
      parts.push(`${String(output.ename)}: ${String(output.evalue)}\n`);
    } else {
      const data = output.data as Record<string, MultilineString> | undefined;
      const plain = data?.['text/plain'];
      if (plain !== undefined) {
        const value = text(plain);
        parts.push(value.endsWith('\n') ? value : value + '\n');
      }
    }
  }
  return parts.join('');
}

function worst(verdicts: readonly ReplayVerdict[]): ReplayVerdict {
  if (verdicts.includes('failed')) {
    return 'failed';
  }
  return verdicts.includes('differs') ? 'differs' : 'reproduced';
}

/** One line appended after the replay kernel is gone: no other writer then. */
function appendReplayFinished(
  path: string,
  fields: Omit<IReplayFinishedEvent, 'v' | 't' | 'kind'>
): void {
  const event: IReplayFinishedEvent = {
    v: JOURNAL_FORMAT_VERSION,
    t: new Date().toISOString() as IsoTime,
    kind: 'replay.finished',
    ...fields
  };
  appendFileSync(path, encodeEvent(event), { mode: 0o600 });
}
