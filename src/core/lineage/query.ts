/**
 * Questions asked of a lineage graph: what a cell's latest result came from
 * (upstream), what was built from it (downstream), which cells are stale,
 * and the slice of executions a replay must run.
 */

import type { IExecutionLineage, ILineageGraph } from './graph.js';

/** Ordinals of every execution `ordinal` depends on, transitively, ascending; itself excluded. */
export function upstreamOf(graph: ILineageGraph, ordinal: number): number[] {
  return closure(ordinal, o => graph.byOrdinal.get(o)?.upstream ?? []);
}

/** Ordinals of every execution that depends on `ordinal`, transitively, ascending; itself excluded. */
export function downstreamOf(graph: ILineageGraph, ordinal: number): number[] {
  return closure(ordinal, o => graph.downstream.get(o) ?? []);
}

export interface ICellLineage {
  readonly cellId: string;
  /** The cell's latest execution, which the answer is about. */
  readonly execution: IExecutionLineage;
  /** Cells whose executions the latest one depends on, transitively, in notebook-run order. */
  readonly upstreamCells: string[];
  /** Cells whose latest executions depend on this one, transitively, in run order. */
  readonly downstreamCells: string[];
  /** Files the execution read and wrote (paths as normalised). */
  readonly filesRead: string[];
  readonly filesWritten: string[];
}

/** The lineage of a cell's latest execution; undefined when the cell never ran. */
export function cellLineage(
  graph: ILineageGraph,
  cellId: string
): ICellLineage | undefined {
  const execution = graph.latestByCell.get(cellId);
  if (!execution) {
    return undefined;
  }
  const upstream = upstreamOf(graph, execution.ordinal);
  // Only the current result of a cell counts as built from this one: a
  // cell re-run since on other inputs no longer is.
  const downstream = downstreamOf(graph, execution.ordinal).filter(o => {
    const cell = graph.byOrdinal.get(o)?.cellId;
    return cell !== undefined && graph.latestByCell.get(cell)?.ordinal === o;
  });
  return {
    cellId,
    execution,
    upstreamCells: cellsOf(graph, upstream, cellId),
    downstreamCells: cellsOf(graph, downstream, cellId),
    filesRead: filePaths(execution.used),
    filesWritten: filePaths(execution.generated)
  };
}

/** The executions a replay of `ordinal` runs: its upstream and itself, in journal order. */
export function replaySlice(
  graph: ILineageGraph,
  ordinal: number
): IExecutionLineage[] {
  const ordinals = [...upstreamOf(graph, ordinal), ordinal];
  return ordinals
    .map(o => graph.byOrdinal.get(o))
    .filter((e): e is IExecutionLineage => e !== undefined);
}

/** Why a cell's current result may no longer be what running it again would give. */
export type StaleReason =
  /** Its source changed since its latest execution. */
  | { readonly kind: 'edited' }
  /** A value it used has been regenerated since (by the named cell, if any). */
  | {
      readonly kind: 'input-changed';
      readonly name: string;
      readonly by: string | undefined;
    }
  /** A cell it depends on is stale. */
  | { readonly kind: 'upstream-stale'; readonly cellId: string };

/**
 * Stale cells and why, each cell's latest execution judged.
 * `currentSha256` gives each cell's source as it is now (sha256 of the UTF-8
 * text), where the caller knows it; without it edits are not seen.
 */
export function staleCells(
  graph: ILineageGraph,
  currentSha256: ReadonlyMap<string, string> = new Map()
): Map<string, StaleReason> {
  const stale = new Map<string, StaleReason>();
  const superseded = supersededVersions(graph);
  for (const [cellId, execution] of graph.latestByCell) {
    const now = currentSha256.get(cellId);
    if (
      now !== undefined &&
      now !== execution.execution.requested.sourceSha256
    ) {
      stale.set(cellId, { kind: 'edited' });
      continue;
    }
    for (const version of execution.used) {
      const by = superseded.get(version.id);
      // Its own change of a value it read (`x += 1`) does not make it stale.
      if (by !== undefined && by !== execution.ordinal) {
        stale.set(cellId, {
          kind: 'input-changed',
          name: version.kind === 'variable' ? version.name : version.path,
          by: graph.byOrdinal.get(by)?.cellId
        });
        break;
      }
    }
  }
  // Staleness flows down: a result built on a stale one is stale too.
  const direct = [...stale.keys()];
  for (const cellId of direct) {
    const execution = graph.latestByCell.get(cellId);
    if (!execution) {
      continue;
    }
    for (const downstream of cellLineage(graph, cellId)?.downstreamCells ??
      []) {
      if (!stale.has(downstream)) {
        stale.set(downstream, { kind: 'upstream-stale', cellId });
      }
    }
  }
  return stale;
}

/** Version id → ordinal of the first execution that replaced it, for versions replaced since. */
function supersededVersions(graph: ILineageGraph): Map<string, number> {
  const superseded = new Map<string, number>();
  for (const execution of graph.executions) {
    for (const version of execution.generated) {
      if (version.previous && !superseded.has(version.previous.id)) {
        superseded.set(version.previous.id, execution.ordinal);
      }
    }
  }
  return superseded;
}

function closure(
  start: number,
  next: (ordinal: number) => readonly number[]
): number[] {
  const seen = new Set<number>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const ordinal = stack.pop() as number;
    if (ordinal === start || seen.has(ordinal)) {
      continue;
    }
    seen.add(ordinal);
    stack.push(...next(ordinal));
  }
  return [...seen].sort((a, b) => a - b);
}

/** Distinct cell ids of executions, in order, leaving out `except`. */
function cellsOf(
  graph: ILineageGraph,
  ordinals: readonly number[],
  except: string
): string[] {
  const cells = new Set<string>();
  for (const ordinal of ordinals) {
    const cellId = graph.byOrdinal.get(ordinal)?.cellId;
    if (cellId !== undefined && cellId !== except) {
      cells.add(cellId);
    }
  }
  return [...cells];
}

function filePaths(versions: IExecutionLineage['used']): string[] {
  const paths = new Set<string>();
  for (const version of versions) {
    if (version.kind === 'file') {
      paths.add(version.path);
    }
  }
  return [...paths];
}
