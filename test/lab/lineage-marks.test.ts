/**
 * The lineage marks of a notebook's cells, computed from a graph built with
 * hand-written analyses (the Python analyser has its own tests): what the
 * user sees when a cell is selected or edited.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../src/core/journal/events.js';
import type { ICellAnalysis } from '../../src/core/lineage/cell-analysis.js';
import {
  buildLineage,
  type ILineageGraph
} from '../../src/core/lineage/graph.js';
import { foldJournal } from '../../src/core/projection/journal-state.js';
import {
  computeMarks,
  describeMark,
  type ICellMark
} from '../../src/lab/lineage/marks.js';
import {
  created,
  finished,
  requested,
  sessionStarted,
  sha256,
  started
} from '../core/fixtures/journals.js';
import { analysisOf } from './analyses.js';

interface IRun {
  readonly cell: string;
  readonly reads?: string[];
  readonly writes?: string[];
}

/** One session running `runs` in order; each run's source is distinct. */
function graphOf(runs: IRun[]): {
  graph: ILineageGraph;
  sources: Map<string, string>;
} {
  const analyses = new Map<string, ICellAnalysis>();
  const sources = new Map<string, string>();
  const events: JournalEvent[] = [created(), sessionStarted(0, 's1')];
  runs.forEach((run, i) => {
    const source = `# ${run.cell}: ${(run.writes ?? []).join(',')} = f(${(run.reads ?? []).join(',')})`;
    sources.set(run.cell, source);
    analyses.set(source, analysisOf(run.reads ?? [], run.writes ?? []));
    events.push(
      requested(i + 1, 's1', `e${i}`, source, run.cell),
      started(i + 1.1, `e${i}`, i + 1),
      finished(i + 1.5, `e${i}`, 'ok')
    );
  });
  const graph = buildLineage(foldJournal(events), {
    analyze: source => analyses.get(source)
  });
  return { graph, sources };
}

/** Every cell's source unchanged since it ran. */
function unchanged(sources: Map<string, string>): Map<string, string> {
  return new Map([...sources].map(([cell, source]) => [cell, sha256(source)]));
}

function roles(marks: Map<string, ICellMark>): Record<string, string[]> {
  return Object.fromEntries(
    [...marks]
      .filter(([, mark]) => mark.roles.length > 0)
      .map(([cell, mark]) => [cell, [...mark.roles]])
  );
}

const PIPELINE: IRun[] = [
  { cell: 'load', writes: ['raw'] },
  { cell: 'clean', reads: ['raw'], writes: ['data'] },
  { cell: 'unrelated', writes: ['other'] },
  { cell: 'train', reads: ['data'], writes: ['model'] },
  { cell: 'plot', reads: ['model'] }
];

test('selecting a cell marks the cells it came from as upstream and those built on it as downstream', () => {
  const { graph, sources } = graphOf(PIPELINE);
  const marks = computeMarks(graph, 'train', unchanged(sources));
  assert.deepEqual(roles(marks), {
    load: ['upstream'],
    clean: ['upstream'],
    plot: ['downstream']
  });
  assert.ok(!marks.has('train'), 'the selected cell itself is not marked');
  assert.ok(!marks.has('unrelated'));
});

test('without a selected cell (or one that never ran) no cell is upstream or downstream', () => {
  const { graph, sources } = graphOf(PIPELINE);
  assert.equal(computeMarks(graph, undefined, unchanged(sources)).size, 0);
  assert.equal(computeMarks(graph, 'never-ran', unchanged(sources)).size, 0);
});

test('a cell whose source was edited since it ran is stale, and so is what was built on it', () => {
  const { graph, sources } = graphOf(PIPELINE);
  const current = unchanged(sources);
  current.set('clean', sha256('# clean, edited'));
  const marks = computeMarks(graph, undefined, current);
  assert.deepEqual(marks.get('clean')?.stale, { kind: 'edited' });
  assert.deepEqual(marks.get('train')?.stale, {
    kind: 'upstream-stale',
    cellId: 'clean'
  });
  assert.deepEqual(marks.get('plot')?.stale, {
    kind: 'upstream-stale',
    cellId: 'clean'
  });
  assert.ok(!marks.has('load'));
  assert.ok(!marks.has('unrelated'));
});

test('a cell that used a value regenerated since is stale, naming the value and the cell', () => {
  const { graph, sources } = graphOf([
    ...PIPELINE,
    // `load` runs again: `raw` is a new version; `clean` used the old one.
    { cell: 'load', writes: ['raw'] }
  ]);
  const marks = computeMarks(graph, undefined, unchanged(sources));
  assert.deepEqual(marks.get('clean')?.stale, {
    kind: 'input-changed',
    name: 'raw',
    by: 'load'
  });
  assert.ok(!marks.get('load')?.stale, 'the re-run cell is current');
});

test('lineage and staleness mark one cell together', () => {
  const { graph, sources } = graphOf(PIPELINE);
  const current = unchanged(sources);
  current.set('load', sha256('# load, edited'));
  const marks = computeMarks(graph, 'train', current);
  assert.deepEqual(marks.get('load'), {
    roles: ['upstream'],
    stale: { kind: 'edited' }
  });
});

test('a mark is described in words, naming cells as the user sees them', () => {
  const label = (cellId: string) => `cell ${cellId}`;
  assert.equal(
    describeMark({ roles: ['upstream'], stale: { kind: 'edited' } }, label),
    'Upstream: the selected cell’s result was built on this cell. ' +
      'Stale: its source was edited since it last ran.'
  );
  assert.equal(
    describeMark(
      {
        roles: ['downstream'],
        stale: { kind: 'input-changed', name: 'raw', by: 'load' }
      },
      label
    ),
    'Downstream: this cell’s result was built on the selected cell. ' +
      'Stale: it used raw, which cell load has changed since.'
  );
  assert.equal(
    describeMark(
      { roles: [], stale: { kind: 'upstream-stale', cellId: 'clean' } },
      label
    ),
    'Stale: it depends on cell clean, which is stale.'
  );
});
