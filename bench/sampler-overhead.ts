/**
 * The resource sampler's own cost, measured side by side in one run.
 *
 *   npm run build:test && node build/bench/sampler-overhead.js [seconds] [runs]
 *
 * Samples a kernel-like process tree (a Python process with 8 threads and
 * one child, the shape of an ipykernel with its heartbeat/IOPub/control
 * threads and a subprocess) and reports, as medians over the runs, this
 * process's CPU use in % of one core while idle (no sampler: the floor),
 * while sampling every 1 s and every 0.1 s, the CPU spent inside the
 * sampler's ticks alone, the mean tick, its RSS, and the journal bytes the
 * samples would write. Goal (issue 3): under 1% of one core at 1 s, RSS
 * under 80 MB for the whole agent.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { encodeEvent, type SessionId } from '../src/core/journal/index.js';
import { ProcfsReader } from '../src/agent/sampler/procfs.js';
import { Sampler } from '../src/agent/sampler/sampler.js';

const SECONDS = Number(process.argv[2] ?? 10);
const RUNS = Number(process.argv[3] ?? 3);

const KERNEL_LIKE = `
import subprocess, sys, threading, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
for _ in range(7):
    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
print(child.pid, flush=True)
time.sleep(3600)
`;

interface IWindow {
  readonly processPercent: number;
  readonly tickPercent: number;
  readonly meanTickMicros: number;
  readonly samples: number;
  readonly bytesPerSample: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));

async function window(
  rootPid: number,
  intervalMs: number | undefined,
  seconds: number
): Promise<IWindow> {
  let bytes = 0;
  const sampler = new Sampler({
    session: 'bench' as SessionId,
    procfs: new ProcfsReader(),
    onSample: s => {
      bytes += encodeEvent(s).length;
    }
  });
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  if (intervalMs !== undefined) {
    sampler.start(rootPid, intervalMs);
  }
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  sampler.stop();
  const cost = sampler.cost;
  return {
    processPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    tickPercent: ((cost.cpuSeconds * 1000) / wall) * 100,
    meanTickMicros: cost.meanTickMicros,
    samples: cost.samples,
    bytesPerSample: cost.samples > 0 ? bytes / cost.samples : 0
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const kernel = spawn('python3', ['-c', KERNEL_LIKE], {
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const lines = createInterface({ input: kernel.stdout! });
  const childPid = Number(
    await new Promise<string>(resolve => lines.once('line', resolve))
  );
  const modes: [string, number | undefined][] = [
    ['idle (no sampler)', undefined],
    ['sampling every 1 s', 1000],
    ['sampling every 0.1 s', 100]
  ];
  const results = new Map<string, IWindow[]>(modes.map(([name]) => [name, []]));
  try {
    // Warm-up: JIT and first reads, not measured.
    await window(kernel.pid!, 100, 1);
    for (let run = 0; run < RUNS; run++) {
      for (const [name, interval] of modes) {
        results.get(name)!.push(await window(kernel.pid!, interval, SECONDS));
      }
    }
  } finally {
    lines.close();
    process.kill(childPid, 'SIGKILL');
    kernel.kill('SIGKILL');
  }
  const tree = new ProcfsReader();
  console.log(
    `sampler overhead: ${RUNS} runs x ${SECONDS} s per mode, medians; ` +
      `tree = 1 Python process with 8 threads + 1 child; ` +
      `clock ticks ${tree.clockTicks}/s; node ${process.version}`
  );
  console.log(
    'mode                    process CPU %  in-tick CPU %  mean tick µs  samples  bytes/sample'
  );
  for (const [name] of modes) {
    const runs = results.get(name)!;
    const m = (pick: (w: IWindow) => number): number => median(runs.map(pick));
    console.log(
      `${name.padEnd(24)}${m(w => w.processPercent)
        .toFixed(3)
        .padStart(13)}` +
        `${m(w => w.tickPercent)
          .toFixed(3)
          .padStart(15)}` +
        `${m(w => w.meanTickMicros)
          .toFixed(0)
          .padStart(14)}` +
        `${m(w => w.samples)
          .toFixed(0)
          .padStart(9)}` +
        `${m(w => w.bytesPerSample)
          .toFixed(0)
          .padStart(14)}`
    );
  }
  const rss = process.memoryUsage().rss / (1024 * 1024);
  console.log(`RSS of this process (Node + sampler): ${rss.toFixed(1)} MiB`);
}

await main();
