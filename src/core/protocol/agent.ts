/**
 * The in-band protocol between the kernel-side agent and the JupyterLab
 * extension. They never import each other (DESIGN.md): they meet only through
 * Jupyter messages, whose shapes live here.
 *
 * - A kernelspec written by `nbprov kernel install` carries
 *   `metadata.nbprov.agent` so the frontend knows to expect an agent without
 *   sending anything to bare kernels.
 * - The frontend then sends a `nbprov_hello_request` on the shell channel.
 *   The agent answers it itself (the kernel never sees it) with a signed
 *   `nbprov_hello_reply` whose parent is the request. No reply within
 *   `AGENT_HELLO_TIMEOUT_MS` means the agent is not working and the frontend
 *   records on its own.
 * - While the agent records, the frontend writes nothing: the agent is the
 *   single writer of the notebook's journal.
 */

import { checkEvent } from '../journal/codec.js';
import type { JournalEvent } from '../journal/events.js';

/** Bumped when a message below changes incompatibly. */
export const AGENT_PROTOCOL_VERSION = 1;

export const HELLO_REQUEST = 'nbprov_hello_request';
export const HELLO_REPLY = 'nbprov_hello_reply';

/** How long the frontend waits for the agent's reply. */
export const AGENT_HELLO_TIMEOUT_MS = 5_000;

/** The kernelspec metadata key that marks a kernel wrapped by the agent. */
export const KERNELSPEC_METADATA_KEY = 'nbprov';

export interface IKernelspecAgentMetadata {
  readonly agent: true;
  /** The agent protocol version the kernelspec was written for. */
  readonly protocol: number;
}

export interface IHelloRequestContent {
  readonly protocol: number;
  /** The notebook the frontend has open, relative to the server root. */
  readonly notebookPath?: string;
}

export interface IHelloReplyContent {
  readonly protocol: number;
  /** The agent's jupyterlab-provenance version. */
  readonly agentVersion: string;
  /** Whether the agent is writing the journal. */
  readonly recording: boolean;
  /** Where the agent writes the journal, on the kernel's host. */
  readonly journalPath?: string;
}

/** Whether kernelspec metadata says the kernel is wrapped by the agent. */
export function kernelspecHasAgent(
  metadata: Readonly<Record<string, unknown>> | undefined
): boolean {
  const value = metadata?.[KERNELSPEC_METADATA_KEY];
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { agent?: unknown }).agent === true
  );
}

/** Checks a hello reply's content; anything else is not our agent. */
export function isHelloReplyContent(
  content: unknown
): content is IHelloReplyContent {
  if (typeof content !== 'object' || content === null) {
    return false;
  }
  const c = content as Record<string, unknown>;
  return (
    c.protocol === AGENT_PROTOCOL_VERSION &&
    typeof c.agentVersion === 'string' &&
    typeof c.recording === 'boolean' &&
    (c.journalPath === undefined || typeof c.journalPath === 'string')
  );
}

/**
 * Notebook context for the agent's journal. The agent sees cell ids in each
 * `execute_request`'s metadata, but not the notebook's path as the server
 * names it, nor the order of its cells: a client that knows them (JupyterLab,
 * `nbprov run`) sends a `nbprov_context_request` on shell when they change;
 * the agent journals a `notebook.context` event and answers, the kernel never
 * sees it. A kernel without the agent never gets one (the client sends it
 * only after a hello was answered).
 */
export const CONTEXT_REQUEST = 'nbprov_context_request';
export const CONTEXT_REPLY = 'nbprov_context_reply';

export interface IContextRequestContent {
  readonly protocol: number;
  /** The notebook, relative to the server root (or as given to `nbprov run`). */
  readonly notebookPath: string;
  /** nbformat version, e.g. `4.5`. */
  readonly format?: string;
  /** Cell ids in notebook order. */
  readonly cellOrder: readonly string[];
}

export interface IContextReplyContent {
  readonly protocol: number;
  /** Whether the context reached the journal. */
  readonly recorded: boolean;
}

/**
 * Journal events the agent records, streamed live to frontends as iopub
 * messages of this type, signed with the session key, whose parent header
 * is the stream's own (`msg_type` `nbprov_event`, `msg_id` the stream id):
 * clients that do not know it (nbclient, jupyter_client, papermill) route
 * iopub by parent and so never see it as a cell's output.
 */
export const EVENT_MESSAGE = 'nbprov_event';

export interface IEventMessageContent {
  readonly protocol: number;
  /** Random per agent process, so a frontend can tell two agents' streams apart. */
  readonly stream: string;
  /** Where the agent writes these events, on the kernel's host. */
  readonly journalPath?: string;
  /** Journal events (core/journal), in the order they were recorded. */
  readonly events: readonly unknown[];
}

/** What a frontend takes from one `nbprov_event` message. */
export interface IReceivedEvents {
  readonly stream: string;
  readonly journalPath?: string;
  /** The events that are valid journal events, in order. */
  readonly events: JournalEvent[];
  /** How many were left out as malformed (or of a newer format). */
  readonly rejected: number;
}

/**
 * Reads a `nbprov_event` message's content; undefined when it is not one
 * this version understands. Every event is checked like a journal line:
 * a message is input from the network and is never trusted as typed.
 */
export function readEventMessage(
  content: unknown
): IReceivedEvents | undefined {
  if (typeof content !== 'object' || content === null) {
    return undefined;
  }
  const c = content as Record<string, unknown>;
  if (
    c.protocol !== AGENT_PROTOCOL_VERSION ||
    typeof c.stream !== 'string' ||
    !Array.isArray(c.events) ||
    (c.journalPath !== undefined && typeof c.journalPath !== 'string')
  ) {
    return undefined;
  }
  const events: JournalEvent[] = [];
  let rejected = 0;
  for (const value of c.events) {
    const checked = checkEvent(value);
    if (checked.ok) {
      events.push(checked.event);
    } else {
      rejected++;
    }
  }
  return {
    stream: c.stream,
    ...(typeof c.journalPath === 'string'
      ? { journalPath: c.journalPath }
      : {}),
    events,
    rejected
  };
}
