/**
 * Host facts, read once per kernel session: what the machine is, which
 * GPUs it has, and which batch job it runs in. `systeminformation` for the
 * CPU and OS (it knows distributions and physical cores), Node's `os` as the
 * fallback, `nvidia-smi` for GPUs (see nvidia.ts), and a fixed list of
 * scheduler variables from the environment.
 */

import os from 'node:os';
import si from 'systeminformation';
import {
  JOURNAL_FORMAT_VERSION,
  type IGpuFacts,
  type IHostFactsEvent,
  type ISchedulerFacts,
  type IsoTime,
  type SessionId
} from '../../core/journal/index.js';
import { findNvidiaSmi, queryGpuFacts } from './nvidia.js';

/**
 * The only environment variables ever copied into a journal: job ids,
 * names and placement. They identify the run for accounting and are not
 * secrets. Nothing else from the environment is read.
 */
const SCHEDULER_VARIABLES: readonly (readonly [
  keyof ISchedulerFacts,
  readonly string[]
])[] = [
  ['slurmJobId', ['SLURM_JOB_ID', 'SLURM_JOBID']],
  ['slurmJobName', ['SLURM_JOB_NAME']],
  ['slurmJobPartition', ['SLURM_JOB_PARTITION']],
  ['slurmNodelist', ['SLURM_JOB_NODELIST', 'SLURM_NODELIST']],
  ['pbsJobId', ['PBS_JOBID']]
];

/** The scheduler facts present in `env`, or undefined when it is not a batch job. */
export function schedulerFacts(
  env: NodeJS.ProcessEnv = process.env
): ISchedulerFacts | undefined {
  const facts: Record<string, string> = {};
  for (const [field, names] of SCHEDULER_VARIABLES) {
    const value = names.map(name => env[name]).find(v => v !== undefined);
    if (value !== undefined && value !== '') {
      facts[field] = value;
    }
  }
  return Object.keys(facts).length > 0 ? facts : undefined;
}

export interface IHostFactsOptions {
  readonly session: SessionId;
  /** Defaults to now. */
  readonly time?: Date;
  readonly env?: NodeJS.ProcessEnv;
  /** The nvidia-smi to ask for GPUs; found on PATH when absent; `null` skips GPUs. */
  readonly nvidiaSmi?: string | null;
}

/**
 * Reads the host facts. Never throws: a part that cannot be read falls back
 * to Node's `os` module or is left out, because a missing fact must not
 * stop a kernel from starting.
 */
export async function readHostFacts(
  options: IHostFactsOptions
): Promise<IHostFactsEvent> {
  const env = options.env ?? process.env;
  const [cpu, osInfo, mem, gpus] = await Promise.all([
    si.cpu().catch(() => undefined),
    si.osInfo().catch(() => undefined),
    si.mem().catch(() => undefined),
    readGpus(options.nvidiaSmi, env)
  ]);
  const cpus = os.cpus();
  const siModel = cpu
    ? `${cpu.manufacturer} ${cpu.brand}`.replace(/\s+/g, ' ').trim()
    : '';
  const distro =
    osInfo && osInfo.distro
      ? `${osInfo.distro} ${osInfo.release}`.trim()
      : undefined;
  const scheduler = schedulerFacts(env);
  const physicalCores =
    cpu && Number.isSafeInteger(cpu.physicalCores) && cpu.physicalCores > 0
      ? cpu.physicalCores
      : undefined;
  return {
    v: JOURNAL_FORMAT_VERSION,
    kind: 'host.facts',
    t: (options.time ?? new Date()).toISOString() as IsoTime,
    session: options.session,
    hostname: os.hostname(),
    platform: process.platform,
    release: os.release(),
    ...(distro ? { distro } : {}),
    arch: process.arch,
    cpuModel: siModel || cpus[0]?.model?.trim() || '',
    logicalCores: cpus.length || cpu?.cores || 1,
    ...(physicalCores !== undefined ? { physicalCores } : {}),
    memoryTotalBytes:
      mem && Number.isSafeInteger(mem.total) ? mem.total : os.totalmem(),
    gpus,
    ...(scheduler ? { scheduler } : {})
  };
}

async function readGpus(
  nvidiaSmi: string | null | undefined,
  env: NodeJS.ProcessEnv
): Promise<IGpuFacts[]> {
  if (nvidiaSmi === null) {
    return [];
  }
  const binary = nvidiaSmi ?? findNvidiaSmi(env.PATH);
  if (binary === undefined) {
    return [];
  }
  try {
    return await queryGpuFacts(binary);
  } catch {
    // nvidia-smi present but failing (no driver loaded, GPU lost): no GPUs.
    return [];
  }
}
