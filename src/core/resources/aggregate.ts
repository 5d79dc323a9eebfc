/**
 * Per-execution resource figures, derived from the journal's
 * `resource.sample` events (DESIGN.md: everything is a projection of the
 * journal). Pure: the PROV projection and the timeline can both use it.
 *
 * A sample belongs to the execution it names (the one running when it was
 * taken). Cumulative counters are differenced against the previous sample
 * of the same session, so the figures of an execution are exact at the
 * sampler's resolution: the agent takes a sample when a cell starts and
 * when it ends, so a cell is bracketed by samples. Rates are integrated
 * over each sample's own `interval`.
 */

import type {
  ExecutionId,
  IKernelUsageEvent,
  IResourceSampleEvent,
  JournalEvent,
  SessionId
} from '../journal/index.js';

export interface IExecutionResources {
  readonly execution: ExecutionId;
  /**
   * Where the figures come from: the agent's `resource.sample`s, or the
   * kernel's own `usage_reply`s (`kernel.usage`: CPU seconds estimated
   * from percentages, memory as the kernel reported it).
   */
  readonly source: 'agent' | 'kernel';
  /** How many samples fell in the execution. */
  readonly samples: number;
  /** Start (`execution.started`, else `execution.requested`) to `execution.finished`, seconds. */
  readonly wallSeconds?: number;
  /** CPU seconds the kernel's process tree used during the execution. */
  readonly cpuSeconds: number;
  /** The largest tree RSS seen in the execution (always, from the agent). */
  readonly peakRssBytes?: number;
  /** The largest memory figure the kernel reported of itself, when it did not say whether PSS or RSS. */
  readonly peakKernelMemoryBytes?: number;
  /** The largest tree PSS seen, where PSS was read. */
  readonly peakPssBytes?: number;
  /** Storage bytes read and written by the tree, where `/proc/<pid>/io` was readable. */
  readonly readBytes?: number;
  readonly writeBytes?: number;
  /** Σ utilisation × time over all GPUs: 1 = one GPU fully busy for one second. */
  readonly gpuSeconds?: number;
  /** The largest GPU memory the tree held, summed over GPUs. */
  readonly peakGpuTreeMemoryBytes?: number;
  /** GPU board power integrated over the execution, joules (whole boards, not only this tree). */
  readonly gpuEnergyJoules?: number;
  /** CPU package energy (RAPL) over the execution, joules (whole host). */
  readonly cpuEnergyJoules?: number;
}

interface IAccumulator {
  source: 'agent' | 'kernel';
  samples: number;
  peakKernelMemoryBytes?: number;
  cpuSeconds: number;
  peakRssBytes: number;
  peakPssBytes?: number;
  readBytes?: number;
  writeBytes?: number;
  gpuSeconds?: number;
  peakGpuTreeMemoryBytes?: number;
  gpuEnergyJoules?: number;
  cpuEnergyMicrojoules?: number;
}

function delta(
  current: number | undefined,
  previous: number | undefined
): number | undefined {
  if (current === undefined) {
    return undefined;
  }
  // A counter that went backwards (a restarted sampler) restarts from zero.
  return previous === undefined || current < previous
    ? undefined
    : current - previous;
}

function add(total: number | undefined, value: number | undefined) {
  return value === undefined ? total : (total ?? 0) + value;
}

function max(top: number | undefined, value: number | undefined) {
  return value === undefined ? top : Math.max(top ?? 0, value);
}

/**
 * An execution's peak memory as one figure: RSS where sampled, else PSS,
 * else the kernel's own (undeclared) measure.
 */
export function peakMemoryBytes(
  resources: IExecutionResources
): number | undefined {
  return (
    resources.peakRssBytes ??
    resources.peakPssBytes ??
    resources.peakKernelMemoryBytes
  );
}

/**
 * Folds one `usage_reply` into an execution's totals. The kernel's CPU %
 * covers the time since its previous reply (psutil's `cpu_percent`), so
 * it is integrated over that gap; the first reply of a session has no gap.
 */
function accumulateUsage(
  acc: IAccumulator,
  usage: IKernelUsageEvent,
  secondsSincePrevious: number | undefined
): void {
  acc.samples += 1;
  if (usage.cpuPercent !== undefined && secondsSincePrevious !== undefined) {
    acc.cpuSeconds += (usage.cpuPercent / 100) * secondsSincePrevious;
  }
  if (usage.memoryBytes !== undefined) {
    if (usage.memoryKind === 'pss') {
      acc.peakPssBytes = max(acc.peakPssBytes, usage.memoryBytes);
    } else if (usage.memoryKind === 'rss') {
      acc.peakRssBytes = Math.max(acc.peakRssBytes, usage.memoryBytes);
    } else {
      acc.peakKernelMemoryBytes = max(
        acc.peakKernelMemoryBytes,
        usage.memoryBytes
      );
    }
  }
}

/** Folds one sample into an execution's totals, given the session's previous sample. */
function accumulateSample(
  acc: IAccumulator,
  sample: IResourceSampleEvent,
  previous: IResourceSampleEvent | undefined
): void {
  acc.samples += 1;
  const cpu =
    delta(sample.cpuSeconds, previous?.cpuSeconds) ??
    (sample.cpuPercent / 100) * sample.interval;
  acc.cpuSeconds += cpu;
  acc.peakRssBytes = Math.max(acc.peakRssBytes, sample.rssBytes);
  acc.peakPssBytes = max(acc.peakPssBytes, sample.pssBytes);
  acc.readBytes = add(
    acc.readBytes,
    delta(sample.readBytes, previous?.readBytes)
  );
  acc.writeBytes = add(
    acc.writeBytes,
    delta(sample.writeBytes, previous?.writeBytes)
  );
  acc.cpuEnergyMicrojoules = add(
    acc.cpuEnergyMicrojoules,
    delta(sample.energyMicrojoules, previous?.energyMicrojoules)
  );
  if (sample.gpus !== undefined) {
    let treeMemory: number | undefined;
    for (const gpu of sample.gpus) {
      if (gpu.utilizationPercent !== undefined) {
        acc.gpuSeconds =
          (acc.gpuSeconds ?? 0) +
          (gpu.utilizationPercent / 100) * sample.interval;
      }
      if (gpu.powerWatts !== undefined) {
        acc.gpuEnergyJoules =
          (acc.gpuEnergyJoules ?? 0) + gpu.powerWatts * sample.interval;
      }
      treeMemory = add(treeMemory, gpu.treeMemoryBytes);
    }
    acc.peakGpuTreeMemoryBytes = max(acc.peakGpuTreeMemoryBytes, treeMemory);
  }
}

const round = (value: number, digits: number): number =>
  Number(value.toFixed(digits));

/**
 * The same fold as `aggregateExecutions`, one event at a time, for a live
 * journal (the timeline): `add` costs O(1) per event and `figures` O(1) per
 * execution, so a batch of new events never refolds the whole journal.
 */
export class ResourceAggregator {
  /**
   * Folds one event; returns the execution whose figures it changed (a
   * sample naming it, or its start or finish, which move its wall time).
   */
  add(event: JournalEvent): ExecutionId | undefined {
    switch (event.kind) {
      case 'execution.requested':
        if (!this._starts.has(event.execution)) {
          this._starts.set(event.execution, Date.parse(event.t));
          return this._touched(event.execution);
        }
        return undefined;
      case 'execution.started':
        // The kernel's start is the better start than the request's.
        this._starts.set(event.execution, Date.parse(event.t));
        return this._touched(event.execution);
      case 'execution.finished':
        if (!this._ends.has(event.execution)) {
          this._ends.set(event.execution, Date.parse(event.t));
          return this._touched(event.execution);
        }
        return undefined;
      case 'resource.sample': {
        const previous = this._previous.get(event.session);
        this._previous.set(event.session, event);
        if (event.execution === undefined) {
          return undefined;
        }
        let acc = this._accumulators.get(event.execution);
        if (acc === undefined || acc.source !== 'agent') {
          // The agent's figures replace any the kernel reported.
          acc = { source: 'agent', samples: 0, cpuSeconds: 0, peakRssBytes: 0 };
          this._accumulators.set(event.execution, acc);
        }
        accumulateSample(acc, event, previous);
        return event.execution;
      }
      case 'kernel.usage': {
        const at = Date.parse(event.t);
        const before = this._previousUsage.get(event.session);
        this._previousUsage.set(event.session, at);
        if (event.execution === undefined) {
          return undefined;
        }
        let acc = this._accumulators.get(event.execution);
        if (acc === undefined) {
          acc = {
            source: 'kernel',
            samples: 0,
            cpuSeconds: 0,
            peakRssBytes: 0
          };
          this._accumulators.set(event.execution, acc);
        } else if (acc.source !== 'kernel') {
          return undefined;
        }
        accumulateUsage(
          acc,
          event,
          before === undefined ? undefined : (at - before) / 1000
        );
        return event.execution;
      }
      default:
        return undefined;
    }
  }

  /** The figures of one execution, or undefined while it has no samples. */
  figures(execution: ExecutionId): IExecutionResources | undefined {
    const acc = this._accumulators.get(execution);
    return acc === undefined
      ? undefined
      : toFigures(
          execution,
          acc,
          this._starts.get(execution),
          this._ends.get(execution)
        );
  }

  /** Executions with samples, in the order their first sample was folded. */
  executions(): IterableIterator<ExecutionId> {
    return this._accumulators.keys();
  }

  private _touched(execution: ExecutionId): ExecutionId | undefined {
    return this._accumulators.has(execution) ? execution : undefined;
  }

  private readonly _accumulators = new Map<ExecutionId, IAccumulator>();
  private readonly _previous = new Map<SessionId, IResourceSampleEvent>();
  /** Time of each session's previous `kernel.usage`, ms. */
  private readonly _previousUsage = new Map<SessionId, number>();
  private readonly _starts = new Map<ExecutionId, number>();
  private readonly _ends = new Map<ExecutionId, number>();
}

function toFigures(
  execution: ExecutionId,
  acc: IAccumulator,
  start: number | undefined,
  end: number | undefined
): IExecutionResources {
  const wall =
    start !== undefined && end !== undefined && end >= start
      ? (end - start) / 1000
      : undefined;
  return {
    execution,
    source: acc.source,
    samples: acc.samples,
    ...(wall !== undefined ? { wallSeconds: wall } : {}),
    cpuSeconds: round(acc.cpuSeconds, 3),
    // The kernel may report PSS only: then no RSS figure at all.
    ...(acc.source === 'agent' || acc.peakRssBytes > 0
      ? { peakRssBytes: acc.peakRssBytes }
      : {}),
    ...(acc.peakKernelMemoryBytes !== undefined
      ? { peakKernelMemoryBytes: acc.peakKernelMemoryBytes }
      : {}),
    ...(acc.peakPssBytes !== undefined
      ? { peakPssBytes: acc.peakPssBytes }
      : {}),
    ...(acc.readBytes !== undefined ? { readBytes: acc.readBytes } : {}),
    ...(acc.writeBytes !== undefined ? { writeBytes: acc.writeBytes } : {}),
    ...(acc.gpuSeconds !== undefined
      ? { gpuSeconds: round(acc.gpuSeconds, 3) }
      : {}),
    ...(acc.peakGpuTreeMemoryBytes !== undefined
      ? { peakGpuTreeMemoryBytes: acc.peakGpuTreeMemoryBytes }
      : {}),
    ...(acc.gpuEnergyJoules !== undefined
      ? { gpuEnergyJoules: round(acc.gpuEnergyJoules, 3) }
      : {}),
    ...(acc.cpuEnergyMicrojoules !== undefined
      ? { cpuEnergyJoules: round(acc.cpuEnergyMicrojoules / 1e6, 6) }
      : {})
  };
}

/**
 * Resource figures of every execution that has samples, in the order the
 * executions' first samples appear in the journal. Executions without
 * samples (recorded by the frontend alone) are absent.
 */
export function aggregateExecutions(
  events: readonly JournalEvent[]
): Map<ExecutionId, IExecutionResources> {
  const aggregator = new ResourceAggregator();
  for (const event of events) {
    aggregator.add(event);
  }
  const out = new Map<ExecutionId, IExecutionResources>();
  for (const execution of aggregator.executions()) {
    out.set(execution, aggregator.figures(execution)!);
  }
  return out;
}
