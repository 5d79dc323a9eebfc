/**
 * Samples the kernel's process tree at a set interval and turns each
 * reading into a `resource.sample` journal event.
 *
 * - CPU % is the delta of the tree's cumulative CPU seconds over the wall
 *   time since the previous sample (100 = one core busy).
 * - While a cell runs the interval drops to `busyIntervalMs` for the first
 *   `busyForMs` of the cell: short cells get a fine-grained profile, and a
 *   ten-hour training cell does not write ten hours of 10 Hz samples.
 * - A sample is taken when a cell starts (before it is attributed, so it
 *   closes the idle period) and when it ends (attributed to the cell), so
 *   every execution is bracketed and its totals are exact at tick resolution.
 * - The sampler measures its own cost (`cost`): CPU and wall time spent in
 *   its ticks, as `process.cpuUsage` sees them.
 */

import { performance } from 'node:perf_hooks';
import {
  JOURNAL_FORMAT_VERSION,
  type ExecutionId,
  type IGpuSample,
  type IResourceSampleEvent,
  type IsoTime,
  type SessionId
} from '../../core/journal/index.js';
import type { IGpuSnapshot, IGpuSource } from './nvidia.js';
import { ProcfsReader, type ITreeSample } from './procfs.js';

/** Where cumulative energy comes from; `RaplReader` is the real one. */
export interface IEnergySource {
  /** Microjoules since the source opened, or undefined when unreadable now. */
  read(): number | undefined;
}

export interface ISamplerOptions {
  readonly session: SessionId;
  /** Interval between samples while no cell runs, ms (default 1000). */
  readonly intervalMs?: number;
  /** Interval while a cell runs, ms (default 250). */
  readonly busyIntervalMs?: number;
  /** How long after a cell starts the busy interval lasts, ms (default 10 s; Infinity: the whole cell). */
  readonly busyForMs?: number;
  /** How often PSS is read (it is the expensive file), ms; default 5000, 0 never. */
  readonly pssIntervalMs?: number;
  readonly procfs?: ProcfsReader;
  readonly gpu?: IGpuSource;
  /** GPU readings older than this are left out of samples, ms (default 5000). */
  readonly gpuMaxAgeMs?: number;
  readonly energy?: IEnergySource;
  /** Wall clock in ms since the epoch; tests may replace it. */
  readonly now?: () => number;
  readonly onSample?: (sample: IResourceSampleEvent) => void;
  readonly onError?: (error: Error) => void;
}

/** What sampling has cost this process so far. */
export interface ISamplerCost {
  readonly samples: number;
  /** user + system CPU seconds spent inside ticks. */
  readonly cpuSeconds: number;
  /** Mean and largest wall time of one tick (the event loop is blocked that long). */
  readonly meanTickMicros: number;
  readonly maxTickMicros: number;
}

const round = (value: number, digits: number): number =>
  Number(value.toFixed(digits));

export class Sampler {
  private readonly _options: ISamplerOptions;
  private readonly _procfs: ProcfsReader;
  private readonly _now: () => number;
  private _rootPid: number | undefined;
  private _intervalMs: number;
  private _timer: NodeJS.Timeout | undefined;
  private _execution: ExecutionId | undefined;
  private _busyUntil = 0;
  private _lastTime = 0;
  private _lastCpuSeconds = 0;
  private _lastReadBytes: number | undefined;
  private _lastWriteBytes: number | undefined;
  private _lastPssAt = Number.NEGATIVE_INFINITY;
  private _lastTree: ITreeSample | undefined;
  private _samples = 0;
  private _costMicros = 0;
  private _wallMicros = 0;
  private _maxTickMicros = 0;

  constructor(options: ISamplerOptions) {
    this._options = options;
    this._procfs = options.procfs ?? new ProcfsReader();
    this._now = options.now ?? Date.now;
    this._intervalMs = options.intervalMs ?? 1000;
  }

  get running(): boolean {
    return this._rootPid !== undefined;
  }

  /** The idle interval now in force, ms. */
  get intervalMs(): number {
    return this._intervalMs;
  }

  /** The interval the next tick is scheduled with, ms. */
  get currentIntervalMs(): number {
    return this._execution !== undefined && this._now() < this._busyUntil
      ? (this._options.busyIntervalMs ?? 250)
      : this._intervalMs;
  }

  /** The execution samples are attributed to now. */
  get execution(): ExecutionId | undefined {
    return this._execution;
  }

  /** The last tree read, with per-process detail (not journaled). */
  get lastTree(): ITreeSample | undefined {
    return this._lastTree;
  }

  get cost(): ISamplerCost {
    return {
      samples: this._samples,
      cpuSeconds: this._costMicros / 1e6,
      meanTickMicros: this._samples > 0 ? this._wallMicros / this._samples : 0,
      maxTickMicros: this._maxTickMicros
    };
  }

  /**
   * Starts sampling the tree under `rootPid`. The first reading is a
   * baseline (not emitted); the first sample follows one interval later.
   */
  start(rootPid: number, intervalMs?: number): void {
    if (this._rootPid !== undefined) {
      throw new Error(
        `The sampler already samples pid ${this._rootPid}; stop it first.`
      );
    }
    if (intervalMs !== undefined) {
      this._checkInterval(intervalMs);
      this._intervalMs = intervalMs;
    }
    this._rootPid = rootPid;
    const tree = this._procfs.readTree(rootPid);
    this._lastTime = this._now();
    this._lastCpuSeconds = tree?.cpuSeconds ?? 0;
    this._lastReadBytes = tree?.readBytes;
    this._lastWriteBytes = tree?.writeBytes;
    this._schedule();
  }

  /** Stops sampling; takes no final sample. Safe to call twice. */
  stop(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
    this._rootPid = undefined;
    this._execution = undefined;
    // Release the pseudo-files held open for the tree.
    this._procfs.close();
  }

  /** Changes the idle interval (a setting changed); takes effect from the next tick. */
  setIntervalMs(intervalMs: number): void {
    this._checkInterval(intervalMs);
    this._intervalMs = intervalMs;
    this._reschedule();
  }

  /** A cell started: close the idle period with a sample, then sample faster. */
  executionStarted(execution: ExecutionId): void {
    // Closes the idle period (or a previous cell that never reported its end).
    if (this.running) {
      this.sampleNow();
    }
    this._execution = execution;
    this._busyUntil = this._now() + (this._options.busyForMs ?? 10_000);
    this._reschedule();
  }

  /** The running cell ended: a last sample attributed to it, then the idle interval. */
  executionFinished(): void {
    if (this._execution === undefined) {
      return;
    }
    if (this.running) {
      this.sampleNow();
    }
    this._execution = undefined;
    this._reschedule();
  }

  /**
   * Reads the tree now and emits the sample; undefined (nothing emitted)
   * when not running or when the root process is gone.
   */
  sampleNow(): IResourceSampleEvent | undefined {
    const rootPid = this._rootPid;
    if (rootPid === undefined) {
      return undefined;
    }
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    let sample: IResourceSampleEvent | undefined;
    try {
      sample = this._read(rootPid);
    } catch (error) {
      this._options.onError?.(error as Error);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const wall = (performance.now() - wallBefore) * 1000;
    if (sample !== undefined) {
      this._samples += 1;
      this._costMicros += cpu.user + cpu.system;
      this._wallMicros += wall;
      this._maxTickMicros = Math.max(this._maxTickMicros, wall);
      try {
        this._options.onSample?.(sample);
      } catch (error) {
        this._options.onError?.(error as Error);
      }
    }
    return sample;
  }

  private _read(rootPid: number): IResourceSampleEvent | undefined {
    const now = this._now();
    const pssEvery = this._options.pssIntervalMs ?? 5000;
    const pss = pssEvery > 0 && now - this._lastPssAt >= pssEvery;
    const tree = this._procfs.readTree(rootPid, { pss });
    if (tree === undefined) {
      return undefined;
    }
    if (pss) {
      this._lastPssAt = now;
    }
    this._lastTree = tree;
    const interval = Math.max(0, (now - this._lastTime) / 1000);
    // Cumulative counters never go back: a tree process reparented away
    // (its time leaves the tree) must not make CPU time negative.
    const cpuSeconds = Math.max(this._lastCpuSeconds, tree.cpuSeconds);
    const cpuPercent =
      interval > 0 ? ((cpuSeconds - this._lastCpuSeconds) / interval) * 100 : 0;
    const readBytes = monotone(this._lastReadBytes, tree.readBytes);
    const writeBytes = monotone(this._lastWriteBytes, tree.writeBytes);
    this._lastTime = now;
    this._lastCpuSeconds = cpuSeconds;
    this._lastReadBytes = readBytes;
    this._lastWriteBytes = writeBytes;
    const gpus = this._gpuSamples(now, tree);
    const energy = this._options.energy?.read();
    return {
      v: JOURNAL_FORMAT_VERSION,
      kind: 'resource.sample',
      t: new Date(now).toISOString() as IsoTime,
      session: this._options.session,
      ...(this._execution !== undefined ? { execution: this._execution } : {}),
      interval: round(interval, 3),
      cpuPercent: round(cpuPercent, 1),
      cpuSeconds: round(cpuSeconds, 2),
      rssBytes: tree.rssBytes,
      ...(tree.pssBytes !== undefined ? { pssBytes: tree.pssBytes } : {}),
      threads: tree.threads,
      ...(readBytes !== undefined ? { readBytes } : {}),
      ...(writeBytes !== undefined ? { writeBytes } : {}),
      processCount: tree.processes.length,
      ...(gpus !== undefined ? { gpus } : {}),
      ...(energy !== undefined ? { energyMicrojoules: Math.round(energy) } : {})
    };
  }

  private _gpuSamples(
    now: number,
    tree: ITreeSample
  ): IGpuSample[] | undefined {
    const snapshot: IGpuSnapshot | undefined = this._options.gpu?.latest();
    if (
      snapshot === undefined ||
      now - snapshot.at > (this._options.gpuMaxAgeMs ?? 5000)
    ) {
      return undefined;
    }
    const pids = new Set(tree.processes.map(p => p.pid));
    return snapshot.gpus.map(gpu => {
      let treeMemory = 0;
      for (const p of snapshot.processes ?? []) {
        const onThisGpu =
          p.gpuUuid === undefined
            ? snapshot.gpus.length === 1
            : p.gpuUuid === gpu.uuid;
        if (onThisGpu && pids.has(p.pid) && p.usedMemoryBytes !== undefined) {
          treeMemory += p.usedMemoryBytes;
        }
      }
      return {
        index: gpu.index,
        ...(gpu.utilizationPercent !== undefined
          ? { utilizationPercent: gpu.utilizationPercent }
          : {}),
        ...(gpu.memoryUsedBytes !== undefined
          ? { memoryUsedBytes: gpu.memoryUsedBytes }
          : {}),
        ...(gpu.powerWatts !== undefined
          ? { powerWatts: round(gpu.powerWatts, 2) }
          : {}),
        // Absent means none (or not known): zero is left out to keep lines short.
        ...(treeMemory > 0 ? { treeMemoryBytes: treeMemory } : {})
      };
    });
  }

  private _checkInterval(intervalMs: number): void {
    if (!(intervalMs >= 10) || !Number.isFinite(intervalMs)) {
      throw new RangeError(
        `Sampling interval ${intervalMs} ms is not allowed: use 10 ms or more.`
      );
    }
  }

  private _reschedule(): void {
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._schedule();
    }
  }

  private _schedule(): void {
    if (this._rootPid === undefined) {
      return;
    }
    // Due one interval after the last sample, so a sample taken at a cell
    // boundary does not leave a short gap followed by a long one.
    const due = this._lastTime + this.currentIntervalMs;
    const delay = Math.max(0, due - this._now());
    this._timer = setTimeout(() => {
      this.sampleNow();
      this._schedule();
    }, delay);
    // The sampler never keeps the agent alive on its own.
    this._timer.unref();
  }
}

function monotone(
  previous: number | undefined,
  current: number | undefined
): number | undefined {
  if (current === undefined) {
    return undefined;
  }
  return previous === undefined ? current : Math.max(previous, current);
}
