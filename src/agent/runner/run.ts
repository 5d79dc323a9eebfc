/**
 * `nbprov run`: executes a whole notebook headless, through the agent, the
 * way nbclient/papermill do (DESIGN.md, the third tap), for batch jobs.
 *
 * One code cell at a time, in order: an `execute_request` with the cell's
 * id in `metadata.cellId` (what JupyterLab sends, what the agent's recorder
 * reads), then its iopub messages until `status: idle` and its
 * `execute_reply`. Before the first cell the agent is greeted
 * (`nbprov_hello_request`) and told the notebook's path and cell order
 * (`nbprov_context_request`; an agent that does not answer it yet is no
 * reason to stop).
 *
 * Exit statuses: 0 every cell ran without error (or `--allow-errors`);
 * 1 a cell failed or ran past `--timeout`; 3 the kernel could not be found
 * or started, or died; 128 + the signal's number when stopped by SIGINT,
 * SIGTERM or SIGHUP. The executed notebook is written whenever the kernel
 * got as far as being ready, whatever happened after.
 */

import type {
  ICell,
  ICodeCell,
  INotebookContent,
  IOutput
} from '@jupyterlab/nbformat';
import type { KernelMessage } from '@jupyterlab/services';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import {
  AGENT_HELLO_TIMEOUT_MS,
  AGENT_PROTOCOL_VERSION,
  CONTEXT_REQUEST,
  HELLO_REQUEST,
  isHelloReplyContent,
  type IContextRequestContent,
  type IHelloReplyContent,
  type IHelloRequestContent
} from '../../core/protocol/index.js';
import type { IKernelExit } from '../lifecycle.js';
import { delay, KernelClient } from './client.js';
import {
  findRunnableKernel,
  KernelProcess,
  type IAgentCommand
} from './kernel-process.js';
import { ensureCellIds, readNotebook, writeNotebook } from './notebook-file.js';
import { CellOutputs, DisplayIndex } from './outputs.js';
import type { CellStatus, ICellEnd, IProgress } from './progress.js';
import { signalStatus, StopSignals } from './stop-signals.js';

export const EXIT_CELL_FAILED = 1;
export const EXIT_KERNEL_FAILED = 3;

/** How long a context request may go unanswered (the agent may predate it). */
const CONTEXT_TIMEOUT_MS = 2000;
/** After an interrupt, how long the cell gets to end with its traceback. */
const AFTER_INTERRUPT_MS = 5000;

export interface IRunOptions {
  readonly notebook: string;
  /** Kernelspec name; default the notebook's, else `python3`. */
  readonly kernel?: string;
  /** Where the executed notebook goes; default `notebook` itself. */
  readonly output?: string;
  readonly allowErrors: boolean;
  /** Per cell, in seconds; none: no limit. */
  readonly timeoutSeconds?: number;
  readonly startupTimeoutMs?: number;
  readonly agent: IAgentCommand;
  readonly progress: IProgress;
}

/** A failure of the kernel itself (not of a cell): exit status 3. */
export class KernelFailure extends Error {}

/** Runs the notebook; resolves with the exit status. */
export async function runNotebook(options: IRunOptions): Promise<number> {
  const notebookPath = resolve(options.notebook);
  const nb = await readNotebook(notebookPath);
  ensureCellIds(nb);
  return runNotebookContent(
    {
      nb,
      notebookPath,
      outputPath: resolve(options.output ?? options.notebook)
    },
    options
  );
}

/** A notebook held in memory, and the names it runs under. */
export interface INotebookRunTarget {
  /** Its cells get their outputs and execution counts as they run. */
  readonly nb: INotebookContent;
  /**
   * The path the kernel is told it runs (`JPY_SESSION_NAME`: the agent's
   * journal is named after it) and the context the agent records; the
   * kernel's working directory is its folder.
   */
  readonly notebookPath: string;
  /** Where the executed notebook is written; undefined: nowhere. */
  readonly outputPath: string | undefined;
}

/** Runs a notebook held in memory; resolves with the exit status. */
export async function runNotebookContent(
  target: INotebookRunTarget,
  options: Omit<IRunOptions, 'notebook' | 'output'>
): Promise<number> {
  const { nb, notebookPath } = target;
  const kernelName = options.kernel ?? kernelspecName(nb) ?? 'python3';
  const stop = new StopSignals();
  try {
    let kernel;
    try {
      kernel = await findRunnableKernel(kernelName, options.agent);
    } catch (e) {
      throw new KernelFailure((e as Error).message);
    }
    const proc = await KernelProcess.start({
      kernel,
      cwd: dirname(notebookPath),
      notebookPath
    });
    const run = new NotebookRun(nb, notebookPath, proc, stop, options);
    return await run.run(target.outputPath);
  } catch (e) {
    if (e instanceof KernelFailure) {
      options.progress.note(`nbprov run: ${e.message}`);
      return stop.signal !== undefined
        ? signalStatus(stop.signal)
        : EXIT_KERNEL_FAILED;
    }
    throw e;
  } finally {
    options.progress.close();
    stop.dispose();
  }
}

function kernelspecName(nb: INotebookContent): string | undefined {
  const name = nb.metadata.kernelspec?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

interface ICellRun {
  readonly outputs: CellOutputs;
  readonly label: string;
}

class NotebookRun {
  constructor(
    nb: INotebookContent,
    notebookPath: string,
    proc: KernelProcess,
    stop: StopSignals,
    options: Omit<IRunOptions, 'notebook' | 'output'>
  ) {
    this._nb = nb;
    this._notebookPath = notebookPath;
    this._proc = proc;
    this._stop = stop;
    this._options = options;
    this._died = proc.exited.then(exit => ({ died: exit }));
    this._client = new KernelClient(proc.connection, {
      onIopub: msg => this._routeIopub(msg),
      onStdin: msg => void this._answerStdin(msg),
      onError: error => this._warnOnce(error.message)
    });
  }

  async run(outputPath: string | undefined): Promise<number> {
    const progress = this._options.progress;
    const started = Date.now();
    let ready = false;
    const ends: ICellEnd[] = [];
    try {
      this._client.connect();
      const info = await this._waitForReady(
        this._options.startupTimeoutMs ?? 60_000
      );
      ready = true;
      const language = (info.content as { language_info?: unknown })
        .language_info;
      if (typeof language === 'object' && language !== null) {
        this._nb.metadata.language_info =
          language as INotebookContent['metadata']['language_info'];
      }
      await this._greetAgent();

      const code = this._nb.cells.filter(isCodeCell);
      for (const cell of code) {
        cell.outputs = [];
        cell.execution_count = null;
      }
      // nbclient and JupyterLab do not send empty cells.
      const runnable = code.filter(cell => source(cell).trim() !== '');
      for (const [i, cell] of runnable.entries()) {
        if (this._stop.signal !== undefined || this._proc.hasExited) {
          break;
        }
        const end = await this._execute(cell, i + 1, runnable.length);
        ends.push(end);
        progress.cellFinished(i + 1, runnable.length, end);
        if (end.status === 'error' && this._options.allowErrors) {
          continue;
        }
        if (end.status !== 'ok') {
          break;
        }
      }
      // Before the shutdown: an exit now is the kernel dying on its own.
      if (this._proc.hasExited && this._stop.signal === undefined) {
        this._kernelDied = true;
        if (!ends.some(end => end.status === 'died')) {
          const exit = await this._proc.exited;
          progress.note(
            `nbprov run: the kernel died between cells (${describeExit(exit)}).`
          );
        }
      }
    } finally {
      try {
        if (ready && outputPath !== undefined) {
          await writeNotebook(outputPath, this._nb);
        }
      } finally {
        // Whatever failed above, the kernel does not outlive the run.
        await this._shutdown();
      }
    }
    const status = this._status(ends);
    progress.note(this._summary(ends, Date.now() - started, outputPath));
    return status;
  }

  private _status(ends: readonly ICellEnd[]): number {
    if (this._stop.signal !== undefined) {
      return signalStatus(this._stop.signal);
    }
    if (this._kernelDied) {
      return EXIT_KERNEL_FAILED;
    }
    const failed = ends.some(
      end =>
        end.status === 'timeout' ||
        (end.status === 'error' && !this._options.allowErrors)
    );
    return failed ? EXIT_CELL_FAILED : 0;
  }

  private _summary(
    ends: readonly ICellEnd[],
    elapsedMs: number,
    outputPath: string | undefined
  ): string {
    const counts = new Map<CellStatus, number>();
    for (const end of ends) {
      counts.set(end.status, (counts.get(end.status) ?? 0) + 1);
    }
    const total = this._nb.cells.filter(
      cell => isCodeCell(cell) && source(cell).trim() !== ''
    ).length;
    const detail = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
    const journal =
      this._hello === undefined
        ? 'not known (the agent did not answer)'
        : this._hello.recording
          ? (this._hello.journalPath ?? 'written by the agent')
          : 'none (the agent could not open one; see above)';
    return (
      `nbprov run: ${ends.length} of ${total} cells run` +
      (detail !== '' ? ` (${detail})` : '') +
      ` in ${(elapsedMs / 1000).toFixed(1)}s; ` +
      (outputPath !== undefined ? `notebook: ${outputPath}; ` : '') +
      `journal: ${journal}`
    );
  }

  /** kernel_info_request until answered on shell and seen on iopub. */
  private async _waitForReady(
    timeoutMs: number
  ): Promise<KernelMessage.IMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const msgId = randomUUID();
      let idle = (): void => undefined;
      const seenOnIopub = new Promise<boolean>(resolve => {
        idle = () => resolve(true);
      });
      this._routes.set(msgId, msg => {
        if (isIdle(msg)) {
          idle();
        }
      });
      await this._client.request('shell', 'kernel_info_request', {}, { msgId });
      const reply = await this._orStop(this._client.reply(msgId, 1000));
      // SUB sockets join late: a kernel is ready when iopub is, too.
      const ok =
        reply !== undefined &&
        (await Promise.race([seenOnIopub, delay(1000, false)]));
      this._routes.delete(msgId);
      if (ok && reply !== undefined) {
        return reply;
      }
    }
    throw new KernelFailure(
      `The kernel "${this._proc.kernel.name}" did not answer within ${Math.round(
        timeoutMs / 1000
      )} s. Its messages, if any, are above.`
    );
  }

  /**
   * Races `promise` with a stop signal and the kernel's exit, which both
   * end the start-up as a KernelFailure.
   */
  private async _orStop<T>(promise: Promise<T>): Promise<T> {
    const raced = await Promise.race([
      promise.then(value => ({ value })),
      this._stop.stopped,
      this._died
    ]);
    if (raced === 'stopped') {
      throw new KernelFailure(
        `stopped by ${this._stop.signal} before the kernel was ready.`
      );
    }
    if ('died' in raced) {
      throw new KernelFailure(
        this._proc.startError !== undefined
          ? `cannot start the kernel "${this._proc.kernel.name}" (${this._proc.kernel.argv[0]}): ${this._proc.startError.message}.`
          : `the kernel "${this._proc.kernel.name}" exited while starting (${describeExit(raced.died)}). Its messages, if any, are above.`
      );
    }
    return raced.value;
  }

  /** The agent's handshake, then the notebook's context; neither is required. */
  private async _greetAgent(): Promise<void> {
    const hello: IHelloRequestContent = {
      protocol: AGENT_PROTOCOL_VERSION,
      notebookPath: this._notebookPath
    };
    const helloId = await this._client.request('shell', HELLO_REQUEST, {
      ...hello
    });
    const reply = await this._orStop(
      this._client.reply(helloId, AGENT_HELLO_TIMEOUT_MS)
    );
    if (reply === undefined || !isHelloReplyContent(reply.content)) {
      this._options.progress.note(
        'nbprov run: warning: the provenance agent did not answer its handshake; this run may not be recorded.'
      );
      return;
    }
    this._hello = reply.content;
    const context: IContextRequestContent = {
      protocol: AGENT_PROTOCOL_VERSION,
      notebookPath: this._notebookPath,
      format: `${this._nb.nbformat}.${this._nb.nbformat_minor}`,
      cellOrder: this._nb.cells.map(cell => String(cell.id))
    };
    const contextId = await this._client.request('shell', CONTEXT_REQUEST, {
      ...context
    });
    // An agent without the context request forwards it to the kernel,
    // which ignores it: no answer is fine.
    await this._orStop(this._client.reply(contextId, CONTEXT_TIMEOUT_MS));
  }

  private async _execute(
    cell: ICodeCell,
    index: number,
    total: number
  ): Promise<ICellEnd> {
    const outputs = new CellOutputs(this._displays);
    const label = `[${index}/${total}]`;
    this._current = { outputs, label };
    const msgId = randomUUID();
    let idle = (): void => undefined;
    const seenIdle = new Promise<void>(resolve => {
      idle = resolve;
    });
    this._routes.set(msgId, msg => {
      outputs.handle(
        msg.header.msg_type,
        msg.content as Record<string, unknown>
      );
      if (isIdle(msg)) {
        idle();
      }
    });
    const code = source(cell);
    const started = Date.now();
    this._options.progress.cellStarted(index, total, code);
    const seconds = (): number => (Date.now() - started) / 1000;
    try {
      await this._client.request(
        'shell',
        'execute_request',
        {
          code,
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: true,
          stop_on_error: true
        },
        { metadata: { cellId: String(cell.id) }, msgId }
      );
      const done = Promise.all([this._client.reply(msgId), seenIdle]).then(
        ([reply]) => ({ reply })
      );
      const timeoutMs = this._options.timeoutSeconds;
      const first = await Promise.race([
        done,
        this._died,
        this._stop.stopped,
        ...(timeoutMs !== undefined
          ? [delay(timeoutMs * 1000, 'timeout' as const)]
          : [])
      ]);
      if (typeof first === 'object' && 'reply' in first) {
        return this._ended(first.reply, outputs, seconds());
      }
      if (typeof first === 'object' && 'died' in first) {
        outputs.note(
          `nbprov run: the kernel died while this cell ran (${describeExit(first.died)}).\n`
        );
        return {
          status: 'died',
          detail: describeExit(first.died),
          seconds: seconds()
        };
      }
      // Timed out, or stopped by a signal: interrupt, and give the cell a
      // moment to end with its KeyboardInterrupt.
      await this._interrupt();
      await Promise.race([
        done,
        this._died,
        this._stop.hurried,
        delay(AFTER_INTERRUPT_MS, undefined)
      ]);
      if (first === 'timeout') {
        outputs.note(
          `nbprov run: the cell ran past --timeout ${this._options.timeoutSeconds}s and was interrupted.\n`
        );
        return {
          status: 'timeout',
          detail: `past ${this._options.timeoutSeconds}s, interrupted`,
          seconds: seconds()
        };
      }
      outputs.note(
        `nbprov run: stopped by ${this._stop.signal}; the kernel was interrupted.\n`
      );
      return {
        status: 'interrupted',
        detail: `by ${this._stop.signal}`,
        seconds: seconds()
      };
    } finally {
      this._routes.delete(msgId);
      this._current = undefined;
      cell.outputs = [...outputs.outputs] as IOutput[];
      cell.execution_count = outputs.executionCount;
    }
  }

  private _ended(
    reply: KernelMessage.IMessage,
    outputs: CellOutputs,
    seconds: number
  ): ICellEnd {
    const content = reply.content as {
      status?: unknown;
      execution_count?: unknown;
      ename?: unknown;
      evalue?: unknown;
    };
    if (
      outputs.executionCount === null &&
      typeof content.execution_count === 'number'
    ) {
      outputs.executionCount = content.execution_count;
    }
    if (content.status === 'ok') {
      return { status: 'ok', seconds };
    }
    const error = outputs.error;
    const ename = error?.ename ?? String(content.ename ?? content.status);
    const evalue = error?.evalue ?? String(content.evalue ?? '');
    return {
      status: 'error',
      detail: evalue !== '' ? `${ename}: ${evalue}` : ename,
      seconds
    };
  }

  private async _interrupt(): Promise<void> {
    if (this._proc.hasExited || this._proc.signalInterrupt()) {
      return;
    }
    const id = await this._client.request('control', 'interrupt_request', {});
    await this._client.reply(id, 1000);
  }

  /** A batch job has no stdin: every input() gets an empty answer, said so. */
  private async _answerStdin(msg: KernelMessage.IMessage): Promise<void> {
    if (msg.header.msg_type !== 'input_request') {
      return;
    }
    const prompt = String((msg.content as { prompt?: unknown }).prompt ?? '');
    const current = this._current;
    const what = `input(${JSON.stringify(prompt)}) was answered with an empty string: nbprov run has no stdin`;
    current?.outputs.note(`nbprov run: ${what}.\n`);
    this._options.progress.note(`${current?.label ?? ''} ${what}.`.trim());
    await this._client
      .answerStdin(msg, 'input_reply', { value: '' })
      .catch((e: unknown) => this._warnOnce(`stdin: ${String(e)}`));
  }

  private _routeIopub(msg: KernelMessage.IMessage): void {
    const parent = (msg.parent_header as { msg_id?: unknown }).msg_id;
    // Messages of other parents (the agent's `nbprov_event`s, other
    // clients' requests) are none of this run's business.
    if (typeof parent === 'string') {
      this._routes.get(parent)?.(msg);
    }
  }

  private async _shutdown(): Promise<void> {
    const hurried = this._stop.signal !== undefined;
    await this._proc.stop(
      async () => {
        const id = await this._client.request('control', 'shutdown_request', {
          restart: false
        });
        await this._client.reply(id, 2000);
      },
      hurried
        ? { shutdownMs: 2000, termMs: 2000 }
        : { shutdownMs: 5000, termMs: 3000 }
    );
    this._client.close();
  }

  private _warnOnce(message: string): void {
    if (!this._warned.has(message)) {
      this._warned.add(message);
      this._options.progress.note(`nbprov run: warning: ${message}`);
    }
  }

  private readonly _nb: INotebookContent;
  private readonly _notebookPath: string;
  private readonly _proc: KernelProcess;
  private readonly _stop: StopSignals;
  private readonly _options: Omit<IRunOptions, 'notebook' | 'output'>;
  private readonly _client: KernelClient;
  private readonly _died: Promise<{ died: IKernelExit }>;
  private readonly _routes = new Map<
    string,
    (msg: KernelMessage.IMessage) => void
  >();
  private readonly _displays = new DisplayIndex();
  private readonly _warned = new Set<string>();
  private _current: ICellRun | undefined;
  private _hello: IHelloReplyContent | undefined;
  private _kernelDied = false;
}

function isCodeCell(cell: ICell): cell is ICodeCell {
  return cell.cell_type === 'code';
}

function source(cell: ICell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

function isIdle(msg: KernelMessage.IMessage): boolean {
  return (
    msg.header.msg_type === 'status' &&
    (msg.content as { execution_state?: unknown }).execution_state === 'idle'
  );
}

function describeExit(exit: IKernelExit): string {
  return exit.signal !== null
    ? `killed by ${exit.signal}`
    : `exit status ${exit.code}`;
}
