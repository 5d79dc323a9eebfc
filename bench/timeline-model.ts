/**
 * The timeline model at the size issue 4 asks for: a synthetic journal of
 * 5,000 executions and 200,000 resource samples (one GPU), medians of
 * several runs.
 *
 *   npm run build:test && node build/bench/timeline-model.js [executions] [samples] [runs]
 *
 * Figures: building the model from the whole journal; applying one live
 * batch (5 samples + one execution's requested/started/finished); the
 * idle-time compression of all bars; downsampling every series of every
 * lane to 1,000 columns over the whole span; and, for scale, turning one
 * raw series into objects (what a view that skips downsampling would hand
 * vega).
 */
import { performance } from 'node:perf_hooks';
import {
  JOURNAL_FORMAT_VERSION,
  type ExecutionId,
  type IsoTime,
  type JournalEvent,
  type SessionId,
  type Sha256Hex,
  type CellId
} from '../src/core/journal/index.js';
import {
  compressSeries,
  downsample,
  seriesPoints,
  TimelineModel
} from '../src/core/timeline/index.js';

const EXECUTIONS = Number(process.argv[2] ?? 5_000);
const SAMPLES = Number(process.argv[3] ?? 200_000);
const RUNS = Number(process.argv[4] ?? 7);
const COLUMNS = 1_000;

const v = JOURNAL_FORMAT_VERSION;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const session = 'sess-bench' as SessionId;
const iso = (ms: number): IsoTime => new Date(ms).toISOString() as IsoTime;
const sha = '0'.repeat(64) as Sha256Hex;

function sample(
  ms: number,
  execution: string | undefined,
  n: number
): JournalEvent {
  const busy = execution !== undefined;
  return {
    v,
    t: iso(ms),
    kind: 'resource.sample',
    session,
    ...(busy ? { execution: execution as ExecutionId } : {}),
    interval: 1,
    cpuPercent: busy ? 50 + (n % 150) : 1,
    cpuSeconds: n * 0.5,
    rssBytes: 1e9 + (n % 1000) * 1e6,
    threads: 12,
    processCount: 2,
    gpus: [
      {
        index: 0,
        utilizationPercent: busy ? n % 100 : 0,
        memoryUsedBytes: 2e9 + (n % 100) * 1e7,
        powerWatts: busy ? 100 + (n % 200) : 50
      }
    ]
  };
}

/**
 * Executions of 30 s, one sample a second while they run, idle gaps of a
 * minute with a sample every 10 s, and an hour's pause every 500 executions
 * (so compression has cuts to make). Cells: 40, in a shuffled order.
 */
function journal(executions: number, samples: number): JournalEvent[] {
  const perExecution = Math.max(1, Math.floor(samples / executions));
  const events: JournalEvent[] = [
    {
      v,
      t: iso(T0),
      kind: 'session.started',
      session,
      tap: 'agent',
      kernel: { id: 'k', name: 'python3' }
    },
    {
      v,
      t: iso(T0),
      kind: 'notebook.context',
      notebookPath: 'bench.ipynb',
      cellOrder: Array.from(
        { length: 40 },
        (_, i) => `cell-${(i * 7) % 40}` as CellId
      )
    }
  ];
  let ms = T0 + 1000;
  let n = 0;
  for (let e = 0; e < executions; e++) {
    const id = `exec-${e}`;
    events.push(
      {
        v,
        t: iso(ms),
        kind: 'execution.requested',
        session,
        execution: id as ExecutionId,
        cellId: `cell-${e % 40}` as CellId,
        source: `train(epoch=${e})\nprint("done")`,
        sourceSha256: sha
      },
      {
        v,
        t: iso(ms),
        kind: 'execution.started',
        execution: id as ExecutionId,
        executionCount: e + 1
      }
    );
    for (let s = 0; s < perExecution; s++) {
      ms += 30_000 / perExecution;
      events.push(sample(ms, s === perExecution - 1 ? undefined : id, n++));
    }
    events.push({
      v,
      t: iso(ms),
      kind: 'execution.finished',
      execution: id as ExecutionId,
      status: e % 97 === 0 ? 'error' : 'ok',
      executionCount: e + 1
    });
    ms += (e + 1) % 500 === 0 ? 3_600_000 : 60_000;
  }
  return events;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(runs: number, fn: () => void): number {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    out.push(performance.now() - start);
  }
  return median(out);
}

const events = journal(EXECUTIONS, SAMPLES);
const sampleCount = events.filter(e => e.kind === 'resource.sample').length;
let model = new TimelineModel(events);
const points = model
  .lanes()
  .reduce(
    (sum, lane) => sum + lane.series.reduce((s, x) => s + x.times.length, 0),
    0
  );
console.log(
  `journal: ${events.length} events, ${model.bars.length} executions, ${sampleCount} samples, ` +
    `${model.lanes().length} lanes, ${points} points; medians of ${RUNS} runs`
);

const build = time(RUNS, () => {
  model = new TimelineModel(events);
});
console.log(`build the model from the whole journal: ${build.toFixed(1)} ms`);

// Live batches, each a new execution with 5 samples, after the journal's end.
let liveMs = (model.extent()?.[1] ?? T0) + 60_000;
let liveN = 0;
function liveBatch(): JournalEvent[] {
  const id = `live-${liveN++}` as ExecutionId;
  const batch: JournalEvent[] = [
    {
      v,
      t: iso(liveMs),
      kind: 'execution.requested',
      session,
      execution: id,
      cellId: 'cell-3' as CellId,
      source: 'step()',
      sourceSha256: sha
    },
    { v, t: iso(liveMs), kind: 'execution.started', execution: id }
  ];
  for (let s = 0; s < 5; s++) {
    liveMs += 200;
    batch.push(sample(liveMs, id, s));
  }
  batch.push({
    v,
    t: iso(liveMs),
    kind: 'execution.finished',
    execution: id,
    status: 'ok'
  });
  liveMs += 1000;
  return batch;
}
const batches = Array.from({ length: 200 }, liveBatch);
let b = 0;
const live = time(batches.length, () => {
  model.append(batches[b++]);
});
console.log(
  `apply one live batch (5 samples + 1 execution): ${(live * 1000).toFixed(0)} µs`
);

const now = (model.extent()?.[1] ?? T0) + 1000;
let cuts = 0;
const compress = time(RUNS, () => {
  cuts = model.compression(now).cuts.length;
});
console.log(
  `idle-time compression of all bars: ${compress.toFixed(2)} ms (${cuts} cuts)`
);

const cpu = model.lane('cpu')!.series[0];
const compression = model.compression(now);
const compressCpu = time(RUNS, () => {
  compressSeries(cpu, compression);
});
console.log(
  `compress the cpu series (${cpu.times.length} points): ${compressCpu.toFixed(2)} ms`
);

const [t0, t1] = model.extent(now)!;
let kept = 0;
const lanes = model.lanes();
const series = lanes.flatMap(lane => lane.series);
const all = time(RUNS, () => {
  kept = 0;
  for (const s of series) {
    kept += downsample(s, [t0, t1], COLUMNS).times.length;
  }
});
console.log(
  `downsample all ${series.length} series (${points} points) to ${COLUMNS} columns: ` +
    `${all.toFixed(2)} ms, ${(all / series.length).toFixed(2)} ms a series, ${kept} points kept`
);
const m4 = time(RUNS, () => {
  downsample(cpu, [t0, t1], COLUMNS, { firstLast: true });
});
console.log(
  `downsample the cpu series with first/last too (M4): ${m4.toFixed(2)} ms`
);
const zoom = time(RUNS, () => {
  downsample(cpu, [t0 + (t1 - t0) * 0.45, t0 + (t1 - t0) * 0.55], COLUMNS);
});
console.log(
  `downsample the cpu series zoomed to a tenth of the span: ${zoom.toFixed(3)} ms`
);
const objects = time(RUNS, () => {
  seriesPoints(cpu);
});
console.log(
  `for scale: the raw cpu series as ${cpu.times.length} objects: ${objects.toFixed(2)} ms`
);
