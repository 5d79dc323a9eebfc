/**
 * Journal events: the single source of truth (see DESIGN.md, "The one idea").
 *
 * A journal is an append-only sequence of these events, one JSON object per
 * line. Every event carries the format version `v` so a reader can refuse or
 * upgrade what it does not know, and a `kind` that discriminates the union.
 * Times are ISO-8601 strings in UTC with millisecond precision
 * (`2026-11-24T10:00:00.000Z`).
 */

/** The journal format version written by this code. */
export const JOURNAL_FORMAT_VERSION = 1;

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Identifies one journal (one notebook's record); a UUID. */
export type JournalId = Brand<string, 'JournalId'>;
/** Identifies one kernel session: one kernel process lifetime. */
export type SessionId = Brand<string, 'SessionId'>;
/**
 * Identifies one execution: the `msg_id` of its `execute_request`, which the
 * kernel echoes in the `parent_header` of everything the execution causes.
 */
export type ExecutionId = Brand<string, 'ExecutionId'>;
/** A notebook cell's id (nbformat 4.5 `id`, sent as `metadata.cellId`). */
export type CellId = Brand<string, 'CellId'>;
/** ISO-8601 date-time in UTC, e.g. `2026-11-24T10:00:00.000Z`. */
export type IsoTime = Brand<string, 'IsoTime'>;
/** Lower-case hex sha256 digest. */
export type Sha256Hex = Brand<string, 'Sha256Hex'>;

/** Which tap recorded the event (DESIGN.md, "three taps"). */
export type Tap = 'frontend' | 'agent' | 'headless';

/** How an execution ended. `running` is never written: it is the absence of a finish. */
export type ExecutionStatus =
  'ok' | 'error' | 'aborted' | 'interrupted' | 'died';

/** How a kernel session ended. */
export type SessionEndReason = 'shutdown' | 'restart' | 'died' | 'unknown';

/** Output message types that produce notebook outputs (Jupyter messaging spec, iopub). */
export type OutputType =
  | 'stream'
  | 'display_data'
  | 'update_display_data'
  | 'execute_result'
  | 'error';

interface IEventBase {
  /** Journal format version of this event. */
  readonly v: typeof JOURNAL_FORMAT_VERSION;
  /** When the recorder observed the event, by the recorder's clock. */
  readonly t: IsoTime;
}

/** First event of every journal. */
export interface IJournalCreatedEvent extends IEventBase {
  readonly kind: 'journal.created';
  readonly journal: JournalId;
  /** Notebook path relative to the server root, when known. */
  readonly notebookPath?: string;
  readonly recorder: { readonly name: string; readonly version: string };
}

/** A kernel process started (or this recorder attached to a running one). */
export interface ISessionStartedEvent extends IEventBase {
  readonly kind: 'session.started';
  readonly session: SessionId;
  readonly tap: Tap;
  readonly kernel: {
    /** The server's kernel id. */
    readonly id: string;
    /** Kernelspec name, e.g. `python3`. */
    readonly name: string;
    readonly language?: string;
    readonly languageVersion?: string;
    readonly implementation?: string;
    readonly implementationVersion?: string;
  };
  /** Where the kernel runs, when known. */
  readonly host?: string;
  /** The person the kernel works for (JupyterHub user name where known). */
  readonly user?: string;
}

export interface ISessionEndedEvent extends IEventBase {
  readonly kind: 'session.ended';
  readonly session: SessionId;
  readonly reason: SessionEndReason;
}

/** Where the notebook is and which cells it holds, when that changes. */
export interface INotebookContextEvent extends IEventBase {
  readonly kind: 'notebook.context';
  readonly notebookPath: string;
  /** nbformat version, e.g. `4.5`. */
  readonly format?: string;
  /** Cell ids in notebook order. */
  readonly cellOrder: readonly CellId[];
}

/** An `execute_request` was sent. */
export interface IExecutionRequestedEvent extends IEventBase {
  readonly kind: 'execution.requested';
  readonly session: SessionId;
  readonly execution: ExecutionId;
  /** Absent when the code was not sent from a notebook cell. */
  readonly cellId?: CellId;
  /** The code that ran; absent when recording code is turned off. */
  readonly source?: string;
  /** sha256 of the UTF-8 source, always present. */
  readonly sourceSha256: Sha256Hex;
}

/** The kernel began the execution (iopub `execute_input` or `status: busy`). */
export interface IExecutionStartedEvent extends IEventBase {
  readonly kind: 'execution.started';
  readonly execution: ExecutionId;
  readonly executionCount?: number;
  /** The kernel's own timestamp (message header `date`), when it sent one. */
  readonly kernelTime?: IsoTime;
}

/** One output message of an execution; its content is summarised, never copied whole. */
export interface IExecutionOutputEvent extends IEventBase {
  readonly kind: 'execution.output';
  readonly execution: ExecutionId;
  /** 0-based position among this execution's outputs. */
  readonly index: number;
  readonly outputType: OutputType;
  /** Stream name (`stdout`/`stderr`) for `stream` outputs. */
  readonly streamName?: string;
  /** MIME types of a display bundle; `text/plain` for streams and errors. */
  readonly mimeTypes: readonly string[];
  /** UTF-8 byte size of the output content (see `recorder/output-digest.ts`). */
  readonly byteSize: number;
  readonly sha256: Sha256Hex;
  /** A short text preview; absent when previews are off or there is no text. */
  readonly preview?: string;
  readonly kernelTime?: IsoTime;
}

/** The execution ended: `execute_reply` and the kernel's return to idle both seen. */
export interface IExecutionFinishedEvent extends IEventBase {
  readonly kind: 'execution.finished';
  readonly execution: ExecutionId;
  readonly status: ExecutionStatus;
  readonly executionCount?: number;
  /** `execute_reply.metadata.started` (ipykernel), the kernel's start time. */
  readonly kernelStarted?: IsoTime;
  /** The kernel's own timestamp of the end, when it sent one. */
  readonly kernelTime?: IsoTime;
  readonly error?: { readonly ename: string; readonly evalue: string };
  /**
   * Each stream's whole text, concatenated over its messages: how a kernel
   * splits a stream into messages depends on timing, so comparing two runs
   * (replay) needs the text as one. Absent when the execution printed nothing.
   */
  readonly streams?: readonly IStreamDigest[];
}

/** The digest of all text an execution wrote to one stream. */
export interface IStreamDigest {
  /** `stdout`, `stderr`. */
  readonly name: string;
  /** UTF-8 bytes, all messages together. */
  readonly byteSize: number;
  /** sha256 of the concatenated text as UTF-8. */
  readonly sha256: Sha256Hex;
}

/** Recording was switched on or off by the user. */
export interface IRecordingToggledEvent extends IEventBase {
  readonly kind: 'recording.toggled';
  readonly recording: boolean;
}

/** One GPU as the host reports it (`nvidia-smi --query-gpu`). */
export interface IGpuFacts {
  /** nvidia-smi's index, the one `CUDA_VISIBLE_DEVICES` counts by default. */
  readonly index: number;
  readonly name: string;
  /** `GPU-…`; some captures mask it, so a reader must not rely on it being unique. */
  readonly uuid?: string;
  readonly memoryTotalBytes?: number;
  readonly driverVersion?: string;
}

/**
 * The batch scheduler's job, read from the kernel's environment. Only these
 * named, non-secret variables are ever copied: never the whole environment.
 */
export interface ISchedulerFacts {
  /** `SLURM_JOB_ID` */
  readonly slurmJobId?: string;
  /** `SLURM_JOB_NAME` */
  readonly slurmJobName?: string;
  /** `SLURM_JOB_PARTITION` */
  readonly slurmJobPartition?: string;
  /** `SLURM_NODELIST` (or `SLURM_JOB_NODELIST`) */
  readonly slurmNodelist?: string;
  /** `PBS_JOBID` */
  readonly pbsJobId?: string;
}

/** The machine a kernel session runs on; written once per session by the agent. */
export interface IHostFactsEvent extends IEventBase {
  readonly kind: 'host.facts';
  readonly session: SessionId;
  readonly hostname: string;
  /** Node's `process.platform`, e.g. `linux`. */
  readonly platform: string;
  /** Kernel release (`uname -r`). */
  readonly release: string;
  /** Distribution and version, e.g. `Ubuntu 22.04.5 LTS`, when known. */
  readonly distro?: string;
  /** e.g. `x64`, `arm64`. */
  readonly arch: string;
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly physicalCores?: number;
  readonly memoryTotalBytes: number;
  /** Empty when the host has no (visible) NVIDIA GPU. */
  readonly gpus: readonly IGpuFacts[];
  readonly scheduler?: ISchedulerFacts;
}

/** One GPU in one resource sample. Fields the driver does not report are left out. */
export interface IGpuSample {
  readonly index: number;
  /** Whole-device utilisation over nvidia-smi's last sample period, 0–100. */
  readonly utilizationPercent?: number;
  /** Whole-device memory in use. */
  readonly memoryUsedBytes?: number;
  /** Whole-board power draw. */
  readonly powerWatts?: number;
  /** GPU memory held by the kernel's process tree on this device; absent when none or not known. */
  readonly treeMemoryBytes?: number;
}

/**
 * The kernel's process tree, sampled. The most numerous line in a journal,
 * so it carries totals only (per-process detail stays in the agent).
 *
 * Cumulative fields (`cpuSeconds`, `readBytes`, `writeBytes`,
 * `energyMicrojoules`) never decrease within a session; rates are derived
 * from them over `interval`.
 */
export interface IResourceSampleEvent extends IEventBase {
  readonly kind: 'resource.sample';
  readonly session: SessionId;
  /** The execution that was running when the sample was taken, if any. */
  readonly execution?: ExecutionId;
  /** Seconds this sample covers: wall time since the previous sample. */
  readonly interval: number;
  /** CPU use of the whole tree over `interval`, in % of one core (200 = two cores busy). */
  readonly cpuPercent: number;
  /** user + system CPU seconds of the tree, including reaped children, since the kernel started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** Proportional set size, when `/proc/<pid>/smaps_rollup` was read for this sample. */
  readonly pssBytes?: number;
  readonly threads: number;
  /** Bytes the tree caused to be read from storage (`/proc/<pid>/io` `read_bytes`), where readable. */
  readonly readBytes?: number;
  /** Bytes the tree caused to be written to storage (`write_bytes`), where readable. */
  readonly writeBytes?: number;
  readonly processCount: number;
  /** Absent when the host has no GPU the agent can read. */
  readonly gpus?: readonly IGpuSample[];
  /**
   * Host-wide CPU package energy (Intel RAPL) since the sampler started,
   * in microjoules, wraparound corrected; absent where unreadable.
   */
  readonly energyMicrojoules?: number;
}

/**
 * The kernel's own account of its resources (ipykernel's control-channel
 * `usage_reply`), polled by the frontend while a cell runs when no agent
 * samples the kernel. Coarser than `resource.sample`: no cumulative
 * counters, so CPU time is estimated from the percentages over time.
 */
export interface IKernelUsageEvent extends IEventBase {
  readonly kind: 'kernel.usage';
  readonly session: SessionId;
  /** The execution that was running when the reply arrived, if any. */
  readonly execution?: ExecutionId;
  /** CPU use of the kernel and its children since the previous request, in % of one core. */
  readonly cpuPercent?: number;
  /** Memory of the kernel and its children, as the kernel measured it. */
  readonly memoryBytes?: number;
  /** Which measure `memoryBytes` is, when the kernel says (ipykernel does not: PSS on Linux, else RSS). */
  readonly memoryKind?: 'pss' | 'rss';
  /** Whole-host CPU use, in % of all cores (psutil's `cpu_percent`). */
  readonly hostCpuPercent?: number;
}

/**
 * What the kernel itself reports an execution did to its global namespace
 * (the agent asks ipykernel after each execution, silently): names bound
 * to a different object than before, and names gone. Confirms or corrects
 * the static analysis of the source; it cannot see changes in place (the
 * object stays the same). When executions were queued, one report covers
 * them all and is written for each.
 */
export interface IExecutionNamesEvent extends IEventBase {
  readonly kind: 'execution.names';
  readonly execution: ExecutionId;
  /** Created or rebound since the kernel's previous report. */
  readonly rebound: readonly string[];
  /** The type name of each rebound name, in the same order. */
  readonly types: readonly string[];
  readonly deleted: readonly string[];
}

/** Whether a replay gave what was recorded (see core/lineage/replay-compare.ts). */
export type ReplayVerdict = 'reproduced' | 'differs' | 'failed';

/**
 * A replay of a cell's lineage ended. Written into the replay's own journal
 * (the replay kernel's session), naming what it replayed in the original
 * journal, so the two link in PROV (`nbprov:replayOf`).
 */
export interface IReplayFinishedEvent extends IEventBase {
  readonly kind: 'replay.finished';
  /** The replay kernel's session in this journal. */
  readonly session: SessionId;
  readonly of: {
    /** The journal the replayed executions are recorded in. */
    readonly journal: JournalId;
    readonly notebookPath?: string;
    readonly cellId?: CellId;
    /** The execution whose lineage was replayed. */
    readonly execution: ExecutionId;
  };
  /** Worst of the executions' verdicts; `failed` also when the replay stopped early. */
  readonly verdict: ReplayVerdict;
  readonly executions: readonly {
    /** The replay's execution, in this journal; absent when it never ran. */
    readonly execution?: ExecutionId;
    /** The original execution, in the original journal. */
    readonly replayOf: ExecutionId;
    /** Its ordinal there (its PROV id is `exec-<ordinal>` in that journal's namespace). */
    readonly replayOfOrdinal: number;
    readonly verdict: ReplayVerdict;
  }[];
}

export type JournalEvent =
  | IJournalCreatedEvent
  | ISessionStartedEvent
  | ISessionEndedEvent
  | INotebookContextEvent
  | IExecutionRequestedEvent
  | IExecutionStartedEvent
  | IExecutionOutputEvent
  | IExecutionFinishedEvent
  | IRecordingToggledEvent
  | IHostFactsEvent
  | IResourceSampleEvent
  | IKernelUsageEvent
  | IExecutionNamesEvent
  | IReplayFinishedEvent;

export type JournalEventKind = JournalEvent['kind'];

/** The event of a given kind. */
export type JournalEventOf<K extends JournalEventKind> = Extract<
  JournalEvent,
  { kind: K }
>;

/** Every kind this version knows, for the codec and the schema test. */
export const JOURNAL_EVENT_KINDS: readonly JournalEventKind[] = [
  'journal.created',
  'session.started',
  'session.ended',
  'notebook.context',
  'execution.requested',
  'execution.started',
  'execution.output',
  'execution.finished',
  'recording.toggled',
  'host.facts',
  'resource.sample',
  'kernel.usage',
  'execution.names',
  'replay.finished'
];
