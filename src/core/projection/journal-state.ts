/**
 * A journal folded into sessions, executions and cell versions: the state
 * every projection starts from (PROV, summaries, and later the timeline and
 * lineage). Pure; events about an execution or session the journal never
 * introduced are ignored, as are repeats of an event that can happen once.
 */

import type {
  IExecutionFinishedEvent,
  IExecutionNamesEvent,
  IExecutionOutputEvent,
  IExecutionRequestedEvent,
  IExecutionStartedEvent,
  IHostFactsEvent,
  IReplayFinishedEvent,
  JournalEvent,
  ISessionEndedEvent,
  ISessionStartedEvent
} from '../journal/events.js';
import { toIsoTime } from '../recorder/time.js';

/** The code an execution ran, as the fold identifies it. */
export type PlanRef =
  | { readonly kind: 'cell'; readonly cellId: string; readonly version: number }
  | { readonly kind: 'code'; readonly sha256: string };

export interface ISessionState {
  readonly ordinal: number;
  readonly started: ISessionStartedEvent;
  ended?: ISessionEndedEvent;
  /** What the agent read about the kernel's host, once per session. */
  hostFacts?: IHostFactsEvent;
  readonly executions: IExecutionState[];
}

export interface IExecutionState {
  readonly ordinal: number;
  readonly requested: IExecutionRequestedEvent;
  readonly session: ISessionState | undefined;
  /** The code that ran: a version of a cell, or code sent without one. */
  readonly plan: PlanRef;
  /** The execution before this one in the same session. */
  readonly previous: IExecutionState | undefined;
  started?: IExecutionStartedEvent;
  finished?: IExecutionFinishedEvent;
  readonly outputs: Map<number, IExecutionOutputEvent>;
  /** What the kernel reported the execution did to its namespace (agent). */
  names?: IExecutionNamesEvent;
}

export interface ICellVersionState {
  readonly version: number;
  readonly sha256: string;
  source?: string;
}

export interface ICodeState {
  readonly sha256: string;
  source?: string;
}

export interface IJournalState {
  journalId?: string;
  notebookPath?: string;
  notebookFormat?: string;
  recorder?: { readonly name: string; readonly version: string };
  readonly sessions: Map<string, ISessionState>;
  readonly executions: Map<string, IExecutionState>;
  /** Cell id → its versions; insertion order = order first seen. */
  readonly cells: Map<string, ICellVersionState[]>;
  /** Plans of code not sent from a cell, by sha256. */
  readonly code: Map<string, ICodeState>;
  /** Replays this journal recorded (a replay journal's), in order. */
  readonly replays: IReplayFinishedEvent[];
}

export function foldJournal(events: readonly JournalEvent[]): IJournalState {
  const state: IJournalState = {
    sessions: new Map(),
    executions: new Map(),
    cells: new Map(),
    code: new Map(),
    replays: []
  };
  for (const event of events) {
    switch (event.kind) {
      case 'journal.created':
        if (state.journalId === undefined) {
          state.journalId = event.journal;
          state.notebookPath = event.notebookPath;
          state.recorder = event.recorder;
        }
        break;
      case 'session.started':
        if (!state.sessions.has(event.session)) {
          state.sessions.set(event.session, {
            ordinal: state.sessions.size + 1,
            started: event,
            executions: []
          });
        }
        break;
      case 'session.ended': {
        const session = state.sessions.get(event.session);
        if (session && !session.ended) {
          session.ended = event;
        }
        break;
      }
      case 'notebook.context':
        state.notebookPath = event.notebookPath;
        state.notebookFormat = event.format ?? state.notebookFormat;
        for (const cellId of event.cellOrder) {
          if (!state.cells.has(cellId)) {
            state.cells.set(cellId, []);
          }
        }
        break;
      case 'execution.requested':
        if (!state.executions.has(event.execution)) {
          requestExecution(state, event);
        }
        break;
      case 'execution.started': {
        const execution = state.executions.get(event.execution);
        if (execution && !execution.started) {
          execution.started = event;
        }
        break;
      }
      case 'execution.output': {
        const execution = state.executions.get(event.execution);
        if (execution && !execution.outputs.has(event.index)) {
          execution.outputs.set(event.index, event);
        }
        break;
      }
      case 'execution.finished': {
        const execution = state.executions.get(event.execution);
        if (execution && !execution.finished) {
          execution.finished = event;
        }
        break;
      }
      case 'host.facts': {
        const session = state.sessions.get(event.session);
        if (session && !session.hostFacts) {
          session.hostFacts = event;
        }
        break;
      }
      case 'recording.toggled':
        // Pauses show as gaps between executions; nothing to record.
        break;
      case 'execution.names': {
        const execution = state.executions.get(event.execution);
        if (execution && !execution.names) {
          execution.names = event;
        }
        break;
      }
      case 'replay.finished':
        if (state.sessions.has(event.session)) {
          state.replays.push(event);
        }
        break;
      case 'resource.sample':
      case 'kernel.usage':
        // Folded by core/resources (aggregateExecutions), not here.
        break;
      default:
        // A kind from a newer format: the codec decides whether to refuse.
        break;
    }
  }
  return state;
}

function requestExecution(
  state: IJournalState,
  event: IExecutionRequestedEvent
): void {
  let plan: PlanRef;
  if (event.cellId !== undefined) {
    let versions = state.cells.get(event.cellId);
    if (!versions) {
      versions = [];
      state.cells.set(event.cellId, versions);
    }
    let current = versions[versions.length - 1];
    // A new version whenever the code differs from the last one run, even
    // if it equals an older one: an undo is still an edit, and it keeps
    // every version derived from the one just before it.
    if (!current || current.sha256 !== event.sourceSha256) {
      current = { version: versions.length + 1, sha256: event.sourceSha256 };
      versions.push(current);
    }
    current.source ??= event.source;
    plan = { kind: 'cell', cellId: event.cellId, version: current.version };
  } else {
    let code = state.code.get(event.sourceSha256);
    if (!code) {
      code = { sha256: event.sourceSha256 };
      state.code.set(event.sourceSha256, code);
    }
    code.source ??= event.source;
    plan = { kind: 'code', sha256: event.sourceSha256 };
  }
  const session = state.sessions.get(event.session);
  const execution: IExecutionState = {
    ordinal: state.executions.size + 1,
    requested: event,
    session,
    plan,
    previous: session?.executions[session.executions.length - 1],
    outputs: new Map()
  };
  state.executions.set(event.execution, execution);
  session?.executions.push(execution);
}

/**
 * A journal time as UTC with milliseconds, by the recorder's own rule
 * (`recorder/time.ts`): a time with no zone or an impossible one is dropped,
 * never guessed at.
 */
export function utc(time: string | undefined): string | undefined {
  return time === undefined ? undefined : toIsoTime(time);
}

export function before(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}

/** Where the times of an activity came from, and whether they were fixed. */
export interface IInterval {
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly clock: 'kernel' | 'recorder';
  /** The end as reported, when it was before the start and was clamped. */
  readonly reportedEnd?: string;
}

/**
 * The kernel clock when it gave both ends (it times the code itself);
 * otherwise the recorder clock for both, never one of each, since the two
 * clocks may disagree by more than a short execution lasts.
 */
export function executionInterval(
  execution: Pick<IExecutionState, 'requested' | 'started' | 'finished'>
): IInterval {
  const { requested, started, finished } = execution;
  const kernelStart = utc(started?.kernelTime) ?? utc(finished?.kernelStarted);
  const kernelEnd = utc(finished?.kernelTime);
  if (kernelStart !== undefined && kernelEnd !== undefined) {
    return clamp(kernelStart, kernelEnd, 'kernel');
  }
  // An execution aborted in the queue never starts: it spans the request.
  const start = utc(started?.t) ?? utc(requested.t);
  return clamp(start, utc(finished?.t), 'recorder');
}

export function clamp(
  start: string | undefined,
  end: string | undefined,
  clock: IInterval['clock']
): IInterval {
  if (start !== undefined && end !== undefined && before(end, start)) {
    // PROV-CONSTRAINTS: an activity starts before it ends. Skew between the
    // clocks of two events can break that; keep the start, say so.
    return { start, end: start, clock, reportedEnd: end };
  }
  return { start, end, clock };
}
