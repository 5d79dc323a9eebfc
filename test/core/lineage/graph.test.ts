/**
 * The lineage graph's resolution rules, with analyses written by hand (the
 * Python analyser has its own tests): each case is a short session whose
 * dependencies a Python programmer can check by eye.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldJournal } from '../../../src/core/projection/journal-state.js';
import type {
  ICellAnalysis,
  IFunctionEffects,
  NameWriteKind
} from '../../../src/core/lineage/cell-analysis.js';
import {
  buildLineage,
  type ILineageGraph
} from '../../../src/core/lineage/graph.js';
import {
  cellLineage,
  replaySlice,
  staleCells
} from '../../../src/core/lineage/query.js';
import type { JournalEvent } from '../../../src/core/journal/events.js';
import {
  created,
  finished,
  requested,
  sessionStarted,
  sha256,
  started
} from '../fixtures/journals.js';

type Spec = Partial<Omit<ICellAnalysis, 'writes'>> & {
  writes?: [string, NameWriteKind][];
};

function analysis(spec: Spec): ICellAnalysis {
  return {
    parsed: true,
    reads: spec.reads ?? [],
    writes: (spec.writes ?? []).map(([name, kind]) => ({ name, kind })),
    functions: spec.functions ?? [],
    calls: spec.calls ?? [],
    assignments: spec.assignments ?? [],
    files: spec.files ?? [],
    magics: spec.magics ?? [],
    wildcards: spec.wildcards ?? [],
    pathConstants: spec.pathConstants ?? []
  };
}

function fn(
  name: string,
  effects: Partial<IFunctionEffects>
): IFunctionEffects {
  return {
    name,
    reads: effects.reads ?? [],
    writes: effects.writes ?? [],
    mutatedParams: effects.mutatedParams ?? [],
    params: effects.params ?? [],
    calls: effects.calls ?? [],
    files: effects.files ?? []
  };
}

interface ICellRun {
  /** Cell id; its source is `# <cell>` plus a counter so each run is distinct when `edit` is set. */
  cell: string;
  spec: Spec;
  session?: string;
  status?: 'ok' | 'error' | 'aborted';
  source?: string;
}

/** A journal of the runs in order, and the graph built from it. */
function lineageOf(runs: ICellRun[]): ILineageGraph {
  const analyses = new Map<string, ICellAnalysis>();
  const events: JournalEvent[] = [created()];
  const sessions = new Set<string>();
  runs.forEach((run, i) => {
    const session = run.session ?? 's1';
    if (!sessions.has(session)) {
      sessions.add(session);
      events.push(sessionStarted(i, session));
    }
    const source = run.source ?? `# ${run.cell} run ${i}`;
    analyses.set(source, analysis(run.spec));
    events.push(
      requested(i + 0.1, session, `e${i}`, source, run.cell),
      started(i + 0.2, `e${i}`, i + 1),
      finished(i + 0.5, `e${i}`, run.status ?? 'ok')
    );
  });
  return buildLineage(foldJournal(events), {
    analyze: source => analyses.get(source)
  });
}

function upstream(graph: ILineageGraph, cell: string): string[] {
  return cellLineage(graph, cell)?.upstreamCells ?? [];
}

test('a read depends on the newest writer of the name only', () => {
  const graph = lineageOf([
    { cell: 'a', spec: { writes: [['x', 'assigned']] } },
    { cell: 'b', spec: { writes: [['x', 'assigned']] } },
    { cell: 'c', spec: { reads: ['x'] } }
  ]);
  assert.deepEqual(upstream(graph, 'c'), ['b']);
});

test('a restart empties the namespace; files outlive it', () => {
  const graph = lineageOf([
    {
      cell: 'a',
      spec: {
        writes: [['x', 'assigned']],
        files: [{ path: './out/data.csv', mode: 'write', via: 'open' }]
      }
    },
    {
      cell: 'b',
      session: 's2',
      spec: {
        reads: ['x'],
        files: [{ path: 'out/tmp/../data.csv', mode: 'read', via: 'open' }]
      }
    }
  ]);
  const lineage = cellLineage(graph, 'b');
  assert.deepEqual(lineage?.upstreamCells, ['a']);
  assert.deepEqual(lineage?.filesRead, ['out/data.csv']);
  assert.ok(!lineage?.execution.used.some(v => v.kind === 'variable'));
  assert.deepEqual(cellLineage(graph, 'a')?.filesWritten, ['out/data.csv']);
});

test('an in-place change chains to the value it changed', () => {
  const graph = lineageOf([
    { cell: 'make', spec: { writes: [['data', 'assigned']] } },
    {
      cell: 'append',
      spec: { reads: ['data'], writes: [['data', 'mutated']] }
    },
    { cell: 'use', spec: { reads: ['data'] } }
  ]);
  assert.deepEqual(upstream(graph, 'use'), ['make', 'append']);
  assert.deepEqual(graph.latestByCell.get('use')?.upstream, [2]);
});

test('a change through an alias changes every name that may share the object', () => {
  const graph = lineageOf([
    { cell: 'model', spec: { writes: [['model', 'assigned']] } },
    { cell: 'lr', spec: { writes: [['lr', 'assigned']] } },
    {
      cell: 'opt',
      spec: {
        reads: ['model', 'lr'],
        writes: [['opt', 'assigned']],
        assignments: [{ target: 'opt', sources: ['model', 'lr'] }]
      }
    },
    { cell: 'step', spec: { reads: ['opt'], writes: [['opt', 'mutated']] } },
    { cell: 'eval', spec: { reads: ['model'] } }
  ]);
  assert.deepEqual(upstream(graph, 'eval'), ['model', 'lr', 'opt', 'step']);
  assert.deepEqual(graph.latestByCell.get('eval')?.upstream, [4]);
});

test('calling a function reads its free globals as they are at the call', () => {
  const graph = lineageOf([
    { cell: 'lr1', spec: { writes: [['lr', 'assigned']] } },
    {
      cell: 'def',
      spec: {
        writes: [['f', 'defined']],
        functions: [fn('f', { reads: ['lr', 'g'] })]
      }
    },
    {
      cell: 'def-g',
      spec: {
        writes: [['g', 'defined']],
        functions: [fn('g', { reads: ['scale'] })]
      }
    },
    { cell: 'scale', spec: { writes: [['scale', 'assigned']] } },
    { cell: 'lr2', spec: { writes: [['lr', 'assigned']] } },
    {
      cell: 'call',
      spec: { calls: [{ callee: 'f', args: [], keywords: [] }] }
    }
  ]);
  assert.deepEqual(upstream(graph, 'call'), ['def', 'def-g', 'scale', 'lr2']);
});

test('a function that mutates its parameter mutates the global passed to it', () => {
  const graph = lineageOf([
    {
      cell: 'def',
      spec: {
        writes: [['add', 'defined']],
        functions: [fn('add', { params: ['xs', 'v'], mutatedParams: [0] })]
      }
    },
    { cell: 'data', spec: { writes: [['data', 'assigned']] } },
    { cell: 'other', spec: { writes: [['other', 'assigned']] } },
    {
      cell: 'call',
      spec: {
        reads: ['add', 'data', 'other'],
        calls: [{ callee: 'add', args: ['data', 'other'], keywords: [] }]
      }
    },
    {
      cell: 'call-kw',
      spec: {
        reads: ['add', 'other'],
        calls: [
          {
            callee: 'add',
            args: [],
            keywords: [{ name: 'xs', value: 'other' }]
          }
        ]
      }
    },
    { cell: 'use', spec: { reads: ['data'] } },
    { cell: 'use-other', spec: { reads: ['other'] } }
  ]);
  assert.deepEqual(upstream(graph, 'use'), ['def', 'data', 'other', 'call']);
  assert.deepEqual(graph.latestByCell.get('use-other')?.upstream, [5]);
});

test('a global write in a function body happens where it is called', () => {
  const graph = lineageOf([
    {
      cell: 'def',
      spec: {
        writes: [['bump', 'defined']],
        functions: [
          fn('bump', {
            reads: ['n'],
            writes: [{ name: 'n', kind: 'assigned' }]
          })
        ]
      }
    },
    { cell: 'n', spec: { writes: [['n', 'assigned']] } },
    { cell: 'call', spec: { reads: ['bump'] } },
    { cell: 'use', spec: { reads: ['n'] } }
  ]);
  assert.deepEqual(graph.latestByCell.get('use')?.upstream, [3]);
  assert.deepEqual(upstream(graph, 'use'), ['def', 'n', 'call']);
});

test('an instance carries its class methods: reading it reads their globals now', () => {
  const graph = lineageOf([
    {
      cell: 'class',
      spec: {
        writes: [['Scaler', 'defined']],
        functions: [fn('Scaler', { reads: ['factor'] })]
      }
    },
    {
      cell: 'make',
      spec: {
        reads: ['Scaler'],
        writes: [['s', 'assigned']],
        assignments: [{ target: 's', sources: ['Scaler'] }]
      }
    },
    { cell: 'factor', spec: { writes: [['factor', 'assigned']] } },
    { cell: 'use', spec: { reads: ['s'] } }
  ]);
  assert.deepEqual(upstream(graph, 'use'), ['class', 'make', 'factor']);
});

test('deleted names are gone for later readers; aborted executions never ran', () => {
  const graph = lineageOf([
    { cell: 'a', spec: { writes: [['x', 'assigned']] } },
    { cell: 'del', spec: { writes: [['x', 'deleted']] } },
    { cell: 'lost', status: 'aborted', spec: { writes: [['x', 'assigned']] } },
    { cell: 'b', spec: { reads: ['x'] } }
  ]);
  assert.deepEqual(upstream(graph, 'b'), []);
  assert.equal(graph.latestByCell.get('lost'), undefined);
  const deleted = graph.latestByCell.get('del')?.generated[0];
  assert.equal(deleted?.kind === 'variable' && deleted.how, 'deleted');
});

test('one version per name per execution, derived from the one before it', () => {
  const graph = lineageOf([
    { cell: 'a', spec: { writes: [['x', 'assigned']] } },
    {
      cell: 'b',
      spec: {
        reads: ['x'],
        writes: [
          ['x', 'mutated'],
          ['x', 'assigned']
        ]
      }
    }
  ]);
  const generated = graph.latestByCell.get('b')?.generated ?? [];
  assert.equal(generated.length, 1);
  const [x] = generated;
  assert.equal(x.kind === 'variable' && x.how, 'assigned');
  assert.equal(x.previous?.id, 'var:x@1');
});

test('downstream cells are the current results built on a cell', () => {
  const graph = lineageOf([
    { cell: 'a', spec: { writes: [['x', 'assigned']] } },
    { cell: 'b', spec: { reads: ['x'], writes: [['y', 'assigned']] } },
    { cell: 'c', spec: { reads: ['y'] } },
    // c again, no longer reading y: its current result is not built on a.
    { cell: 'c', spec: {} },
    { cell: 'd', spec: { reads: ['y'] } }
  ]);
  assert.deepEqual(cellLineage(graph, 'a')?.downstreamCells, ['b', 'd']);
  assert.equal(cellLineage(graph, 'never-ran'), undefined);
});

test('replay runs the upstream slice and the execution, in journal order', () => {
  const graph = lineageOf([
    { cell: 'a', spec: { writes: [['x', 'assigned']] } },
    { cell: 'noise', spec: { writes: [['z', 'assigned']] } },
    { cell: 'b', spec: { reads: ['x'], writes: [['x', 'mutated']] } },
    { cell: 'c', spec: { reads: ['x'] } }
  ]);
  const c = graph.latestByCell.get('c');
  assert.ok(c);
  assert.deepEqual(
    replaySlice(graph, c.ordinal).map(e => e.cellId),
    ['a', 'b', 'c']
  );
});

test('stale: edited since it ran, inputs regenerated since, and what is built on those', () => {
  const graph = lineageOf([
    { cell: 'a', spec: { writes: [['x', 'assigned']] } },
    { cell: 'b', spec: { reads: ['x'], writes: [['y', 'assigned']] } },
    { cell: 'c', spec: { reads: ['y'] } },
    { cell: 'own', spec: { reads: ['x'], writes: [['x', 'mutated']] } },
    { cell: 'fresh', spec: { reads: ['x'] } },
    { cell: 'edit', spec: {}, source: 'print(1)' }
  ]);
  const stale = staleCells(graph, new Map([['edit', sha256('print(2)')]]));
  assert.deepEqual(stale.get('b'), {
    kind: 'input-changed',
    name: 'x',
    by: 'own'
  });
  assert.deepEqual(stale.get('c'), { kind: 'upstream-stale', cellId: 'b' });
  assert.deepEqual(stale.get('edit'), { kind: 'edited' });
  assert.equal(stale.has('own'), false, 'its own change of x');
  assert.equal(stale.has('fresh'), false);
  assert.equal(stale.has('a'), false);
  assert.equal(
    staleCells(graph).has('edit'),
    false,
    'no current sources given'
  );
});

test('kernel observations add writes the source did not show', () => {
  const events: JournalEvent[] = [
    created(),
    sessionStarted(0, 's1'),
    requested(1, 's1', 'e1', 'exec(code)', 'a'),
    finished(2, 'e1', 'ok'),
    requested(3, 's1', 'e2', 'print(hidden)', 'b'),
    finished(4, 'e2', 'ok')
  ];
  const graph = buildLineage(foldJournal(events), {
    analyze: source =>
      analysis(source === 'print(hidden)' ? { reads: ['hidden'] } : {}),
    observe: execution =>
      execution.requested.cellId === 'a' ? { rebound: ['hidden'] } : undefined
  });
  assert.deepEqual(upstream(graph, 'b'), ['a']);
});

test('a rebinding the kernel credits to queued executions keeps the real writer upstream', () => {
  // a binds x; b and c ran queued behind it and share the kernel's answer.
  const events: JournalEvent[] = [
    created(),
    sessionStarted(0, 's1'),
    requested(1, 's1', 'e1', 'x = 1', 'a'),
    requested(1.1, 's1', 'e2', 'y = 2', 'b'),
    requested(1.2, 's1', 'e3', 'z = 3', 'c'),
    finished(2, 'e1', 'ok'),
    finished(2.1, 'e2', 'ok'),
    finished(2.2, 'e3', 'ok'),
    requested(3, 's1', 'e4', 'print(x)', 'd'),
    finished(4, 'e4', 'ok')
  ];
  const statics: Record<string, ICellAnalysis> = {
    'x = 1': analysis({ writes: [['x', 'assigned']] }),
    'y = 2': analysis({ writes: [['y', 'assigned']] }),
    'z = 3': analysis({ writes: [['z', 'assigned']] }),
    'print(x)': analysis({ reads: ['x'] })
  };
  const graph = buildLineage(foldJournal(events), {
    analyze: source => statics[source],
    observe: execution =>
      execution.requested.cellId === 'd'
        ? undefined
        : { rebound: ['x', 'y', 'z'] }
  });
  assert.deepEqual(upstream(graph, 'd'), ['a', 'b', 'c']);
});

test('a path held in a global bound by another cell resolves to what it held', () => {
  const graph = lineageOf([
    {
      cell: 'paths',
      spec: {
        writes: [['REPORT', 'assigned']],
        pathConstants: [{ name: 'REPORT', value: 'reports/table.txt' }]
      }
    },
    {
      cell: 'write',
      spec: {
        reads: ['REPORT'],
        files: [
          { path: '\u0000REPORT\u0000', mode: 'write', via: 'write_text' }
        ]
      }
    },
    {
      cell: 'read',
      spec: {
        reads: ['REPORT'],
        files: [{ path: '\u0000REPORT\u0000', mode: 'read', via: 'read_text' }]
      }
    },
    {
      cell: 'unknown',
      spec: {
        reads: ['OTHER'],
        files: [{ path: '\u0000OTHER\u0000/x', mode: 'read', via: 'open' }]
      }
    }
  ]);
  assert.deepEqual(cellLineage(graph, 'write')?.filesWritten, [
    'reports/table.txt'
  ]);
  assert.deepEqual(upstream(graph, 'read'), ['paths', 'write']);
  assert.deepEqual(cellLineage(graph, 'unknown')?.filesRead, []);
});
