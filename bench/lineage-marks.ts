/**
 * What the notebook's lineage marks cost at scale (src/lab/lineage): a
 * journal of 5,000 executions over 200 cells (each cell run 25 times, every
 * cell reading the one before it and one further back), analysed by the
 * Python analyser. Prints the medians of
 *
 * - the first build (every distinct source analysed);
 * - a rebuild after new events, as the marks do it: the journal folded and
 *   the graph built again, analyses from the cache;
 * - the marks for one selected cell (upstream, downstream, stale).
 *
 *   npm run build:test && node build/bench/lineage-marks.js [executions] [rounds]
 */
import { performance } from 'node:perf_hooks';
import { createHash, randomUUID } from 'node:crypto';
import type {
  CellId,
  ExecutionId,
  IsoTime,
  JournalEvent,
  JournalId,
  SessionId,
  Sha256Hex
} from '../src/core/journal/index.js';
import {
  buildLineage,
  defaultLineageOptions
} from '../src/core/lineage/index.js';
import { foldJournal } from '../src/core/projection/journal-state.js';
import { cachingLineageOptions } from '../src/lab/lineage/analysis-cache.js';
import { computeMarks } from '../src/lab/lineage/marks.js';

const EXECUTIONS = Number(process.argv[2] ?? 5_000);
const ROUNDS = Number(process.argv[3] ?? 9);
const CELLS = 200;

const sha = (text: string) =>
  createHash('sha256').update(text).digest('hex') as Sha256Hex;

function cellSource(i: number): string {
  if (i === 0) {
    return 'import numpy as np\nv0 = np.zeros(10)';
  }
  const back = Math.floor(i / 2);
  return (
    `v${i} = v${i - 1} + v${back}.mean()\n` +
    `if v${i}.sum() > 100:\n    print("large", v${i}.sum())`
  );
}

function journal(): JournalEvent[] {
  const v = 1 as const;
  const t = (ms: number) =>
    new Date(Date.UTC(2026, 10, 24) + ms).toISOString() as IsoTime;
  const session = randomUUID() as SessionId;
  const events: JournalEvent[] = [
    {
      v,
      t: t(0),
      kind: 'journal.created',
      journal: randomUUID() as JournalId,
      recorder: { name: 'bench', version: '0' }
    },
    {
      v,
      t: t(0),
      kind: 'session.started',
      session,
      tap: 'frontend',
      kernel: { id: 'k', name: 'python3', language: 'python' }
    }
  ];
  for (let n = 0; n < EXECUTIONS; n++) {
    const cell = n % CELLS;
    const source = cellSource(cell);
    const execution = `e${n}` as ExecutionId;
    events.push(
      {
        v,
        t: t(n * 1000),
        kind: 'execution.requested',
        session,
        execution,
        cellId: `cell-${cell}` as CellId,
        source,
        sourceSha256: sha(source)
      },
      {
        v,
        t: t(n * 1000 + 10),
        kind: 'execution.started',
        execution,
        executionCount: n + 1
      },
      {
        v,
        t: t(n * 1000 + 500),
        kind: 'execution.finished',
        execution,
        status: 'ok',
        executionCount: n + 1
      }
    );
  }
  return events;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const events = journal();
const current = new Map<string, string>();
for (let i = 0; i < CELLS; i++) {
  current.set(`cell-${i}`, sha(i === 7 ? '# edited' : cellSource(i)));
}

const first: number[] = [];
const rebuild: number[] = [];
const marks: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const options = cachingLineageOptions(defaultLineageOptions());
  first.push(time(() => buildLineage(foldJournal(events), options)));
  let graph = buildLineage(foldJournal(events), options);
  rebuild.push(
    time(() => (graph = buildLineage(foldJournal(events), options)))
  );
  marks.push(time(() => computeMarks(graph, `cell-${CELLS / 2}`, current)));
}
console.log(
  `${EXECUTIONS} executions over ${CELLS} cells, medians of ${ROUNDS}: ` +
    `first build ${median(first).toFixed(1)} ms, ` +
    `rebuild (analyses cached) ${median(rebuild).toFixed(1)} ms, ` +
    `marks of one selection ${median(marks).toFixed(1)} ms`
);
