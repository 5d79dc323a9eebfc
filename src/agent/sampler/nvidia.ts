/**
 * NVIDIA GPUs through `nvidia-smi`'s selective queries (nvidia-smi(1),
 * "SELECTIVE QUERY OPTIONS"):
 *
 * - device readings come from ONE long-lived
 *   `nvidia-smi --query-gpu=… --format=csv,noheader,nounits -lms <interval>`,
 *   which prints one line per GPU per interval: starting nvidia-smi costs
 *   tens of milliseconds of CPU (it initialises NVML), so it is never
 *   started per sample, let alone per pid;
 * - per-process GPU memory comes from `--query-compute-apps`, one call
 *   every few seconds (an empty answer prints nothing, so a looping
 *   process could not tell "no processes" from "not yet").
 *
 * The parsers are pure and accept both the machine form (`noheader,nounits`)
 * and the human form (`--format=csv`, header with `[unit]`s, values with
 * units), so they read real captures as they were recorded.
 */

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IGpuFacts } from '../../core/journal/index.js';

/** What the long-lived device query asks for, in this order. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'power.draw'
] as const;

/** What the compute-apps query asks for, in this order. */
export const APPS_QUERY_FIELDS = ['pid', 'used_memory', 'gpu_uuid'] as const;

/** What the once-per-session host facts ask for. */
export const FACTS_QUERY_FIELDS = [
  'index',
  'name',
  'uuid',
  'memory.total',
  'driver_version'
] as const;

/**
 * Query names nvidia-smi accepts but prints under another name in its CSV
 * header (`--help-query-compute-apps`: "used_gpu_memory" or "used_memory").
 */
const HEADER_ALIASES: Readonly<Record<string, string>> = {
  used_memory: 'used_gpu_memory'
};

const MIB = 1024 * 1024;

/** One device reading. Values the driver does not report (`[N/A]`) are absent. */
export interface IGpuReading {
  readonly index: number;
  readonly uuid?: string;
  readonly name?: string;
  readonly utilizationPercent?: number;
  readonly memoryUsedBytes?: number;
  readonly memoryTotalBytes?: number;
  readonly powerWatts?: number;
}

/** One compute process on one GPU. */
export interface IGpuProcess {
  readonly pid: number;
  readonly gpuUuid?: string;
  /** Absent where the driver cannot attribute memory (`[N/A]`, e.g. Windows WDDM). */
  readonly usedMemoryBytes?: number;
}

/** The latest readings of all GPUs, and of their compute processes when known. */
export interface IGpuSnapshot {
  readonly gpus: readonly IGpuReading[];
  /** Undefined until the first compute-apps answer. */
  readonly processes?: readonly IGpuProcess[];
  /** `Date.now()` of the newest device line. */
  readonly at: number;
}

/** Where a sampler gets GPU readings; `NvidiaSmiMonitor` is the real one. */
export interface IGpuSource {
  latest(): IGpuSnapshot | undefined;
  stop(): void;
}

/** `memory.used [MiB]` → `memory.used`. */
function headerName(cell: string): string {
  return cell.replace(/\s*\[[^\]]*\]$/, '').trim();
}

function splitLine(line: string): string[] {
  return line.split(',').map(cell => cell.trim());
}

/**
 * Rows of a `--query-*` CSV answer as records keyed by the requested field
 * names. With a header (the `csv` form) columns are found by name, so a
 * capture holding more columns than asked for still parses; without one
 * (`noheader`) they are taken in order. Lines that are not rows (errors
 * printed to stdout, "No running processes found") are skipped.
 */
export function parseQueryCsv(
  text: string,
  fields: readonly string[]
): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter(line => line.trim() !== '');
  if (lines.length === 0) {
    return [];
  }
  const wanted = fields.map(field => HEADER_ALIASES[field] ?? field);
  const header = splitLine(lines[0]).map(headerName);
  const named = wanted.every(field => header.includes(field));
  // Named: columns found in the header, and a row is as wide as the header.
  // Positional: a row has exactly the requested columns.
  const columns = named
    ? wanted.map(field => header.indexOf(field))
    : wanted.map((_, i) => i);
  const width = named ? header.length : fields.length;
  const rows: Record<string, string>[] = [];
  for (const line of named ? lines.slice(1) : lines) {
    const cells = splitLine(line);
    if (cells.length !== width) {
      continue;
    }
    const row: Record<string, string> = {};
    fields.forEach((field, i) => {
      row[field] = cells[columns[i]];
    });
    rows.push(row);
  }
  return rows;
}

/**
 * A number from a cell, with or without its unit (`19818 MiB`, `100 %`,
 * `631.95 W`). `[N/A]`, `[Not Supported]`, `[Insufficient Permissions]`
 * and any other non-number are undefined, never 0: "not reported" and
 * "zero" mean different things. A unit other than the expected one is
 * refused rather than misread (MB is not MiB).
 */
export function parseMeasure(
  cell: string | undefined,
  unit: string
): number | undefined {
  if (cell === undefined) {
    return undefined;
  }
  const match = /^(\d+(?:\.\d+)?)(?:\s*(\S+))?$/.exec(cell.trim());
  if (!match || (match[2] !== undefined && match[2] !== unit)) {
    return undefined;
  }
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

function parseIndex(cell: string | undefined): number | undefined {
  const value = parseMeasure(cell, '');
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

function text(cell: string | undefined): string | undefined {
  return cell === undefined || cell === '' || /^\[.*\]$/.test(cell)
    ? undefined
    : cell;
}

function mib(cell: string | undefined): number | undefined {
  const value = parseMeasure(cell, 'MiB');
  return value === undefined ? undefined : Math.round(value * MIB);
}

function defined<T extends object>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined)
  ) as T;
}

/** Device readings from a `--query-gpu=<GPU_QUERY_FIELDS>` answer. */
export function parseGpuQuery(output: string): IGpuReading[] {
  const out: IGpuReading[] = [];
  for (const row of parseQueryCsv(output, GPU_QUERY_FIELDS)) {
    const index = parseIndex(row.index);
    if (index === undefined) {
      continue;
    }
    out.push(
      defined({
        index,
        uuid: text(row.uuid),
        name: text(row.name),
        utilizationPercent: parseMeasure(row['utilization.gpu'], '%'),
        memoryUsedBytes: mib(row['memory.used']),
        memoryTotalBytes: mib(row['memory.total']),
        powerWatts: parseMeasure(row['power.draw'], 'W')
      })
    );
  }
  return out;
}

/** Compute processes from a `--query-compute-apps=<APPS_QUERY_FIELDS>` answer. */
export function parseComputeApps(output: string): IGpuProcess[] {
  const out: IGpuProcess[] = [];
  for (const row of parseQueryCsv(output, APPS_QUERY_FIELDS)) {
    const pid = parseIndex(row.pid);
    if (pid === undefined) {
      continue;
    }
    out.push(
      defined({
        pid,
        gpuUuid: text(row.gpu_uuid),
        usedMemoryBytes: mib(row.used_memory)
      })
    );
  }
  return out;
}

/** GPU host facts from a `--query-gpu=<FACTS_QUERY_FIELDS>` answer. */
export function parseGpuFacts(output: string): IGpuFacts[] {
  const out: IGpuFacts[] = [];
  for (const row of parseQueryCsv(output, FACTS_QUERY_FIELDS)) {
    const index = parseIndex(row.index);
    if (index === undefined) {
      continue;
    }
    out.push(
      defined({
        index,
        name: text(row.name) ?? '',
        uuid: text(row.uuid),
        memoryTotalBytes: mib(row['memory.total']),
        driverVersion: text(row.driver_version)
      })
    );
  }
  return out;
}

/** The `nvidia-smi` executable on `path` (a PATH string), or undefined: no process is started to find it. */
export function findNvidiaSmi(
  path: string | undefined = process.env.PATH
): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = join(dir, 'nvidia-smi');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function run(binary: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { encoding: 'utf8', timeout: 10_000, maxBuffer: 1 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(stdout))
    );
  });
}

/** The GPUs `binary` reports, for `host.facts`. Rejects when nvidia-smi fails. */
export async function queryGpuFacts(binary: string): Promise<IGpuFacts[]> {
  return parseGpuFacts(
    await run(binary, [
      `--query-gpu=${FACTS_QUERY_FIELDS.join(',')}`,
      '--format=csv,noheader,nounits'
    ])
  );
}

/** The compute processes `binary` reports, once. */
export async function queryComputeApps(binary: string): Promise<IGpuProcess[]> {
  return parseComputeApps(
    await run(binary, [
      `--query-compute-apps=${APPS_QUERY_FIELDS.join(',')}`,
      '--format=csv,noheader,nounits'
    ])
  );
}

export interface INvidiaSmiMonitorOptions {
  /** Path of nvidia-smi; see `findNvidiaSmi`. */
  readonly binary: string;
  /** Device reading interval (`-lms`), ms. */
  readonly intervalMs: number;
  /** Compute-apps interval, ms; default max(intervalMs, 5000). 0 turns it off. */
  readonly appsIntervalMs?: number;
  /** Called when nvidia-smi fails or exits; the monitor restarts it with backoff. */
  readonly onError?: (error: Error) => void;
}

/** Restarts after an unexpected exit, at most this many times in a row. */
const MAX_RESTARTS = 5;

/**
 * Keeps one `nvidia-smi -lms` running and remembers the latest line of each
 * GPU. nvidia-smi runs in its own process group (`detached`), because the
 * Jupyter server interrupts a kernel by sending SIGINT to the whole group,
 * and nvidia-smi's loop ends on SIGINT ("Probe until Ctrl+C"). If the agent
 * dies without stopping it, its next write hits a closed pipe and it exits.
 */
export class NvidiaSmiMonitor implements IGpuSource {
  private readonly _options: INvidiaSmiMonitorOptions;
  private _child: ChildProcess | undefined;
  private _buffer = '';
  private readonly _gpus = new Map<number, IGpuReading>();
  private _processes: IGpuProcess[] | undefined;
  private _at = 0;
  private _stopped = false;
  private _restarts = 0;
  private _appsTimer: NodeJS.Timeout | undefined;
  private _restartTimer: NodeJS.Timeout | undefined;
  private _appsRunning = false;

  private constructor(options: INvidiaSmiMonitorOptions) {
    this._options = options;
  }

  /** Starts monitoring with `options.binary`. */
  static start(options: INvidiaSmiMonitorOptions): NvidiaSmiMonitor {
    const monitor = new NvidiaSmiMonitor(options);
    monitor._spawn();
    monitor._pollApps();
    return monitor;
  }

  /** Pid of the running nvidia-smi, for tests and diagnostics. */
  get pid(): number | undefined {
    return this._child?.pid;
  }

  latest(): IGpuSnapshot | undefined {
    if (this._gpus.size === 0) {
      return undefined;
    }
    return {
      gpus: [...this._gpus.values()].sort((a, b) => a.index - b.index),
      ...(this._processes ? { processes: this._processes } : {}),
      at: this._at
    };
  }

  stop(): void {
    this._stopped = true;
    clearTimeout(this._appsTimer);
    clearTimeout(this._restartTimer);
    const child = this._child;
    this._child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
  }

  private _spawn(): void {
    const { binary, intervalMs } = this._options;
    const child = spawn(
      binary,
      [
        `--query-gpu=${GPU_QUERY_FIELDS.join(',')}`,
        '--format=csv,noheader,nounits',
        '-lms',
        String(Math.max(1, Math.round(intervalMs)))
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], detached: true }
    );
    this._child = child;
    this._buffer = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this._onData(chunk));
    child.on('error', error => this._report(error));
    child.on('exit', (code, signal) => {
      if (this._child !== child || this._stopped) {
        return;
      }
      this._child = undefined;
      this._report(
        new Error(
          `nvidia-smi exited (${signal ?? `status ${code}`}); GPU samples ` +
            'pause until it restarts.'
        )
      );
      if (this._restarts < MAX_RESTARTS) {
        const delay = 1000 * 2 ** this._restarts++;
        this._restartTimer = setTimeout(() => this._spawn(), delay);
        this._restartTimer.unref();
      }
    });
  }

  private _onData(chunk: string): void {
    this._buffer += chunk;
    let end = this._buffer.indexOf('\n');
    while (end >= 0) {
      const line = this._buffer.slice(0, end);
      this._buffer = this._buffer.slice(end + 1);
      for (const reading of parseGpuQuery(line)) {
        this._gpus.set(reading.index, reading);
        this._at = Date.now();
        this._restarts = 0;
      }
      end = this._buffer.indexOf('\n');
    }
  }

  private _pollApps(): void {
    const every =
      this._options.appsIntervalMs ?? Math.max(this._options.intervalMs, 5000);
    if (every <= 0 || this._stopped) {
      return;
    }
    if (!this._appsRunning) {
      this._appsRunning = true;
      queryComputeApps(this._options.binary)
        .then(processes => {
          this._processes = processes;
        })
        .catch((error: Error) => this._report(error))
        .finally(() => {
          this._appsRunning = false;
        });
    }
    this._appsTimer = setTimeout(() => this._pollApps(), every);
    this._appsTimer.unref();
  }

  private _report(error: Error): void {
    if (!this._stopped) {
      this._options.onError?.(error);
    }
  }
}
