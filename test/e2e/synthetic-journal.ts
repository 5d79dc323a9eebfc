/**
 * Journals written by hand for the timeline's tests: a session of
 * `executions` cells over `cells` cells with `samples` resource samples, in
 * the journal format (schema/journal/event-v1.schema.json).
 */
import { createHash, randomUUID } from 'node:crypto';
import { notebookOf } from './demo';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export function syntheticJournal(options: {
  notebookPath: string;
  cells: string[];
  executions: number;
  samples: number;
  /** Code of execution i (default: the cell's source). */
  code?: (i: number) => string;
  /** Idle time inserted before execution `before` (an overnight break). */
  gap?: { before: number; ms: number };
}): { text: string; cellIds: string[] } {
  const start = Date.UTC(2026, 10, 24, 8);
  const session = randomUUID();
  const cellIds = options.cells.map((_, i) => `cell-${i}`);
  const lines: object[] = [];
  const t = (ms: number) => new Date(start + ms).toISOString();
  lines.push({
    v: 1,
    t: t(0),
    kind: 'journal.created',
    journal: randomUUID(),
    notebookPath: options.notebookPath,
    recorder: { name: 'jupyterlab-provenance', version: '0.1.0' }
  });
  lines.push({
    v: 1,
    t: t(0),
    kind: 'session.started',
    session,
    tap: 'agent',
    kernel: { id: 'k', name: 'python3' }
  });
  lines.push({
    v: 1,
    t: t(1),
    kind: 'notebook.context',
    notebookPath: options.notebookPath,
    cellOrder: cellIds
  });
  // Executions 2 s apart, each 1 s long; samples spread evenly over them.
  const gapAt = (i: number) =>
    options.gap !== undefined && i >= options.gap.before ? options.gap.ms : 0;
  const span = options.executions * 2000;
  const sampleEvery = span / Math.max(1, options.samples);
  let nextSample = 0;
  let sampled = 0;
  const sample = (at: number, execution?: string) => {
    lines.push({
      v: 1,
      t: t(at),
      kind: 'resource.sample',
      session,
      ...(execution ? { execution } : {}),
      interval: sampleEvery / 1000,
      cpuPercent: (sampled * 37) % 100,
      cpuSeconds: sampled * 0.01,
      rssBytes: 1e8 + ((sampled * 7919) % 1000) * 1e5,
      threads: 8,
      processCount: 1
    });
    sampled++;
  };
  for (let i = 0; i < options.executions; i++) {
    const cell = i % options.cells.length;
    const id = `exec-${i}`;
    const code = options.code?.(i) ?? options.cells[cell];
    const at = i * 2000 + 10 + gapAt(i);
    lines.push({
      v: 1,
      t: t(at),
      kind: 'execution.requested',
      session,
      execution: id,
      cellId: cellIds[cell],
      source: code,
      sourceSha256: sha(code)
    });
    lines.push({
      v: 1,
      t: t(at + 5),
      kind: 'execution.started',
      execution: id,
      executionCount: i + 1
    });
    nextSample = Math.max(nextSample, gapAt(i) + i * 2000);
    while (nextSample < at + 2000 && sampled < options.samples) {
      sample(
        nextSample,
        nextSample >= at && nextSample < at + 1000 ? id : undefined
      );
      nextSample += sampleEvery;
    }
    lines.push({
      v: 1,
      t: t(at + 1000),
      kind: 'execution.finished',
      execution: id,
      status: i % 97 === 3 ? 'error' : 'ok',
      executionCount: i + 1
    });
  }
  return {
    text: lines.map(line => JSON.stringify(line)).join('\n') + '\n',
    cellIds
  };
}

/** The scale the timeline must handle: 5,000 executions, 200,000 samples. */
export function bigSession(notebookPath: string): {
  cells: string[];
  text: string;
} {
  const cells = Array.from({ length: 20 }, (_, i) => `step_${i}()`);
  const { text } = syntheticJournal({
    notebookPath,
    cells,
    executions: 5000,
    samples: 200_000
  });
  return { cells, text };
}

/** A notebook whose cells have the ids the synthetic journal uses. */
export function notebookWithCells(cells: string[]): string {
  return JSON.stringify(
    notebookOf(cells, { name: 'python3', display_name: 'Python 3' })
  );
}
