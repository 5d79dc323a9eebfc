/**
 * One call that wires the sampler's parts for a kernel session: host facts
 * once, the process-tree sampler, one long-lived nvidia-smi where there is
 * one, and RAPL where it is readable. The agent calls `startResourceSampling`
 * when the kernel has started, forwards cell boundaries, and writes every
 * event it is handed to the journal.
 */

import type {
  ExecutionId,
  IHostFactsEvent,
  IResourceSampleEvent,
  SessionId
} from '../../core/journal/index.js';
import { readHostFacts } from './host.js';
import { findNvidiaSmi, NvidiaSmiMonitor } from './nvidia.js';
import { RaplReader } from './rapl.js';
import { Sampler } from './sampler.js';

export type ResourceEvent = IHostFactsEvent | IResourceSampleEvent;

export interface IResourceSamplingOptions {
  readonly session: SessionId;
  /** The kernel's pid: its whole tree is sampled. */
  readonly rootPid: number;
  /** Idle interval, ms (default 1000). */
  readonly intervalMs?: number;
  /** Interval during the first `busyForMs` of a cell, ms (default 250). */
  readonly busyIntervalMs?: number;
  readonly busyForMs?: number;
  /**
   * nvidia-smi to use: a path, `false` for no GPU sampling, or absent to
   * look for it on PATH (no GPU sampling when it is not there).
   */
  readonly nvidiaSmi?: string | false;
  /** GPU reading interval, ms (default: the idle interval, at least 500). */
  readonly gpuIntervalMs?: number;
  /** Read Intel RAPL package energy where readable (default true). */
  readonly rapl?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Every event to journal: `host.facts` once, then `resource.sample`s. */
  readonly onEvent: (event: ResourceEvent) => void;
  /** Problems worth a log line; sampling goes on. */
  readonly onError?: (error: Error) => void;
}

export interface IResourceSampling {
  readonly sampler: Sampler;
  /** Settles when `host.facts` has been handed to `onEvent`. */
  readonly hostFacts: Promise<void>;
  executionStarted(execution: ExecutionId): void;
  executionFinished(): void;
  /** Stops sampling and nvidia-smi. Safe to call twice. */
  stop(): void;
}

export function startResourceSampling(
  options: IResourceSamplingOptions
): IResourceSampling {
  const env = options.env ?? process.env;
  const intervalMs = options.intervalMs ?? 1000;
  const binary =
    options.nvidiaSmi === false
      ? undefined
      : (options.nvidiaSmi ?? findNvidiaSmi(env.PATH));
  const gpu =
    binary === undefined
      ? undefined
      : NvidiaSmiMonitor.start({
          binary,
          intervalMs: options.gpuIntervalMs ?? Math.max(intervalMs, 500),
          onError: options.onError
        });
  const energy = options.rapl === false ? undefined : RaplReader.open();
  const sampler = new Sampler({
    session: options.session,
    intervalMs,
    busyIntervalMs: options.busyIntervalMs,
    busyForMs: options.busyForMs,
    gpu,
    energy,
    onSample: options.onEvent,
    onError: options.onError
  });
  let stopped = false;
  const hostFacts = readHostFacts({
    session: options.session,
    env,
    nvidiaSmi: binary ?? null
  })
    .then(facts => {
      if (!stopped) {
        options.onEvent(facts);
      }
    })
    .catch((error: Error) => options.onError?.(error));
  sampler.start(options.rootPid);
  return {
    sampler,
    hostFacts,
    executionStarted: execution => sampler.executionStarted(execution),
    executionFinished: () => sampler.executionFinished(),
    stop() {
      stopped = true;
      sampler.stop();
      gpu?.stop();
    }
  };
}
