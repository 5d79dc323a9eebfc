/**
 * Starting, interrupting and stopping the kernel of `nbprov run`, always
 * through the agent (DESIGN.md, "three taps": the headless runner records
 * through the same agent as an interactive kernel).
 *
 * - The kernelspec is found as Jupyter finds it (`jupyter kernelspec list`).
 *   One the agent already wraps is started as it is; any other is wrapped
 *   on the fly exactly as `nbprov kernel install` would write it.
 * - The agent starts in the notebook's folder with `JPY_SESSION_NAME` set
 *   to the notebook, as Jupyter Server starts it, so its journal is the
 *   notebook's sidecar `NAME.provenance.jsonl`, where an interactive run
 *   puts it.
 * - It runs in a process group of its own (the kernel joins it, see
 *   lifecycle.ts): a Ctrl-C in the terminal reaches `nbprov run` alone,
 *   which interrupts the kernel deliberately; a signal-mode interrupt is
 *   SIGINT to that group, as jupyter_client sends it (the agent ignores it,
 *   the kernel gets it).
 * - The connection file (fresh ports, a fresh key, mode 0600) lives in a
 *   private temporary folder removed when the kernel is gone.
 */

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findJupyter,
  findKernelSpec,
  isBarePython,
  isWrapped,
  resolvePython,
  wrapKernelSpec,
  type IKernelSpec
} from '../kernelspec.js';
import type { IKernelExit } from '../lifecycle.js';
import {
  freePorts,
  writeConnectionFile,
  type IConnectionInfo
} from '../relay/connection.js';
import { delay } from './client.js';

/** A kernelspec made ready to start through the agent. */
export interface IRunnableKernel {
  readonly name: string;
  /** argv that starts the agent, `{connection_file}` still in it. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly interruptMode: 'signal' | 'message';
  /** Whether the kernelspec itself runs the agent (else wrapped here). */
  readonly wasWrapped: boolean;
}

export interface IAgentCommand {
  /** The Node executable. */
  readonly node: string;
  /** Absolute path of lib/agent/cli.js. */
  readonly cli: string;
}

/** The kernel named `name`, through the agent; throws naming the known ones. */
export async function findRunnableKernel(
  name: string,
  agent: IAgentCommand,
  jupyter: string = findJupyter()
): Promise<IRunnableKernel> {
  const found = await findKernelSpec(
    name,
    jupyter,
    'Choose one with --kernel NAME.'
  );
  return runnableKernel(name, found.spec, agent, jupyter);
}

/** The argv and env that start `spec` through the agent (pure). */
export function runnableKernel(
  name: string,
  spec: IKernelSpec,
  agent: IAgentCommand,
  jupyter: string
): IRunnableKernel {
  const wasWrapped = isWrapped(spec);
  const python = (arg: string | undefined): string | undefined =>
    arg !== undefined && isBarePython(arg)
      ? resolvePython(jupyter, arg)
      : undefined;
  const ready: IKernelSpec = wasWrapped
    ? {
        ...spec,
        argv: [python(spec.argv[0]) ?? spec.argv[0], ...spec.argv.slice(1)]
      }
    : wrapKernelSpec(name, spec, { ...agent, python: python(spec.argv[0]) });
  return {
    name,
    argv: ready.argv,
    env: { ...ready.env },
    interruptMode: spec.interrupt_mode === 'message' ? 'message' : 'signal',
    wasWrapped
  };
}

/** `{connection_file}` replaced, as jupyter_client formats a kernel's argv. */
export function formatArgv(
  argv: readonly string[],
  connectionFile: string
): string[] {
  return argv.map(arg => arg.split('{connection_file}').join(connectionFile));
}

export interface IStartOptions {
  readonly kernel: IRunnableKernel;
  /** The notebook's folder: the kernel's cwd. */
  readonly cwd: string;
  /** The notebook's path, for JPY_SESSION_NAME. */
  readonly notebookPath: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A started agent (with its kernel), until `stop`. */
export class KernelProcess {
  /** Writes a connection file and starts the agent. */
  static async start(options: IStartOptions): Promise<KernelProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'nbprov-run-'));
    try {
      const ip = '127.0.0.1';
      const [shell, iopub, stdin, control, hb] = await freePorts(ip, 5);
      const connection: IConnectionInfo = {
        transport: 'tcp',
        ip,
        shell_port: shell,
        iopub_port: iopub,
        stdin_port: stdin,
        control_port: control,
        hb_port: hb,
        key: randomBytes(32).toString('hex'),
        signature_scheme: 'hmac-sha256',
        kernel_name: options.kernel.name
      };
      // `kernel-<id>.json`: the agent takes the kernel id from the name.
      const file = join(dir, `kernel-${randomUUID()}.json`);
      await writeConnectionFile(file, connection);
      const [command, ...args] = formatArgv(options.kernel.argv, file);
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: {
          ...(options.env ?? process.env),
          ...options.kernel.env,
          JPY_SESSION_NAME: options.notebookPath,
          // ipykernel exits by itself when this process is gone.
          JPY_PARENT_PID: String(process.pid)
        },
        // The kernel's own output goes to stderr: stdout is ours.
        stdio: ['ignore', 2, 2],
        detached: true
      });
      return new KernelProcess(child, connection, dir, options.kernel);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private constructor(
    child: ChildProcess,
    connection: IConnectionInfo,
    dir: string,
    kernel: IRunnableKernel
  ) {
    this._child = child;
    this.connection = connection;
    this._dir = dir;
    this.kernel = kernel;
    this.exited = new Promise<IKernelExit>(resolve => {
      child.once('exit', (code, signal) => {
        this._exit = { code, signal };
        resolve(this._exit);
      });
      child.once('error', error => {
        this.startError = error;
        this._exit = { code: 127, signal: null };
        resolve(this._exit);
      });
    });
  }

  readonly connection: IConnectionInfo;
  readonly kernel: IRunnableKernel;
  /** Resolves when the agent (and with it the kernel) has exited. */
  readonly exited: Promise<IKernelExit>;
  /** Why the agent could not be started at all (spawn failed). */
  startError?: Error;

  get pid(): number | undefined {
    return this._child.pid;
  }

  get hasExited(): boolean {
    return this._exit !== undefined;
  }

  /** Interrupts by signal (the kernelspec's `interrupt_mode`), if that is its way. */
  signalInterrupt(): boolean {
    if (this.kernel.interruptMode !== 'signal') {
      return false;
    }
    this._signalGroup('SIGINT');
    return true;
  }

  /**
   * Ends the agent and its kernel: `askToShutdown` (a `shutdown_request`)
   * first, then SIGTERM to the group, then SIGKILL, waiting between; the
   * temporary folder goes last. Never throws.
   */
  async stop(
    askToShutdown: () => Promise<void>,
    waits: { readonly shutdownMs: number; readonly termMs: number } = {
      shutdownMs: 5000,
      termMs: 3000
    }
  ): Promise<void> {
    if (!this.hasExited) {
      await Promise.race([askToShutdown().catch(() => undefined), this.exited]);
      await Promise.race([this.exited, delay(waits.shutdownMs, undefined)]);
    }
    if (!this.hasExited) {
      this._signalGroup('SIGTERM');
      await Promise.race([this.exited, delay(waits.termMs, undefined)]);
    }
    // The group may hold more than the agent: a kernel left behind, or the
    // kernel's own children.
    this._signalGroup('SIGKILL');
    await Promise.race([this.exited, delay(1000, undefined)]);
    await rm(this._dir, { recursive: true, force: true });
  }

  private _signalGroup(signal: NodeJS.Signals): void {
    const pid = this._child.pid;
    if (pid === undefined) {
      return;
    }
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  private readonly _child: ChildProcess;
  private readonly _dir: string;
  private _exit: IKernelExit | undefined;
}
