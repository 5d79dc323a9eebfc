/**
 * The kernel as the agent's child: how it is started so that it never
 * outlives the agent, and how signals reach it.
 *
 * - SIGINT: jupyter_client interrupts a `signal`-mode kernel with
 *   `os.killpg` on the process group it started the agent in; the kernel
 *   is in the same group, so it gets the signal itself. The agent ignores
 *   SIGINT and does not forward it (forwarding would interrupt twice).
 * - SIGTERM/SIGHUP: the agent terminates the kernel, waits briefly, kills it
 *   if it is still there, and exits.
 * - SIGKILL of the agent alone (`kill -9 <agent pid>`) cannot be caught.
 *   The kernel is started through `setpriv --pdeathsig KILL` (util-linux),
 *   which sets PR_SET_PDEATHSIG and execs the kernel in the same process:
 *   Linux kills the kernel when the agent dies. Where setpriv is missing, a
 *   Python one-liner does the same prctl when the kernel is a Python. And
 *   ipykernel gets `JPY_PARENT_PID` = the agent, so its own parent poller
 *   exits the kernel when the agent goes.
 */

import { constants as osConstants } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

/** The PR_SET_PDEATHSIG helper for Python kernels without setpriv. */
const PYTHON_PDEATHSIG = [
  'import ctypes, os, signal, sys',
  'ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)',
  // The agent may have died between fork and prctl.
  'os.getppid() == int(sys.argv[1]) or sys.exit(1)',
  'os.execvp(sys.argv[2], sys.argv[2:])'
].join('\n');

/** An executable found on PATH, or undefined. */
export function which(
  name: string,
  path: string | undefined = process.env.PATH
): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * The command line that starts `argv` so that it dies with this process:
 * `setpriv --pdeathsig KILL -- argv…` on Linux with util-linux, the Python
 * helper for Python kernels, else `argv` unchanged (nothing is available).
 */
export function dieWithParentArgv(
  argv: readonly string[],
  options: {
    readonly platform?: NodeJS.Platform;
    readonly setpriv?: string;
    readonly parentPid?: number;
  } = {}
): string[] {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    return [...argv];
  }
  const setpriv =
    'setpriv' in options ? options.setpriv : which('setpriv', process.env.PATH);
  if (setpriv !== undefined) {
    return [setpriv, '--pdeathsig', 'KILL', '--', ...argv];
  }
  if (/^python[0-9.]*$/.test(basename(argv[0] ?? ''))) {
    return [
      argv[0],
      '-c',
      PYTHON_PDEATHSIG,
      String(options.parentPid ?? process.pid),
      ...argv
    ];
  }
  return [...argv];
}

/**
 * The kernel's argv with its connection file in place of the server's.
 * jupyter_client substitutes `{connection_file}` throughout the wrapped
 * argv, the kernel's part after `--` included, so the agent receives the
 * server's path there and swaps it (and any placeholder left) for its own.
 */
export function kernelArgv(
  argv: readonly string[],
  serverFile: string,
  kernelFile: string
): string[] {
  return argv.map(arg =>
    arg
      .split(serverFile)
      .join(kernelFile)
      .split('{connection_file}')
      .join(kernelFile)
  );
}

export interface IKernelExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Starts the kernel in the agent's process group, tied to the agent's life. */
export function spawnKernel(
  argv: readonly string[],
  env: NodeJS.ProcessEnv
): ChildProcess {
  const [command, ...args] = dieWithParentArgv(argv);
  return spawn(command, args, {
    // JPY_PARENT_PID stays the server's, as the server set it: ipykernel
    // then exits when the server dies, as it does unwrapped. When the agent
    // dies, pdeathsig takes the kernel.
    env: { ...env },
    // The kernel's stdio is the agent's, as if the server had started it.
    stdio: 'inherit',
    detached: false
  });
}

/** The status the agent exits with so the server sees what the kernel did. */
export function exitStatus(exit: IKernelExit): number {
  if (exit.code !== null) {
    return exit.code;
  }
  // Every signal by its number (Slurm's SIGXCPU at a CPU-time limit too).
  return (
    128 + (exit.signal !== null ? (osConstants.signals[exit.signal] ?? 0) : 0)
  );
}
