/**
 * The kernel-side agent: started by the Jupyter server in the kernel's
 * place (the kernelspec `nbprov kernel install` writes), it starts the real
 * kernel with a connection file of its own, relays every channel, and feeds
 * copies of the messages to the core Recorder, whose events go to the
 * journal on this host (DESIGN.md, "The kernel-side agent").
 *
 * Nothing the agent does for recording may break the kernel: a message that
 * cannot be decoded, or is wrongly signed, is still relayed (the kernel
 * judges it as it would without us) and only left out of the recording.
 */

import { AGENT_PROTOCOL_VERSION } from '../core/protocol/index.js';
import { RECORDER_VERSION } from '../core/version.js';
import { agentSettingsFromEnv } from './agent-settings.js';
import { EventStream } from './event-stream.js';
import { agentRequestAnswerer } from './hello.js';
import { NamesProbe } from './names-probe.js';
import { ExecutionFiles, processTree } from './files/index.js';
import { ProcfsReader } from './sampler/index.js';
import {
  startResourceSampling,
  type IResourceSampling
} from './sampler/index.js';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { KernelMessage } from '@jupyterlab/services';
import {
  JOURNAL_FORMAT_VERSION,
  type CellId,
  type ExecutionId,
  type IsoTime,
  type JournalEvent,
  type SessionEndReason,
  type SessionId
} from '../core/journal/index.js';
import {
  kernelOfInfo,
  Recorder,
  type IRecordingOptions
} from '../core/recorder/index.js';
import {
  JournalFile,
  journalLocation,
  type IJournalLocation
} from './journal-file.js';
import {
  exitStatus,
  kernelArgv,
  spawnKernel,
  type IKernelExit
} from './lifecycle.js';
import {
  kernelConnectionInfo,
  kernelIdFromPath,
  readConnectionFile,
  writeConnectionFile,
  type IConnectionInfo
} from './relay/connection.js';
import { ALL_CHANNELS, Relay, type Direction } from './relay/relay.js';
import {
  Signer,
  decodeMessage,
  type Channel,
  type WireProblem
} from './relay/wire.js';

export interface IAgentOptions {
  /** The connection file the server wrote for this kernel. */
  readonly connectionFile: string;
  /** The real kernel's argv, `{connection_file}` still in it. */
  readonly kernelArgv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly recording?: Partial<IRecordingOptions>;
  /** Journal flush interval, ms (DESIGN: the sampling interval, 1 s). */
  readonly flushIntervalMs?: number;
  /** Where the agent's own diagnostics go; default stderr. */
  readonly log?: (line: string) => void;
}

/** Counts of what the agent saw, for diagnostics and tests. */
export interface IAgentStats {
  readonly relayed: Record<Channel, number>;
  readonly recorded: number;
  readonly dropped: Partial<Record<WireProblem, number>>;
}

/** iopub message types the Recorder reads; everything else is not parsed. */
const IOPUB_RECORDED: ReadonlySet<string> = new Set([
  'status',
  'execute_input',
  'stream',
  'display_data',
  'update_display_data',
  'execute_result',
  'error'
]);

/** Which messages the agent decodes, by channel and direction. */
function wanted(channel: Channel, direction: Direction, msgType: string) {
  switch (channel) {
    case 'iopub':
      return IOPUB_RECORDED.has(msgType);
    case 'shell':
      return direction === 'send'
        ? msgType === 'execute_request'
        : msgType === 'execute_reply' || msgType === 'kernel_info_reply';
    case 'control':
      return direction === 'send' && msgType === 'shutdown_request';
    default:
      return false;
  }
}

/**
 * Runs the agent until the kernel exits; resolves with the status the
 * agent's process should exit with (the kernel's).
 */
export async function runAgent(options: IAgentOptions): Promise<number> {
  const env = options.env ?? process.env;
  const log =
    options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  // The server interrupts by signalling the process group: the kernel gets
  // SIGINT itself; the agent must merely survive it, from its first moment.
  const onInterrupt = (): void => undefined;
  process.on('SIGINT', onInterrupt);
  const server = await readConnectionFile(options.connectionFile);
  const signer = new Signer(server.key, server.signature_scheme);
  const relayed = relayedChannels(env.NBPROV_AGENT_RELAY);
  // hb is handed to the kernel: the server's heartbeat then checks the
  // kernel itself, and no echo passes through JavaScript. So is any channel
  // not relayed (bench/ only).
  const kernelInfo: IConnectionInfo = await kernelConnectionInfo(server, [
    'hb_port',
    ...(['shell', 'control', 'stdin', 'iopub'] as const)
      .filter(channel => !relayed.has(channel))
      .map(channel => `${channel}_port` as const)
  ]);
  const kernelFile = join(
    dirname(options.connectionFile),
    `nbprov-${basename(options.connectionFile)}`
  );
  await writeConnectionFile(kernelFile, kernelInfo);
  // The kernel's connection file holds the session key: it goes as soon as
  // the kernel has read it (its first kernel_info_reply), and at the latest
  // when the agent exits, however it exits short of SIGKILL.
  let kernelFileRemoved = false;
  const removeKernelFile = (): void => {
    if (!kernelFileRemoved) {
      kernelFileRemoved = true;
      rmSync(kernelFile, { force: true });
    }
  };
  process.once('exit', removeKernelFile);

  const kernelId =
    kernelIdFromPath(options.connectionFile) ??
    new Date().toISOString().replace(/[:.]/g, '-');
  const journal = await openJournal(
    [
      journalLocation(env, options.cwd ?? process.cwd(), kernelId),
      // Beside the notebook may be read-only (shared data, a course folder):
      // then the user's own data folder.
      journalLocation(
        { ...env, JPY_SESSION_NAME: undefined },
        options.cwd ?? process.cwd(),
        kernelId
      )
    ],
    options.flushIntervalMs,
    log
  );

  const settings = agentSettingsFromEnv(env, message =>
    log(`nbprov agent: ${message}`)
  );
  // Set once the kernel is spawned and the relay bound (after the journal).
  let stream: EventStream | undefined;
  let sampling: IResourceSampling | undefined;
  let namesProbe: NamesProbe | undefined;
  let executionFiles: ExecutionFiles | undefined;
  let kernelPid: number | undefined = undefined;
  // Every event goes to the journal, to the live stream, and tells the
  // sampler which cell its samples belong to.
  const record = (event: JournalEvent): void => {
    journal?.append(event);
    stream?.push(event);
    if (event.kind === 'execution.requested') {
      namesProbe?.executionRequested();
    } else if (event.kind === 'execution.started') {
      sampling?.executionStarted(event.execution);
      executionFiles?.executionStarted(event.execution);
    } else if (event.kind === 'execution.finished') {
      sampling?.executionFinished();
      executionFiles?.executionFinished(event.execution);
      if (event.status !== 'aborted' && event.status !== 'died') {
        namesProbe?.executionEnded(event.execution, event.executionCount);
      }
    }
  };

  const recorder = new Recorder({
    tap: 'agent',
    emit: record,
    options: {
      recordCode: true,
      recordOutputPreviews: true,
      maxPreviewChars: 200,
      ...options.recording
    },
    onError: e => log(`nbprov agent: recorder: ${e.message}`)
  });

  const stats = {
    relayed: { shell: 0, control: 0, stdin: 0, iopub: 0 },
    recorded: 0,
    dropped: {} as Partial<Record<WireProblem, number>>
  } satisfies IAgentStats;
  let endReason: SessionEndReason | undefined;
  let sessionStarted = false;
  const kernelName =
    env.NBPROV_KERNEL_NAME ??
    (typeof server.kernel_name === 'string' ? server.kernel_name : '');

  const startSession = (info?: KernelMessage.IInfoReply): void => {
    sessionStarted = true;
    // Only IPython answers the question (get_ipython, user_ns_hidden).
    if (settings.confirmNames && info?.implementation === 'ipython') {
      namesProbe = new NamesProbe({
        kernel: kernelInfo,
        signer,
        onReport: report => {
          for (const execution of report.executions) {
            record({
              v: JOURNAL_FORMAT_VERSION,
              t: new Date().toISOString() as IsoTime,
              kind: 'execution.names',
              execution: execution as ExecutionId,
              rebound: report.rebound,
              types: report.types,
              deleted: report.deleted
            });
          }
        },
        onError: e => log(`nbprov agent: namespace question: ${e.message}`)
      });
    }
    const session = randomUUID() as SessionId;
    recorder.startSession({
      session,
      kernel: kernelOfInfo(
        kernelId,
        kernelName,
        info,
        env.NBPROV_KERNEL_LANGUAGE
      ),
      host: hostname(),
      user: env.JUPYTERHUB_USER ?? safeUserName()
    });
    if (settings.files && kernelPid !== undefined) {
      const root = kernelPid;
      const procfs = new ProcfsReader();
      executionFiles = new ExecutionFiles({
        root: resolve(options.cwd ?? process.cwd()),
        pids: () => processTree(procfs, root),
        maxHashBytes: settings.maxHashBytes,
        onAccess: access =>
          record({
            v: JOURNAL_FORMAT_VERSION,
            t: new Date().toISOString() as IsoTime,
            kind: 'file.accessed',
            ...access,
            execution: access.execution as ExecutionId
          }),
        onError: e => log(`nbprov agent: files: ${e.message}`)
      });
    }
    if (settings.sampling && kernelPid !== undefined) {
      sampling = startResourceSampling({
        session,
        rootPid: kernelPid,
        intervalMs: settings.sampleIntervalMs,
        busyIntervalMs: settings.busySampleIntervalMs,
        nvidiaSmi: settings.nvidiaSmi,
        env,
        onEvent: record,
        onError: e => log(`nbprov agent: sampler: ${e.message}`)
      });
    }
  };

  const observe = (
    channel: Channel,
    direction: Direction,
    frames: readonly Buffer[]
  ): void => {
    stats.relayed[channel]++;
    const decoded = decodeMessage(frames, channel, signer, msgType =>
      wanted(channel, direction, msgType)
    );
    if (!decoded.ok) {
      const count = (stats.dropped[decoded.why] ?? 0) + 1;
      stats.dropped[decoded.why] = count;
      // One line per kind of problem and then every 1000th: a flood of bad
      // frames must not flood the server's log.
      if (count === 1 || count % 1000 === 0) {
        log(
          `nbprov agent: ${channel} message left out of the recording (${decoded.why}); ${count} so far`
        );
      }
      return;
    }
    const msg = decoded.msg;
    if (msg === undefined) {
      return;
    }
    const type = msg.header.msg_type;
    if (type === 'kernel_info_reply') {
      removeKernelFile();
      if (!sessionStarted) {
        startSession(msg.content as KernelMessage.IInfoReply);
      }
      return;
    }
    if (type === 'shutdown_request') {
      const content = msg.content as { restart?: unknown };
      endReason = content.restart === true ? 'restart' : 'shutdown';
      return;
    }
    if (!sessionStarted) {
      if (type !== 'execute_request') {
        return;
      }
      startSession();
    }
    stats.recorded++;
    recorder.handle({ direction, msg });
  };

  const relay = new Relay({
    server,
    kernel: kernelInfo,
    signer,
    observe,
    relayed,
    withhold: frames => namesProbe?.isOwn(frames) ?? false,
    answer: agentRequestAnswerer(signer, {
      hello: () => ({
        protocol: AGENT_PROTOCOL_VERSION,
        agentVersion: RECORDER_VERSION,
        recording: journal !== undefined,
        journalPath: journal?.path
      }),
      context: content => {
        record({
          v: JOURNAL_FORMAT_VERSION,
          t: new Date().toISOString() as IsoTime,
          kind: 'notebook.context',
          notebookPath: content.notebookPath,
          ...(content.format !== undefined ? { format: content.format } : {}),
          cellOrder: content.cellOrder as CellId[]
        });
        return {
          protocol: AGENT_PROTOCOL_VERSION,
          recorded: journal !== undefined
        };
      }
    }),
    onError: e => log(`nbprov agent: relay: ${e.message}`)
  });
  await relay.bind();
  if (settings.stream) {
    stream = new EventStream({
      signer,
      journalPath: journal?.path,
      publish: frames => relay.publish(frames)
    });
  }

  const argv = kernelArgv(
    options.kernelArgv,
    options.connectionFile,
    kernelFile
  );
  const child = spawnKernel(argv, { ...env });
  kernelPid = child.pid;
  const exited = new Promise<IKernelExit>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', error => {
      log(
        `nbprov agent: cannot start the kernel (${argv[0]}): ${error.message}. ` +
          'Check the kernelspec argv (nbprov kernel list).'
      );
      resolve({ code: 1, signal: null });
    });
  });
  relay.start();

  let terminating = false;
  const onTerminate = (): void => {
    if (terminating) {
      return;
    }
    terminating = true;
    endReason ??= 'shutdown';
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  };
  // A bug in the agent must not take the kernel down with it (the kernel
  // dies with the agent): report and go on relaying.
  const onUncaught = (error: unknown): void =>
    log(`nbprov agent: unexpected error: ${String(error)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  process.on('SIGTERM', onTerminate);
  process.on('SIGHUP', onTerminate);
  // A server that dies (even by SIGKILL) leaves the agent reparented: end
  // the kernel as on SIGTERM rather than hold its memory and GPU.
  const serverPid = process.ppid;
  const serverWatch = setInterval(() => {
    if (process.ppid !== serverPid) {
      log('nbprov agent: the Jupyter server is gone; ending the kernel.');
      onTerminate();
    }
  }, 1000);
  serverWatch.unref();

  const exit = await exited;
  clearInterval(serverWatch);
  sampling?.stop();
  namesProbe?.close();
  executionFiles?.close();
  // Closing the relay observes what it still holds, before the end.
  stream?.flush();
  relay.close();
  // Nobody is subscribed any more: the rest goes to the journal only.
  stream?.close();
  stream = undefined;
  if (sessionStarted) {
    recorder.endSession(endReason ?? 'died');
  }
  await journal?.close();
  removeKernelFile();
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onTerminate);
  process.off('SIGHUP', onTerminate);
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  if (dropped > 0 || (exit.code !== 0 && endReason === undefined)) {
    log(
      `nbprov agent: kernel exited (${exit.signal ?? exit.code}); ` +
        `${stats.recorded} messages recorded, ${dropped} left out (${JSON.stringify(stats.dropped)})`
    );
  }
  return exitStatus(exit);
}

/**
 * `NBPROV_AGENT_RELAY=iopub` (a comma list of channels, or `none`) relays
 * only those, to measure what each hop costs (bench/agent-latency.py).
 * Unset: all four, the only setting that records everything.
 */
function relayedChannels(value: string | undefined): ReadonlySet<Channel> {
  if (value === undefined || value === '') {
    return ALL_CHANNELS;
  }
  const names = value.split(',').map(name => name.trim());
  return new Set([...ALL_CHANNELS].filter(channel => names.includes(channel)));
}

/**
 * Opens the first journal location that works. None working is reported and
 * the kernel runs unrecorded: recording must never keep a kernel from
 * starting.
 */
async function openJournal(
  locations: readonly IJournalLocation[],
  flushIntervalMs: number | undefined,
  log: (line: string) => void
): Promise<JournalFile | undefined> {
  for (const location of locations) {
    try {
      return await JournalFile.open({
        location,
        flushIntervalMs,
        onError: e => log(`nbprov agent: ${e.message}`)
      });
    } catch (error) {
      log(
        `nbprov agent: cannot write the journal at ${location.path} ` +
          `(${error instanceof Error ? error.message : String(error)}).`
      );
    }
  }
  log('nbprov agent: no journal could be opened; this kernel is NOT recorded.');
  return undefined;
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
