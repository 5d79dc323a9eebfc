/**
 * The journal's line format: one JSON object per line (JSON Lines), UTF-8.
 *
 * Writing is strict (an event that would not read back is refused) and
 * reading is forgiving (a bad line is skipped and reported, every good event
 * is kept), because a journal is appended to by processes that can die
 * mid-write: a torn last line is expected, not exceptional.
 *
 * Events are checked with hand-written guards rather than a JSON Schema
 * validator, because this code ships to the browser. The guards and
 * `schema/journal/event-v1.schema.json` describe the same format; a test
 * holds them to agreeing. Both reject properties they do not know: a new
 * field is a new format version, so an old reader reports `unknown-version`
 * instead of quietly dropping what it cannot read.
 */

import {
  JOURNAL_FORMAT_VERSION,
  type ExecutionStatus,
  type IReplayFinishedEvent,
  type IStreamDigest,
  type ReplayVerdict,
  type JournalEvent,
  type JournalEventKind,
  type JournalEventOf,
  type OutputType,
  type SessionEndReason,
  type Tap
} from './events.js';

/** Why a journal line was not read as an event. */
export type JournalProblemReason =
  /** The last line has no newline and is not JSON: the writer died mid-line. */
  | 'torn-last-line'
  /** The line is not JSON. */
  | 'not-json'
  /** The line is JSON but not an object with a version and a kind. */
  | 'not-an-event'
  /** `v` is a version this code does not read. */
  | 'unknown-version'
  /** `kind` is not one this version knows. */
  | 'unknown-kind'
  /** A known kind whose fields are missing, mistyped or unknown. */
  | 'invalid-event';

export interface IJournalProblem {
  /** 1-based line number in the decoded text. */
  readonly line: number;
  readonly why: JournalProblemReason;
  /** What exactly is wrong, e.g. `execution: missing`. */
  readonly detail: string;
  /** The start of the line, for a person to recognise it. */
  readonly excerpt: string;
}

export interface IDecodedJournal {
  readonly events: JournalEvent[];
  readonly problems: IJournalProblem[];
}

/** Result of checking one parsed value against the event format. */
export type EventCheck =
  | { readonly ok: true; readonly event: JournalEvent }
  | {
      readonly ok: false;
      readonly why: Exclude<
        JournalProblemReason,
        'torn-last-line' | 'not-json'
      >;
      readonly detail: string;
    };

/**
 * One line of JSON ending in '\n', keys in a fixed order (`v`, `kind`, `t`,
 * then the kind's fields as `events.ts` lists them), so equal events encode
 * to equal bytes whatever order their objects were built in.
 *
 * Throws when `event` does not match the format: writing a line that no
 * reader accepts would lose the event later, silently.
 */
export function encodeEvent(event: JournalEvent): string {
  const check = checkEvent(event);
  if (!check.ok) {
    throw new Error(`Cannot encode journal event: ${check.detail}`);
  }
  const shape: Fields = SHAPES[event.kind];
  const ordered = {
    v: event.v,
    kind: event.kind,
    t: event.t,
    ...canonical(event as unknown as Record<string, unknown>, shape)
  };
  return JSON.stringify(ordered) + '\n';
}

/**
 * Reads a journal's text. Never throws: lines that are not events are
 * skipped and reported in `problems`. Empty lines are skipped silently
 * (they carry nothing), as is a final line break.
 */
export function decodeJournal(text: string): IDecodedJournal {
  const events: JournalEvent[] = [];
  const problems: IJournalProblem[] = [];
  const lines = text.split('\n');
  // A complete journal ends with '\n', which leaves an empty last element.
  const lastIsTorn = lines[lines.length - 1] !== '';
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) {
      line = line.slice(0, -1);
    }
    if (i === 0 && line.startsWith('\uFEFF')) {
      line = line.slice(1);
    }
    if (line.trim() === '') {
      continue;
    }
    const number = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const torn = lastIsTorn && i === lines.length - 1;
      problems.push({
        line: number,
        why: torn ? 'torn-last-line' : 'not-json',
        detail: torn
          ? 'last line is incomplete (no newline, not JSON)'
          : 'not JSON',
        excerpt: excerpt(line)
      });
      continue;
    }
    const check = checkEvent(value);
    if (check.ok) {
      events.push(check.event);
    } else {
      problems.push({
        line: number,
        why: check.why,
        detail: check.detail,
        excerpt: excerpt(line)
      });
    }
  }
  return { events, problems };
}

/** Checks a parsed value against the journal event format, version 1. */
export function checkEvent(value: unknown): EventCheck {
  if (!isRecord(value)) {
    return { ok: false, why: 'not-an-event', detail: 'not a JSON object' };
  }
  const v = value.v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    return {
      ok: false,
      why: 'not-an-event',
      detail: 'v: missing or not a version number'
    };
  }
  if (v !== JOURNAL_FORMAT_VERSION) {
    return {
      ok: false,
      why: 'unknown-version',
      detail: `v: ${v} (this reader knows ${JOURNAL_FORMAT_VERSION})`
    };
  }
  const kind = value.kind;
  if (typeof kind !== 'string') {
    return { ok: false, why: 'not-an-event', detail: 'kind: missing' };
  }
  if (!Object.prototype.hasOwnProperty.call(SHAPES, kind)) {
    return { ok: false, why: 'unknown-kind', detail: `kind: ${kind}` };
  }
  if (!matches(RULES.time, value.t)) {
    return {
      ok: false,
      why: 'invalid-event',
      detail: 't: missing or not an ISO UTC time'
    };
  }
  const shape: Fields = SHAPES[kind as JournalEventKind];
  const problem = checkFields(value, shape, ['v', 'kind', 't'], '');
  if (problem !== undefined) {
    return { ok: false, why: 'invalid-event', detail: problem };
  }
  return { ok: true, event: value as unknown as JournalEvent };
}

/** Whether `value` is a journal event of the version this code writes. */
export function isJournalEvent(value: unknown): value is JournalEvent {
  return checkEvent(value).ok;
}

// ---------------------------------------------------------------------------
// The format, field by field. `Shape<E>` makes the compiler check that each
// kind's table names exactly the fields of its interface in events.ts, with
// optional fields marked optional.

/** `2026-11-24T10:00:00.000Z`: UTC, milliseconds, nothing else. */
export const ISO_TIME_PATTERN =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

type Check = (value: unknown) => boolean;

interface IRule {
  readonly what: string;
  readonly check?: Check;
  readonly object?: Fields;
  /** An array whose every element is an object of this shape. */
  readonly items?: Fields;
}

interface IFieldRule {
  readonly rule: IRule;
  readonly optional?: boolean;
}

type Fields = { readonly [name: string]: IFieldRule };

type Shape<E> = {
  readonly [F in Exclude<keyof E, 'v' | 'kind' | 't'>]-?: undefined extends E[F]
    ? { readonly rule: IRule; readonly optional: true }
    : { readonly rule: IRule; readonly optional?: false };
};

function oneOf<T extends string>(all: Record<T, true>): IRule {
  const values = Object.keys(all);
  return {
    what: `one of ${values.join(', ')}`,
    check: x => typeof x === 'string' && values.includes(x)
  };
}

function object<T>(shape: Shape<T>): IRule {
  return { what: 'an object', object: shape as Fields };
}

function arrayOf<T>(shape: Shape<T>): IRule {
  return { what: 'an array of objects', items: shape as Fields };
}

const isCount: Check = x =>
  typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

const RULES = {
  string: { what: 'a string', check: x => typeof x === 'string' },
  number: {
    what: 'a finite non-negative number',
    check: x => typeof x === 'number' && Number.isFinite(x) && x >= 0
  },
  id: {
    what: 'a non-empty string',
    check: x => typeof x === 'string' && x.length > 0
  },
  time: {
    what: 'an ISO UTC time with milliseconds',
    check: x => typeof x === 'string' && ISO_TIME_PATTERN.test(x)
  },
  sha256: {
    what: 'a lower-case hex sha256',
    check: x => typeof x === 'string' && SHA256_PATTERN.test(x)
  },
  count: { what: 'a non-negative integer', check: isCount },
  boolean: { what: 'a boolean', check: x => typeof x === 'boolean' },
  strings: {
    what: 'an array of strings',
    check: x => Array.isArray(x) && x.every(s => typeof s === 'string')
  },
  ids: {
    what: 'an array of non-empty strings',
    check: x =>
      Array.isArray(x) && x.every(s => typeof s === 'string' && s !== '')
  },
  tap: oneOf<Tap>({ frontend: true, agent: true, headless: true }),
  endReason: oneOf<SessionEndReason>({
    shutdown: true,
    restart: true,
    died: true,
    unknown: true
  }),
  status: oneOf<ExecutionStatus>({
    ok: true,
    error: true,
    aborted: true,
    interrupted: true,
    died: true
  }),
  outputType: oneOf<OutputType>({
    stream: true,
    display_data: true,
    update_display_data: true,
    execute_result: true,
    error: true
  }),
  memoryKind: oneOf<'pss' | 'rss'>({ pss: true, rss: true }),
  verdict: oneOf<ReplayVerdict>({
    reproduced: true,
    differs: true,
    failed: true
  })
} satisfies Record<string, IRule>;

const req = (rule: IRule) => ({ rule }) as const;
const opt = (rule: IRule) => ({ rule, optional: true }) as const;

const SHAPES: { readonly [K in JournalEventKind]: Shape<JournalEventOf<K>> } = {
  'journal.created': {
    journal: req(RULES.id),
    notebookPath: opt(RULES.string),
    recorder: req(
      object<JournalEventOf<'journal.created'>['recorder']>({
        name: req(RULES.id),
        version: req(RULES.string)
      })
    )
  },
  'session.started': {
    session: req(RULES.id),
    tap: req(RULES.tap),
    kernel: req(
      object<JournalEventOf<'session.started'>['kernel']>({
        id: req(RULES.id),
        name: req(RULES.string),
        language: opt(RULES.string),
        languageVersion: opt(RULES.string),
        implementation: opt(RULES.string),
        implementationVersion: opt(RULES.string)
      })
    ),
    host: opt(RULES.string),
    user: opt(RULES.string)
  },
  'session.ended': {
    session: req(RULES.id),
    reason: req(RULES.endReason)
  },
  'notebook.context': {
    notebookPath: req(RULES.string),
    format: opt(RULES.string),
    cellOrder: req(RULES.ids)
  },
  'execution.requested': {
    session: req(RULES.id),
    execution: req(RULES.id),
    cellId: opt(RULES.id),
    source: opt(RULES.string),
    sourceSha256: req(RULES.sha256)
  },
  'execution.started': {
    execution: req(RULES.id),
    executionCount: opt(RULES.count),
    kernelTime: opt(RULES.time)
  },
  'execution.output': {
    execution: req(RULES.id),
    index: req(RULES.count),
    outputType: req(RULES.outputType),
    streamName: opt(RULES.string),
    mimeTypes: req(RULES.strings),
    byteSize: req(RULES.count),
    sha256: req(RULES.sha256),
    preview: opt(RULES.string),
    kernelTime: opt(RULES.time)
  },
  'execution.finished': {
    execution: req(RULES.id),
    status: req(RULES.status),
    executionCount: opt(RULES.count),
    kernelStarted: opt(RULES.time),
    kernelTime: opt(RULES.time),
    error: opt(
      object<NonNullable<JournalEventOf<'execution.finished'>['error']>>({
        ename: req(RULES.string),
        evalue: req(RULES.string)
      })
    ),
    streams: opt(
      arrayOf<IStreamDigest>({
        name: req(RULES.string),
        byteSize: req(RULES.count),
        sha256: req(RULES.sha256)
      })
    )
  },
  'recording.toggled': {
    recording: req(RULES.boolean)
  },
  'host.facts': {
    session: req(RULES.id),
    hostname: req(RULES.string),
    platform: req(RULES.string),
    release: req(RULES.string),
    distro: opt(RULES.string),
    arch: req(RULES.string),
    cpuModel: req(RULES.string),
    logicalCores: req(RULES.count),
    physicalCores: opt(RULES.count),
    memoryTotalBytes: req(RULES.count),
    gpus: req(
      arrayOf<JournalEventOf<'host.facts'>['gpus'][number]>({
        index: req(RULES.count),
        name: req(RULES.string),
        uuid: opt(RULES.string),
        memoryTotalBytes: opt(RULES.count),
        driverVersion: opt(RULES.string)
      })
    ),
    scheduler: opt(
      object<NonNullable<JournalEventOf<'host.facts'>['scheduler']>>({
        slurmJobId: opt(RULES.string),
        slurmJobName: opt(RULES.string),
        slurmJobPartition: opt(RULES.string),
        slurmNodelist: opt(RULES.string),
        pbsJobId: opt(RULES.string)
      })
    )
  },
  'resource.sample': {
    session: req(RULES.id),
    execution: opt(RULES.id),
    interval: req(RULES.number),
    cpuPercent: req(RULES.number),
    cpuSeconds: req(RULES.number),
    rssBytes: req(RULES.count),
    pssBytes: opt(RULES.count),
    threads: req(RULES.count),
    readBytes: opt(RULES.count),
    writeBytes: opt(RULES.count),
    processCount: req(RULES.count),
    gpus: opt(
      arrayOf<NonNullable<JournalEventOf<'resource.sample'>['gpus']>[number]>({
        index: req(RULES.count),
        utilizationPercent: opt(RULES.number),
        memoryUsedBytes: opt(RULES.count),
        powerWatts: opt(RULES.number),
        treeMemoryBytes: opt(RULES.count)
      })
    ),
    energyMicrojoules: opt(RULES.count)
  },
  'kernel.usage': {
    session: req(RULES.id),
    execution: opt(RULES.id),
    cpuPercent: opt(RULES.number),
    memoryBytes: opt(RULES.count),
    memoryKind: opt(RULES.memoryKind),
    hostCpuPercent: opt(RULES.number)
  },
  'execution.names': {
    execution: req(RULES.id),
    rebound: req(RULES.strings),
    types: req(RULES.strings),
    deleted: req(RULES.strings)
  },
  'replay.finished': {
    session: req(RULES.id),
    of: req(
      object<IReplayFinishedEvent['of']>({
        journal: req(RULES.id),
        notebookPath: opt(RULES.string),
        cellId: opt(RULES.id),
        execution: req(RULES.id)
      })
    ),
    verdict: req(RULES.verdict),
    executions: req(
      arrayOf<IReplayFinishedEvent['executions'][number]>({
        execution: opt(RULES.id),
        replayOf: req(RULES.id),
        replayOfOrdinal: req(RULES.count),
        verdict: req(RULES.verdict)
      })
    )
  }
};

function matches(rule: IRule, value: unknown): boolean {
  if (rule.object !== undefined) {
    return (
      isRecord(value) && checkFields(value, rule.object, [], '') === undefined
    );
  }
  if (rule.items !== undefined) {
    const items = rule.items;
    return (
      Array.isArray(value) &&
      value.every(
        item => isRecord(item) && checkFields(item, items, [], '') === undefined
      )
    );
  }
  return rule.check !== undefined && rule.check(value);
}

/** The first problem with `value`'s fields, or undefined when there is none. */
function checkFields(
  value: Record<string, unknown>,
  shape: Fields,
  alsoAllowed: readonly string[],
  path: string
): string | undefined {
  for (const name of Object.keys(value)) {
    if (!alsoAllowed.includes(name) && !Object.hasOwn(shape, name)) {
      return `${path}${name}: not a field of this kind`;
    }
  }
  for (const [name, field] of Object.entries(shape)) {
    const fieldValue = value[name];
    if (fieldValue === undefined) {
      if (!field.optional) {
        return `${path}${name}: missing`;
      }
      continue;
    }
    if (field.rule.object !== undefined) {
      if (!isRecord(fieldValue)) {
        return `${path}${name}: not an object`;
      }
      const inner = checkFields(
        fieldValue,
        field.rule.object,
        [],
        `${path}${name}.`
      );
      if (inner !== undefined) {
        return inner;
      }
    } else if (field.rule.items !== undefined) {
      if (!Array.isArray(fieldValue)) {
        return `${path}${name}: not an array`;
      }
      for (let i = 0; i < fieldValue.length; i++) {
        const item: unknown = fieldValue[i];
        const where = `${path}${name}[${i}]`;
        if (!isRecord(item)) {
          return `${where}: not an object`;
        }
        const inner = checkFields(item, field.rule.items, [], `${where}.`);
        if (inner !== undefined) {
          return inner;
        }
      }
    } else if (!matches(field.rule, fieldValue)) {
      return `${path}${name}: not ${field.rule.what}`;
    }
  }
  return undefined;
}

/** `value`'s fields in `shape`'s order; undefined optional fields left out. */
function canonical(
  value: Record<string, unknown>,
  shape: Fields
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape)) {
    const fieldValue = value[name];
    if (fieldValue === undefined) {
      continue;
    }
    const { object, items } = field.rule;
    if (object !== undefined && isRecord(fieldValue)) {
      out[name] = canonical(fieldValue, object);
    } else if (items !== undefined && Array.isArray(fieldValue)) {
      out[name] = fieldValue.map((item: unknown) =>
        isRecord(item) ? canonical(item, items) : item
      );
    } else {
      out[name] = fieldValue;
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const EXCERPT_CHARS = 80;

function excerpt(line: string): string {
  return line.length > EXCERPT_CHARS
    ? line.slice(0, EXCERPT_CHARS) + '…'
    : line;
}
