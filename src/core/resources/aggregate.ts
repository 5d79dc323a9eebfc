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
 * Resource figures of every execution that has samples, in the order the
 * executions first appear in the journal. Executions without samples
 * (recorded by the frontend alone) are absent.
 */
export function aggregateExecutions(
  events: readonly JournalEvent[]
): Map<ExecutionId, IExecutionResources> {
  const accumulators = new Map<ExecutionId, IAccumulator>();
  const previous = new Map<SessionId, IResourceSampleEvent>();
  /** Time of each session's previous `kernel.usage`, ms. */
  const previousUsage = new Map<SessionId, number>();
  const starts = new Map<ExecutionId, number>();
  const ends = new Map<ExecutionId, number>();
  for (const event of events) {
    switch (event.kind) {
      case 'execution.requested':
        if (!starts.has(event.execution)) {
          starts.set(event.execution, Date.parse(event.t));
        }
        break;
      case 'execution.started':
        // The kernel's start is the better start than the request's.
        starts.set(event.execution, Date.parse(event.t));
        break;
      case 'execution.finished':
        if (!ends.has(event.execution)) {
          ends.set(event.execution, Date.parse(event.t));
        }
        break;
      case 'resource.sample': {
        if (event.execution !== undefined) {
          let acc = accumulators.get(event.execution);
          if (acc === undefined || acc.source !== 'agent') {
            // The agent's figures replace any the kernel reported.
            acc = {
              source: 'agent',
              samples: 0,
              cpuSeconds: 0,
              peakRssBytes: 0
            };
            accumulators.set(event.execution, acc);
          }
          accumulateSample(acc, event, previous.get(event.session));
        }
        previous.set(event.session, event);
        break;
      }
      case 'kernel.usage': {
        const at = Date.parse(event.t);
        const before = previousUsage.get(event.session);
        previousUsage.set(event.session, at);
        if (event.execution === undefined) {
          break;
        }
        let acc = accumulators.get(event.execution);
        if (acc === undefined) {
          acc = {
            source: 'kernel',
            samples: 0,
            cpuSeconds: 0,
            peakRssBytes: 0
          };
          accumulators.set(event.execution, acc);
        } else if (acc.source !== 'kernel') {
          break;
        }
        accumulateUsage(
          acc,
          event,
          before === undefined ? undefined : (at - before) / 1000
        );
        break;
      }
      default:
        break;
    }
  }
  const out = new Map<ExecutionId, IExecutionResources>();
  for (const [execution, acc] of accumulators) {
    const start = starts.get(execution);
    const end = ends.get(execution);
    const wall =
      start !== undefined && end !== undefined && end >= start
        ? (end - start) / 1000
        : undefined;
    const figures: IExecutionResources = {
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
    out.set(execution, figures);
  }
  return out;
}
