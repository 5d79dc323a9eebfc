/**
 * The agent's settings. The agent runs where the kernel runs, started by the
 * Jupyter server, so it cannot read JupyterLab's settings: it takes
 * environment variables, which a kernelspec's `env` (or the batch job) sets.
 * A bad value is reported and its default used: a typo must not keep a
 * kernel from starting.
 */

export interface IAgentSettings {
  /** Resource sampling on or off (`NBPROV_SAMPLING=off`). */
  readonly sampling: boolean;
  /** Idle sampling interval, ms (`NBPROV_SAMPLE_INTERVAL`, seconds; default 1). */
  readonly sampleIntervalMs: number;
  /** Interval during the first seconds of a cell, ms (`NBPROV_SAMPLE_BUSY_INTERVAL`, seconds; default 0.25). */
  readonly busySampleIntervalMs: number;
  /** nvidia-smi to use, `false` for none, absent to look on PATH (`NBPROV_NVIDIA_SMI`: a path or `off`). */
  readonly nvidiaSmi?: string | false;
  /** Journal events streamed live to frontends (`NBPROV_STREAM=off` stops it). */
  readonly stream: boolean;
  /**
   * After each execution, ask an IPython kernel which global names changed
   * (`NBPROV_CONFIRM_NAMES=off` stops it); see names-probe.ts.
   */
  readonly confirmNames: boolean;
}

/** The shortest interval allowed: a tick costs ~0.1 ms of one core. */
const MIN_INTERVAL_MS = 50;

export function agentSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  report: (message: string) => void
): IAgentSettings {
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      return fallback;
    }
    const value = Number(raw) * 1000;
    if (!Number.isFinite(value) || value < MIN_INTERVAL_MS) {
      report(
        `${name}=${raw} is not a number of seconds ≥ ${MIN_INTERVAL_MS / 1000}; using ${fallback / 1000}.`
      );
      return fallback;
    }
    return value;
  };
  const off = (name: string): boolean =>
    ['off', '0', 'false', 'no'].includes((env[name] ?? '').toLowerCase());
  const nvidia = env.NBPROV_NVIDIA_SMI;
  return {
    sampling: !off('NBPROV_SAMPLING'),
    sampleIntervalMs: seconds('NBPROV_SAMPLE_INTERVAL', 1000),
    busySampleIntervalMs: seconds('NBPROV_SAMPLE_BUSY_INTERVAL', 250),
    ...(nvidia === undefined || nvidia === ''
      ? {}
      : { nvidiaSmi: off('NBPROV_NVIDIA_SMI') ? false : nvidia }),
    stream: !off('NBPROV_STREAM'),
    confirmNames: !off('NBPROV_CONFIRM_NAMES')
  };
}
