import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../../src/core/journal/index.js';
import { aggregateExecutions } from '../../../src/core/resources/index.js';

const SHA = 'a'.repeat(64);

function at(seconds: number): string {
  return new Date(
    Date.UTC(2026, 10, 24, 10, 0, 0) + seconds * 1000
  ).toISOString();
}

function sample(
  seconds: number,
  fields: Record<string, unknown>
): Record<string, unknown> {
  return {
    v: 1,
    kind: 'resource.sample',
    t: at(seconds),
    session: 's1',
    interval: 1,
    cpuPercent: 0,
    rssBytes: 100,
    threads: 1,
    processCount: 1,
    ...fields
  };
}

const JOURNAL = [
  {
    v: 1,
    kind: 'execution.requested',
    t: at(0.5),
    session: 's1',
    execution: 'e1',
    sourceSha256: SHA
  },
  sample(1, { cpuSeconds: 10, readBytes: 0, energyMicrojoules: 0 }),
  { v: 1, kind: 'execution.started', t: at(1), execution: 'e1' },
  sample(2, {
    execution: 'e1',
    cpuPercent: 150,
    cpuSeconds: 11.5,
    rssBytes: 900,
    pssBytes: 800,
    readBytes: 4096,
    energyMicrojoules: 40_000_000,
    gpus: [
      {
        index: 0,
        utilizationPercent: 100,
        powerWatts: 300,
        treeMemoryBytes: 1000
      },
      { index: 1, utilizationPercent: 50, powerWatts: 100 }
    ]
  }),
  sample(3, {
    execution: 'e1',
    cpuPercent: 100,
    cpuSeconds: 12.5,
    rssBytes: 700,
    readBytes: 8192,
    energyMicrojoules: 70_000_000,
    gpus: [
      {
        index: 0,
        utilizationPercent: 50,
        powerWatts: 200,
        treeMemoryBytes: 3000
      },
      { index: 1, utilizationPercent: 0, powerWatts: 50 }
    ]
  }),
  {
    v: 1,
    kind: 'execution.finished',
    t: at(3.25),
    execution: 'e1',
    status: 'ok'
  },
  sample(4, { cpuSeconds: 12.5 }),
  {
    v: 1,
    kind: 'execution.requested',
    t: at(5),
    session: 's1',
    execution: 'e2',
    sourceSha256: SHA
  }
] as unknown as JournalEvent[];

test('an execution gets wall time, CPU seconds, peaks, GPU-seconds and energy', () => {
  const figures = aggregateExecutions(JOURNAL);
  assert.deepEqual([...figures.keys()], ['e1']);
  assert.deepEqual(figures.get('e1' as never), {
    execution: 'e1',
    source: 'agent',
    samples: 2,
    wallSeconds: 2.25,
    cpuSeconds: 2.5,
    peakRssBytes: 900,
    peakPssBytes: 800,
    readBytes: 8192,
    // GPU 0: 1.0 + 0.5, GPU 1: 0.5 + 0 (one-second samples).
    gpuSeconds: 2,
    peakGpuTreeMemoryBytes: 3000,
    // (300 + 100) W for 1 s, then (200 + 50) W for 1 s.
    gpuEnergyJoules: 650,
    cpuEnergyJoules: 70
  });
});

test('without a previous sample CPU seconds come from the rate', () => {
  const figures = aggregateExecutions([
    sample(1, {
      execution: 'e1',
      interval: 0.5,
      cpuPercent: 200,
      cpuSeconds: 99
    })
  ] as unknown as JournalEvent[]);
  assert.equal(figures.get('e1' as never)?.cpuSeconds, 1);
  assert.equal(figures.get('e1' as never)?.wallSeconds, undefined);
});

test('samples of another session do not serve as the baseline', () => {
  const figures = aggregateExecutions([
    sample(1, { session: 's0', cpuSeconds: 0 }),
    sample(2, { execution: 'e1', cpuPercent: 50, cpuSeconds: 100 })
  ] as unknown as JournalEvent[]);
  assert.equal(figures.get('e1' as never)?.cpuSeconds, 0.5);
});

test("the kernel's own usage replies give CPU seconds over time and peak memory", () => {
  const at = (seconds: number) =>
    new Date(Date.UTC(2026, 10, 24, 10) + seconds * 1000).toISOString();
  const usage = (seconds: number, fields: Record<string, unknown>) =>
    ({
      v: 1,
      t: at(seconds),
      kind: 'kernel.usage',
      session: 's',
      ...fields
    }) as unknown as JournalEvent;
  const figures = aggregateExecutions([
    {
      v: 1,
      t: at(0),
      kind: 'execution.requested',
      session: 's',
      execution: 'e',
      sourceSha256: 'a'.repeat(64)
    } as unknown as JournalEvent,
    // A reply before the cell: the baseline of the percentages after it.
    usage(0, { cpuPercent: 0, memoryBytes: 100, memoryKind: 'pss' }),
    // 100 % of a core for 1 s, then 200 % for 2 s: 5 CPU seconds.
    usage(1, {
      execution: 'e',
      cpuPercent: 100,
      memoryBytes: 300,
      memoryKind: 'pss'
    }),
    usage(3, {
      execution: 'e',
      cpuPercent: 200,
      memoryBytes: 200,
      memoryKind: 'pss'
    }),
    // ipykernel does not say which measure; a kernel without psutil
    // answers with neither figure.
    usage(3.5, { execution: 'e', memoryBytes: 400 }),
    usage(4, { execution: 'e' }),
    {
      v: 1,
      t: at(4),
      kind: 'execution.finished',
      execution: 'e',
      status: 'ok'
    } as unknown as JournalEvent
  ]);
  assert.deepEqual(figures.get('e' as never), {
    execution: 'e',
    source: 'kernel',
    samples: 4,
    wallSeconds: 4,
    cpuSeconds: 5,
    peakKernelMemoryBytes: 400,
    peakPssBytes: 300
  });
});
