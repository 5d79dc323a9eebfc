/**
 * What "Replay Lineage" runs, decided before any kernel starts: the
 * minimal upstream slice of the cell's latest execution, in recorded order,
 * with the sources as they ran (not the cells' text today), and the
 * kernelspec to run them in. Pure; the reasons it refuses are for the user.
 */

import type { KernelSpec } from '@jupyterlab/services';
import {
  replaySlice,
  type IExecutionLineage,
  type ILineageGraph
} from '../../../core/lineage/index.js';
import type { IExecutionState } from '../../../core/projection/journal-state.js';
import { KERNELSPEC_METADATA_KEY } from '../../../core/protocol/index.js';

export interface IReplayStep {
  /** The recorded execution's journal ordinal. */
  readonly ordinal: number;
  readonly recorded: IExecutionState;
  readonly cellId: string | undefined;
  /** The code as it ran. */
  readonly source: string;
}

export interface IReplayPlan {
  /** The execution whose lineage is replayed (the cell's latest). */
  readonly target: IExecutionLineage;
  /** Its upstream slice and itself, in journal order. */
  readonly steps: readonly IReplayStep[];
  /**
   * True when some code its session ran could not be analysed (no analyser
   * for the kernel's language): its dependencies are unknown, so the
   * replay runs everything the session ran up to it, which is sure to hold
   * them.
   */
  readonly wholeSession: boolean;
}

export type ReplayPlanResult =
  | { readonly ok: true; readonly plan: IReplayPlan }
  | { readonly ok: false; readonly reason: string };

/**
 * The replay of `cellId`'s latest execution. `label` names a cell for the
 * user ("cell 3").
 */
export function planReplay(
  graph: ILineageGraph,
  cellId: string,
  label: (cellId: string | undefined) => string
): ReplayPlanResult {
  const target = graph.latestByCell.get(cellId);
  if (!target) {
    return {
      ok: false,
      reason:
        `${capitalise(label(cellId))} has no recorded execution. Run it ` +
        'with provenance recording on, then replay its lineage.'
    };
  }
  const slice = replaySlice(graph, target.ordinal);
  // Everything the target's kernel session ran up to it: where one of
  // these could not be analysed, what it defined is unknown, and it may be
  // upstream.
  const session = target.execution.requested.session;
  const prefix = graph.executions.filter(
    e =>
      e.ordinal <= target.ordinal && e.execution.requested.session === session
  );
  const missing = union(slice, prefix).filter(
    e => e.execution.requested.source === undefined
  );
  if (missing.length > 0) {
    const which = missing
      .map(e => `${label(e.cellId)} (${runName(e.execution)})`)
      .join(', ');
    return {
      ok: false,
      reason:
        `The code of ${missing.length} execution(s) this lineage may depend on ` +
        `was not recorded (the “Record code” setting was off when they ran): ${which}. ` +
        'Turn “Record code” on and run them again to replay this lineage.'
    };
  }
  const unanalysed = prefix.some(e => e.analysis === undefined);
  const steps = unanalysed ? union(slice, prefix) : slice;
  return {
    ok: true,
    plan: {
      target,
      steps: steps.map(e => ({
        ordinal: e.ordinal,
        recorded: e.execution,
        cellId: e.cellId,
        source: e.execution.requested.source as string
      })),
      wholeSession: unanalysed
    }
  };
}

/** Executions of both lists, once each, in journal order. */
function union(
  a: readonly IExecutionLineage[],
  b: readonly IExecutionLineage[]
): IExecutionLineage[] {
  const all = new Map<number, IExecutionLineage>();
  for (const e of [...a, ...b]) {
    all.set(e.ordinal, e);
  }
  return [...all.values()].sort((x, y) => x.ordinal - y.ordinal);
}

/** `[7]` for an execution the kernel counted as 7, else `run #<ordinal>`. */
export function runName(execution: IExecutionState): string {
  const count =
    execution.finished?.executionCount ?? execution.started?.executionCount;
  return count !== undefined ? `[${count}]` : `run #${execution.ordinal}`;
}

/**
 * The kernelspec a replay runs in: the one the target execution ran in.
 * The notebook's current kernelspec is taken when it is that one or wraps
 * it (the agent records the kernel it wraps under the wrapped name), so a
 * notebook run through the agent is replayed through the agent too.
 */
export function replayKernelName(
  recorded: string | undefined,
  current: string | undefined,
  specs: KernelSpec.ISpecModels | null
): string | undefined {
  const wraps = (name: string): unknown => {
    const metadata = specs?.kernelspecs[name]?.metadata;
    const agent = metadata?.[KERNELSPEC_METADATA_KEY];
    return typeof agent === 'object' && agent !== null
      ? (agent as { wraps?: unknown }).wraps
      : undefined;
  };
  if (
    current !== undefined &&
    (recorded === undefined ||
      current === recorded ||
      wraps(current) === recorded)
  ) {
    return current;
  }
  if (recorded !== undefined && specs?.kernelspecs[recorded]) {
    return recorded;
  }
  return current ?? recorded ?? specs?.default;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
