/**
 * Lineage at the size issue 5 asks for: a journal of 5,000 executions of a
 * 50-cell notebook (cells run top to bottom, then re-run in a random order,
 * a tenth of them edited first, so ~500 distinct sources), medians of
 * several runs.
 *
 *   npm run build:test && node build/bench/lineage-query.js [executions] [runs]
 *
 * Figures: building the graph from the journal with a cold analysis cache
 * (what `nbprov lineage` does once per call: every distinct source parsed
 * with @lezer/python); the same with every analysis cached (what the
 * notebook's marks do after the first time); one query (`cellLineage`:
 * upstream closure, downstream of the latest executions, files); and every
 * cell's staleness.
 */
import { performance } from 'node:perf_hooks';
import {
  JOURNAL_FORMAT_VERSION,
  type CellId,
  type ExecutionId,
  type IsoTime,
  type JournalEvent,
  type SessionId
} from '../src/core/journal/index.js';
import { sha256Hex } from '../src/core/hash.js';
import {
  analyzeSource,
  buildLineage,
  cellLineage,
  staleCells,
  type ICellAnalysis
} from '../src/core/lineage/index.js';
import { foldJournal } from '../src/core/projection/journal-state.js';

const EXECUTIONS = Number(process.argv[2] ?? 5_000);
const RUNS = Number(process.argv[3] ?? 7);
const CELLS = 50;

/** Cell k's code: reads earlier cells' values, sometimes a file or a function. */
function cellSource(k: number, edit: number): string {
  const lines = [`# cell ${k}, edit ${edit}`];
  if (k === 0) {
    lines.push('import numpy as np', 'rng = np.random.default_rng(0)');
  } else if (k % 10 === 1) {
    lines.push(
      `def step_${k}(x, scale=${edit + 1}):`,
      `    return x * scale + v${k - 1}.mean()`,
      `v${k} = step_${k}(v${k - 1})`
    );
  } else if (k % 10 === 5) {
    lines.push(
      `np.save('data_${k}.npy', v${k - 1})`,
      `v${k} = np.load('data_${k}.npy') + ${edit}`
    );
  } else if (k % 10 === 7) {
    lines.push(`v${k - 1}.sort()`, `v${k} = v${k - 1}[:10]`);
  } else {
    const extra = k >= 3 ? ` + v${k - 3}.sum()` : '';
    lines.push(
      `v${k} = rng.normal(size=100) if ${k} == 1 else v${k - 1} * ${edit + 2}${extra}`,
      `print(v${k}.shape)`
    );
  }
  return lines.join('\n');
}

function journal(): JournalEvent[] {
  const v = JOURNAL_FORMAT_VERSION;
  const t0 = Date.parse('2026-11-24T10:00:00.000Z');
  const iso = (ms: number): IsoTime => new Date(ms).toISOString() as IsoTime;
  const session = 'sess' as SessionId;
  const events: JournalEvent[] = [
    {
      v,
      t: iso(t0),
      kind: 'journal.created',
      journal: 'bench' as never,
      recorder: { name: 'bench', version: '0' }
    },
    {
      v,
      t: iso(t0),
      kind: 'session.started',
      session,
      tap: 'agent',
      kernel: { id: 'k', name: 'python3', language: 'python' }
    }
  ];
  const edits = new Array<number>(CELLS).fill(0);
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < EXECUTIONS; i++) {
    const k = i < CELLS ? i : Math.floor(random() * CELLS);
    if (i >= CELLS && random() < 0.1) {
      edits[k]++;
    }
    const source = cellSource(k, edits[k]);
    const execution = `e${i}` as ExecutionId;
    const t = t0 + i * 1000;
    events.push(
      {
        v,
        t: iso(t),
        kind: 'execution.requested',
        session,
        execution,
        cellId: `c${k}` as CellId,
        source,
        sourceSha256: sha256Hex(source)
      },
      {
        v,
        t: iso(t + 500),
        kind: 'execution.finished',
        execution,
        status: 'ok',
        executionCount: i + 1
      }
    );
  }
  return events;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const events = journal();
const state = foldJournal(events);
const distinct = new Set(
  [...state.executions.values()].map(e => e.requested.sourceSha256)
).size;
const cold: number[] = [];
const warm: number[] = [];
const query: number[] = [];
const stale: number[] = [];
const cache = new Map<string, ICellAnalysis | undefined>();
const cached = (source: string, language: string | undefined) => {
  if (!cache.has(source)) {
    cache.set(source, analyzeSource(source, language));
  }
  return cache.get(source);
};
let upstreamSize = 0;
for (let run = 0; run < RUNS; run++) {
  let start = performance.now();
  buildLineage(foldJournal(events), { analyze: analyzeSource });
  cold.push(performance.now() - start);
  start = performance.now();
  const graph = buildLineage(foldJournal(events), { analyze: cached });
  warm.push(performance.now() - start);
  for (let k = 0; k < CELLS; k += 7) {
    start = performance.now();
    const lineage = cellLineage(graph, `c${k}`);
    query.push(performance.now() - start);
    upstreamSize = Math.max(upstreamSize, lineage?.upstreamCells.length ?? 0);
  }
  start = performance.now();
  staleCells(graph);
  stale.push(performance.now() - start);
}
console.log(
  `${EXECUTIONS} executions, ${CELLS} cells, ${distinct} distinct sources; medians of ${RUNS} runs`
);
console.log(
  `  graph, analyses not cached (nbprov lineage): ${median(cold).toFixed(1)} ms`
);
console.log(
  `  graph, analyses cached (marks after the first): ${median(warm).toFixed(1)} ms`
);
console.log(
  `  one cell's lineage query: ${median(query).toFixed(2)} ms (largest upstream: ${upstreamSize} cells)`
);
console.log(`  every cell's staleness: ${median(stale).toFixed(1)} ms`);
