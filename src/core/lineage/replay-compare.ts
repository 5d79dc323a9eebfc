/**
 * Did a replayed execution reproduce the recorded one? Compared by digests
 * only (the journal keeps no output text): the outputs that are not
 * streams one by one, in order, by sha256; each stream as its whole text
 * (`execution.finished.streams`), since how the kernel split it into
 * messages depends on timing. A text diff is made where the caller has both
 * texts (the notebook file keeps the latest outputs).
 */

import { diffLines } from 'diff';
import type {
  IExecutionOutputEvent,
  ReplayVerdict
} from '../journal/events.js';
import type { IExecutionState } from '../projection/journal-state.js';

export type { ReplayVerdict };

/** One output, or one stream's whole text, that the two runs disagree on. */
export interface IOutputDifference {
  /** `stdout`/`stderr` for a stream; else the output's place among the non-stream outputs, from 0. */
  readonly output: string;
  readonly change: 'changed' | 'missing' | 'extra';
  readonly recordedPreview?: string;
  readonly replayedPreview?: string;
}

export interface IExecutionComparison {
  readonly verdict: ReplayVerdict;
  readonly recordedStatus: string;
  readonly replayedStatus: string;
  readonly differences: readonly IOutputDifference[];
  /** Why the comparison could not be made exactly, when it could not. */
  readonly caveat?: string;
}

type Run = Pick<IExecutionState, 'outputs' | 'finished'>;

export function compareExecutions(
  recorded: Run,
  replayed: Run
): IExecutionComparison {
  const recordedStatus = recorded.finished?.status ?? 'running';
  const replayedStatus = replayed.finished?.status ?? 'running';
  if (replayedStatus !== 'ok' && replayedStatus !== recordedStatus) {
    return {
      verdict: 'failed',
      recordedStatus,
      replayedStatus,
      differences: []
    };
  }
  const differences: IOutputDifference[] = [];
  const a = displayed(recorded);
  const b = displayed(replayed);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const change =
      a[i] === undefined
        ? 'extra'
        : b[i] === undefined
          ? 'missing'
          : !sameOutput(a[i], b[i], recorded, replayed)
            ? 'changed'
            : undefined;
    if (change) {
      differences.push(
        difference(`${i} (${(a[i] ?? b[i]).outputType})`, change, a[i], b[i])
      );
    }
  }
  const streams = compareStreams(recorded, replayed);
  differences.push(...streams.differences);
  return {
    verdict:
      differences.length > 0 || recordedStatus !== replayedStatus
        ? 'differs'
        : 'reproduced',
    recordedStatus,
    replayedStatus,
    differences,
    ...(streams.caveat ? { caveat: streams.caveat } : {})
  };
}

/** A line diff of two texts, `-`/`+`/` ` prefixed, for a report. */
export function textDiff(recorded: string, replayed: string): string {
  const lines: string[] = [];
  for (const part of diffLines(recorded, replayed)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    for (const line of part.value.replace(/\n$/, '').split('\n')) {
      lines.push(mark + line);
    }
  }
  return lines.join('\n');
}

/**
 * An error's traceback names the execution count (`Cell In[7]`), which a
 * replay does not keep: errors are the same when their name and message are.
 */
function sameOutput(
  a: IExecutionOutputEvent,
  b: IExecutionOutputEvent,
  recorded: Run,
  replayed: Run
): boolean {
  const x = recorded.finished?.error;
  const y = replayed.finished?.error;
  if (a.outputType === 'error' && b.outputType === 'error' && x && y) {
    return x.ename === y.ename && x.evalue === y.evalue;
  }
  return a.sha256 === b.sha256;
}

function displayed(run: Run): IExecutionOutputEvent[] {
  return [...run.outputs.values()]
    .filter(o => o.outputType !== 'stream')
    .sort((x, y) => x.index - y.index);
}

function compareStreams(
  recorded: Run,
  replayed: Run
): { differences: IOutputDifference[]; caveat?: string } {
  const a = recorded.finished?.streams;
  const b = replayed.finished?.streams;
  const previews = (run: Run, name: string) =>
    [...run.outputs.values()]
      .filter(o => o.outputType === 'stream' && o.streamName === name)
      .sort((x, y) => x.index - y.index);
  if (a === undefined && hasStreams(recorded)) {
    // A journal from before whole-stream digests: compare message by
    // message, which can report a difference in chunking as one in text.
    return {
      differences: chunkDifferences(recorded, replayed),
      caveat:
        'the recording predates whole-stream digests: streams compared message by message'
    };
  }
  const differences: IOutputDifference[] = [];
  const names = new Set([...(a ?? []), ...(b ?? [])].map(s => s.name));
  for (const name of names) {
    const x = a?.find(s => s.name === name);
    const y = b?.find(s => s.name === name);
    if (x?.sha256 === y?.sha256) {
      continue;
    }
    differences.push(
      difference(
        name,
        x === undefined ? 'extra' : y === undefined ? 'missing' : 'changed',
        previews(recorded, name)[0],
        previews(replayed, name)[0]
      )
    );
  }
  return { differences };
}

function chunkDifferences(recorded: Run, replayed: Run): IOutputDifference[] {
  const chunks = (run: Run) =>
    [...run.outputs.values()]
      .filter(o => o.outputType === 'stream')
      .sort((x, y) => x.index - y.index);
  const a = chunks(recorded);
  const b = chunks(replayed);
  const same =
    a.length === b.length && a.every((o, i) => o.sha256 === b[i].sha256);
  return same ? [] : [difference('streams', 'changed', a[0], b[0])];
}

function hasStreams(run: Run): boolean {
  return [...run.outputs.values()].some(o => o.outputType === 'stream');
}

function difference(
  output: string,
  change: IOutputDifference['change'],
  recorded: IExecutionOutputEvent | undefined,
  replayed: IExecutionOutputEvent | undefined
): IOutputDifference {
  return {
    output,
    change,
    ...(recorded?.preview !== undefined
      ? { recordedPreview: recorded.preview }
      : {}),
    ...(replayed?.preview !== undefined
      ? { replayedPreview: replayed.preview }
      : {})
  };
}
