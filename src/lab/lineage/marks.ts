/**
 * Which cells of a notebook carry a lineage mark, and what the mark says:
 * upstream or downstream of the selected cell, and stale. Pure (core
 * lineage queries in, plain data out), so it is tested without a browser;
 * `cell-marks.ts` draws the result.
 */

import {
  cellLineage,
  staleCells,
  type ILineageGraph,
  type StaleReason
} from '../../core/lineage/index.js';

/** How a cell relates to the selected cell. */
export type LineageRole = 'upstream' | 'downstream';

export interface ICellMark {
  /**
   * Upstream: the selected cell's latest result was built (transitively)
   * on this cell's latest execution. Downstream: this cell's latest result
   * was built on the selected cell's. Both only after re-runs in a cycle.
   */
  readonly roles: readonly LineageRole[];
  /** Why running the cell again may not give its current result. */
  readonly stale?: StaleReason;
}

/**
 * The marks of every cell that has one; cells without a mark are left out.
 *
 * @param selected - the active cell's id; no upstream/downstream marks
 *   without one (or when it never ran).
 * @param currentSha256 - each cell's source as it is now (sha256 of the
 *   UTF-8 text): a cell whose source differs from what its latest execution
 *   ran is stale ('edited').
 */
export function computeMarks(
  graph: ILineageGraph,
  selected: string | undefined,
  currentSha256: ReadonlyMap<string, string>
): Map<string, ICellMark> {
  const roles = new Map<string, LineageRole[]>();
  const lineage =
    selected !== undefined ? cellLineage(graph, selected) : undefined;
  const add = (cellId: string, role: LineageRole): void => {
    const list = roles.get(cellId) ?? [];
    list.push(role);
    roles.set(cellId, list);
  };
  for (const cellId of lineage?.upstreamCells ?? []) {
    add(cellId, 'upstream');
  }
  for (const cellId of lineage?.downstreamCells ?? []) {
    add(cellId, 'downstream');
  }
  const stale = staleCells(graph, currentSha256);
  const marks = new Map<string, ICellMark>();
  for (const cellId of new Set([...roles.keys(), ...stale.keys()])) {
    const reason = stale.get(cellId);
    marks.set(cellId, {
      roles: roles.get(cellId) ?? [],
      ...(reason ? { stale: reason } : {})
    });
  }
  return marks;
}

/**
 * The mark in words, for `title` and `aria-description`: the mark is never
 * shown by colour alone. `label` names a cell for the user ("cell 3").
 */
export function describeMark(
  mark: ICellMark,
  label: (cellId: string) => string
): string {
  const parts: string[] = [];
  if (mark.roles.includes('upstream')) {
    parts.push('Upstream: the selected cell’s result was built on this cell.');
  }
  if (mark.roles.includes('downstream')) {
    parts.push(
      'Downstream: this cell’s result was built on the selected cell.'
    );
  }
  if (mark.stale) {
    parts.push(describeStale(mark.stale, label));
  }
  return parts.join(' ');
}

export function describeStale(
  reason: StaleReason,
  label: (cellId: string) => string
): string {
  switch (reason.kind) {
    case 'edited':
      return 'Stale: its source was edited since it last ran.';
    case 'input-changed':
      return reason.by !== undefined
        ? `Stale: it used ${reason.name}, which ${label(reason.by)} has changed since.`
        : `Stale: it used ${reason.name}, which has changed since.`;
    case 'upstream-stale':
      return `Stale: it depends on ${label(reason.cellId)}, which is stale.`;
  }
}
