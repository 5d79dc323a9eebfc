/**
 * The projection journal → PROV document (PROV-MAPPING.md). A pure
 * function: the same events always give the same document, and so the same
 * PROV-JSON bytes.
 */

import type {
  ExecutionId,
  IExecutionOutputEvent,
  IHostFactsEvent,
  JournalEvent,
  Tap
} from '../journal/events.js';
import {
  aggregateExecutions,
  type IExecutionResources
} from '../resources/aggregate.js';
import {
  Namespace,
  PROV,
  ProvDocument,
  ProvError,
  QualifiedName,
  dateTimeLiteral
} from '../prov/model.js';
import type { AttributeValue, Attributes } from '../prov/model.js';
import { NBPROV, runNamespace } from '../prov/namespaces.js';
import {
  buildLineage,
  type DataVersion,
  type ILineageGraph,
  type ILineageOptions
} from '../lineage/index.js';
import {
  before,
  clamp,
  executionInterval,
  foldJournal,
  type IExecutionState,
  type IInterval,
  type IJournalState,
  type ISessionState,
  type PlanRef,
  utc
} from './journal-state.js';

export interface IJournalToProvOptions {
  /**
   * The version of the code doing the export, written on the recorder agent
   * as `nbprov:exporterVersion` (the journal already says which version
   * recorded it).
   */
  readonly recorderVersion?: string;
  /**
   * How to analyse cell sources for lineage; with it the document also
   * holds variable and file versions, `used` and `wasGeneratedBy` the
   * executions (PROV-MAPPING, "a variable version", "a file version").
   */
  readonly lineage?: ILineageOptions;
}

/** What an execution's status is while no `execution.finished` is seen. */
export const RUNNING_STATUS = 'running';

/**
 * Projects a journal to a PROV document.
 *
 * Events about an execution or session the journal never introduced (no
 * `execution.requested` / `session.started` before them) are ignored, as
 * are repeats of an event that can happen once (a second finish). Throws
 * `ProvError` when the journal has no `journal.created` event, because its
 * id names every record.
 */
export function journalToProv(
  events: readonly JournalEvent[],
  options: IJournalToProvOptions = {}
): ProvDocument {
  const state = foldJournal(events);
  if (state.journalId === undefined) {
    throw new ProvError(
      'The journal has no journal.created event, so its records cannot be ' +
        'named; export a complete journal.'
    );
  }
  const lineage = options.lineage
    ? buildLineage(state, options.lineage)
    : undefined;
  return new Emitter(
    state,
    aggregateExecutions(events),
    runNamespace(state.journalId),
    options,
    lineage
  ).emit();
}

/**
 * Percent-encodes everything but letters, digits, `_` and `-`, so that a
 * journal value can sit in an id (PROV-N local names, IRIs) and `.` stays
 * free to separate the parts of relation ids.
 */
export function encodeLocal(text: string): string {
  // encodeURIComponent throws on a lone surrogate; such a character in a
  // cell id or user name becomes U+FFFD rather than failing the export.
  const wellFormed = text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD'
  );
  return encodeURIComponent(wellFormed).replace(
    /[.!~*'()]/g,
    c => '%' + c.charCodeAt(0).toString(16).toUpperCase()
  );
}

/** `var-model@12`, `file-data%2Fx.csv@15`; `@0`: a file no execution wrote. */
function versionLocal(version: DataVersion): string {
  return version.kind === 'variable'
    ? `var-${encodeLocal(version.name)}@${version.writtenBy}`
    : `file-${encodeLocal(version.path)}@${version.writtenBy ?? 0}`;
}

function cellLocal(cellId: string): string {
  return `cell-${encodeLocal(cellId)}`;
}

function cellVersionLocal(cellId: string, version: number): string {
  return `${cellLocal(cellId)}@v${version}`;
}

function codeLocal(sha256: string): string {
  return `code-${encodeLocal(sha256.slice(0, 16))}`;
}

function planLocal(plan: PlanRef): string {
  return plan.kind === 'cell'
    ? cellVersionLocal(plan.cellId, plan.version)
    : codeLocal(plan.sha256);
}

type MaybeAttribute = readonly [QualifiedName, AttributeValue | undefined];

/** Attribute pairs, leaving out absent values. */
function attributes(...pairs: MaybeAttribute[]): Attributes {
  return pairs.filter(
    (pair): pair is readonly [QualifiedName, AttributeValue] =>
      pair[1] !== undefined
  );
}

const nb = (local: string): QualifiedName => NBPROV.qn(local);
const prov = (local: string): QualifiedName => PROV.qn(local);

class Emitter {
  private readonly _doc: ProvDocument;
  private readonly _persons = new Map<string, QualifiedName>();
  private readonly _replayed = new Map<string, Namespace>();

  constructor(
    private readonly _state: IJournalState,
    private readonly _resources: ReadonlyMap<ExecutionId, IExecutionResources>,
    private readonly _run: Namespace,
    private readonly _options: IJournalToProvOptions,
    private readonly _lineage: ILineageGraph | undefined
  ) {
    this._doc = new ProvDocument([NBPROV, _run]);
  }

  emit(): ProvDocument {
    this._agents();
    this._notebook();
    this._plans();
    for (const session of this._state.sessions.values()) {
      this._session(session);
    }
    for (const execution of this._state.executions.values()) {
      this._execution(execution);
    }
    this._lineageRecords();
    this._replays();
    return this._doc;
  }

  private _id(local: string): QualifiedName {
    return this._run.qn(local);
  }

  /** A relation's id: its kind and the local parts it links. */
  private _relationId(kind: string, ...ends: QualifiedName[]): QualifiedName {
    return this._id([kind, ...ends.map(end => end.localPart)].join('.'));
  }

  private _recorderId(): QualifiedName {
    return this._id('recorder');
  }

  private _kernelId(session: ISessionState): QualifiedName {
    return this._id(`kernel-${session.ordinal}`);
  }

  private _sessionId(session: ISessionState): QualifiedName {
    return this._id(`session-${session.ordinal}`);
  }

  private _executionId(execution: IExecutionState): QualifiedName {
    return this._id(`exec-${execution.ordinal}`);
  }

  private _notebookId(): QualifiedName {
    return this._id('notebook');
  }

  /** The person of a session: its user, or one anonymous person. */
  private _person(user: string | undefined): QualifiedName {
    const key = user ?? '';
    let id = this._persons.get(key);
    if (!id) {
      id = this._id(
        user === undefined ? 'person' : `person-${encodeLocal(user)}`
      );
      this._persons.set(key, id);
      this._doc.agent(
        id,
        attributes([prov('type'), prov('Person')], [nb('userName'), user])
      );
    }
    return id;
  }

  private _agents(): void {
    const sessions = [...this._state.sessions.values()];
    if (sessions.length === 0) {
      this._person(undefined);
    }
    for (const session of sessions) {
      this._person(session.started.user);
    }
    const taps: Tap[] = [];
    for (const session of sessions) {
      if (!taps.includes(session.started.tap)) {
        taps.push(session.started.tap);
      }
    }
    const recorder = this._state.recorder;
    this._doc.agent(
      this._recorderId(),
      attributes(
        [prov('type'), [prov('SoftwareAgent'), nb('Recorder')]],
        [nb('name'), recorder?.name],
        [nb('version'), recorder?.version],
        [nb('exporterVersion'), this._options.recorderVersion],
        [nb('tap'), taps.length > 0 ? (taps as [Tap, ...Tap[]]) : undefined]
      )
    );
    for (const session of sessions) {
      const { kernel, host, user } = session.started;
      const kernelId = this._kernelId(session);
      this._doc.agent(
        kernelId,
        attributes(
          [prov('type'), [prov('SoftwareAgent'), nb('Kernel')]],
          [nb('kernelId'), kernel.id],
          [nb('kernelName'), kernel.name],
          [nb('language'), kernel.language],
          [nb('languageVersion'), kernel.languageVersion],
          [nb('implementation'), kernel.implementation],
          [nb('implementationVersion'), kernel.implementationVersion],
          [nb('host'), host]
        )
      );
      const person = this._person(user);
      this._doc.add({
        kind: 'actedOnBehalfOf',
        id: this._relationId('actedOnBehalfOf', kernelId, person),
        delegate: kernelId,
        responsible: person
      });
    }
  }

  private _notebook(): void {
    const notebook = this._notebookId();
    this._doc.entity(
      notebook,
      attributes(
        [prov('type'), [nb('Notebook'), prov('Collection')]],
        [nb('path'), this._state.notebookPath],
        [nb('format'), this._state.notebookFormat],
        [nb('journalId'), this._state.journalId]
      )
    );
    for (const person of this._persons.values()) {
      this._doc.add({
        kind: 'wasAttributedTo',
        id: this._relationId('wasAttributedTo', notebook, person),
        entity: notebook,
        agent: person
      });
    }
    for (const cellId of this._state.cells.keys()) {
      const cell = this._id(cellLocal(cellId));
      this._doc.entity(
        cell,
        attributes([prov('type'), nb('Cell')], [nb('cellId'), cellId])
      );
      this._doc.add({
        kind: 'hadMember',
        id: this._relationId('hadMember', notebook, cell),
        collection: notebook,
        entity: cell
      });
    }
  }

  private _plans(): void {
    for (const [cellId, versions] of this._state.cells) {
      const cell = this._id(cellLocal(cellId));
      let previous: QualifiedName | undefined;
      for (const version of versions) {
        const id = this._id(cellVersionLocal(cellId, version.version));
        this._doc.entity(
          id,
          attributes(
            [prov('type'), [nb('CellVersion'), prov('Plan')]],
            [nb('cellId'), cellId],
            [nb('version'), version.version],
            [nb('sha256'), version.sha256],
            [nb('source'), version.source]
          )
        );
        this._doc.add({
          kind: 'specializationOf',
          id: this._relationId('specializationOf', id, cell),
          specificEntity: id,
          generalEntity: cell
        });
        if (previous) {
          this._doc.add({
            kind: 'wasDerivedFrom',
            id: this._relationId('wasDerivedFrom', id, previous),
            generatedEntity: id,
            usedEntity: previous,
            attributes: [[prov('type'), prov('Revision')]]
          });
        }
        previous = id;
      }
    }
    for (const code of this._state.code.values()) {
      this._doc.entity(
        this._id(codeLocal(code.sha256)),
        attributes(
          [prov('type'), [nb('Code'), prov('Plan')]],
          [nb('sha256'), code.sha256],
          [nb('source'), code.source]
        )
      );
    }
  }

  private _session(session: ISessionState): void {
    const id = this._sessionId(session);
    const interval = clamp(
      utc(session.started.t),
      utc(session.ended?.t),
      'recorder'
    );
    this._doc.add({
      kind: 'activity',
      id,
      startTime: interval.start,
      endTime: interval.end,
      attributes: attributes(
        [prov('type'), nb('KernelSession')],
        [nb('sessionId'), session.started.session],
        [nb('kernelId'), session.started.kernel.id],
        [nb('tap'), session.started.tap],
        [nb('endReason'), session.ended?.reason],
        ...clampAttributes(interval)
      )
    });
    const kernel = this._kernelId(session);
    this._doc.add({
      kind: 'wasAssociatedWith',
      id: this._relationId('wasAssociatedWith', id, kernel),
      activity: id,
      agent: kernel
    });
    const recorder = this._recorderId();
    this._doc.add({
      kind: 'wasAssociatedWith',
      id: this._relationId('wasAssociatedWith', id, recorder),
      activity: id,
      agent: recorder,
      attributes: [[prov('role'), nb('Observer')]]
    });
    if (session.hostFacts) {
      this._environment(session, id, session.hostFacts);
    }
  }

  /** The host the kernel ran on, `used` by its session (PROV-MAPPING). */
  private _environment(
    session: ISessionState,
    activity: QualifiedName,
    facts: IHostFactsEvent
  ): void {
    const id = this._id(`env-${session.ordinal}`);
    const scheduler = facts.scheduler;
    this._doc.entity(
      id,
      attributes(
        [prov('type'), nb('Environment')],
        [nb('hostname'), facts.hostname],
        [nb('platform'), facts.platform],
        [nb('release'), facts.release],
        [nb('distro'), facts.distro],
        [nb('arch'), facts.arch],
        [nb('cpuModel'), facts.cpuModel],
        [nb('logicalCores'), facts.logicalCores],
        [nb('physicalCores'), facts.physicalCores],
        [nb('memoryTotalBytes'), facts.memoryTotalBytes],
        [nb('gpuCount'), facts.gpus.length],
        // A list of objects is not a PROV value: a JSON string (PROV-MAPPING).
        [
          nb('gpus'),
          facts.gpus.length > 0 ? JSON.stringify(facts.gpus) : undefined
        ],
        [nb('slurmJobId'), scheduler?.slurmJobId],
        [nb('slurmJobName'), scheduler?.slurmJobName],
        [nb('slurmJobPartition'), scheduler?.slurmJobPartition],
        [nb('slurmNodelist'), scheduler?.slurmNodelist],
        [nb('pbsJobId'), scheduler?.pbsJobId]
      )
    );
    this._doc.add({
      kind: 'used',
      id: this._relationId('used', activity, id),
      activity,
      entity: id
    });
  }

  private _execution(execution: IExecutionState): void {
    const id = this._executionId(execution);
    const { requested, started, finished, session } = execution;
    const interval = executionInterval(execution);
    const status = finished?.status ?? RUNNING_STATUS;
    this._doc.add({
      kind: 'activity',
      id,
      startTime: interval.start,
      endTime: interval.end,
      attributes: attributes(
        [prov('type'), nb('CellExecution')],
        [nb('msgId'), requested.execution],
        [
          nb('executionCount'),
          finished?.executionCount ?? started?.executionCount
        ],
        [nb('status'), status],
        [nb('errorName'), finished?.error?.ename],
        [nb('errorMessage'), finished?.error?.evalue],
        [nb('cellId'), requested.cellId],
        [nb('session'), session ? this._sessionId(session) : undefined],
        [nb('clock'), interval.clock],
        ...this._replayAttributes(requested.execution),
        ...clampAttributes(interval),
        ...resourceAttributes(this._resources.get(requested.execution))
      )
    });
    const plan = this._id(planLocal(execution.plan));
    this._doc.add({
      kind: 'used',
      id: this._relationId('used', id, plan),
      activity: id,
      entity: plan,
      time: interval.start
    });
    if (session) {
      const kernel = this._kernelId(session);
      this._doc.add({
        kind: 'wasAssociatedWith',
        id: this._relationId('wasAssociatedWith', id, kernel),
        activity: id,
        agent: kernel,
        plan
      });
      if (execution.previous) {
        const informant = this._executionId(execution.previous);
        this._doc.add({
          kind: 'wasInformedBy',
          id: this._relationId('wasInformedBy', id, informant),
          informed: id,
          informant
        });
      }
    }
    const outputs = [...execution.outputs.values()].sort(
      (a, b) => a.index - b.index
    );
    for (const output of outputs) {
      this._output(execution, id, interval, output);
    }
  }

  /**
   * Each replay as an `nbprov:Replay` activity informed by the executions
   * it replayed, which live in the original journal's namespace; the
   * replay's own executions point at theirs with `nbprov:replayOf`.
   */
  private _replays(): void {
    for (const replay of this._state.replays) {
      const session = this._state.sessions.get(replay.session);
      if (!session) {
        continue;
      }
      const id = this._id(`replay-${session.ordinal}`);
      const interval = clamp(utc(session.started.t), utc(replay.t), 'recorder');
      const original = this._replayedNamespace(replay.of.journal);
      this._doc.add({
        kind: 'activity',
        id,
        startTime: interval.start,
        endTime: interval.end,
        attributes: attributes(
          [prov('type'), nb('Replay')],
          [nb('verdict'), replay.verdict],
          [nb('replayedJournal'), replay.of.journal],
          [nb('replayedNotebook'), replay.of.notebookPath],
          [nb('replayedCellId'), replay.of.cellId],
          [nb('session'), this._sessionId(session)]
        )
      });
      for (const execution of replay.executions) {
        const informant = original.qn(`exec-${execution.replayOfOrdinal}`);
        this._doc.add({
          kind: 'wasInformedBy',
          id: this._relationId('wasInformedBy', id, informant),
          informed: id,
          informant
        });
      }
    }
  }

  /** The namespace of a replayed journal's ids, declared on first use. */
  private _replayedNamespace(journal: string): Namespace {
    let namespace = this._replayed.get(journal);
    if (!namespace) {
      namespace = this._doc.addNamespace(
        new Namespace(
          `replayed${this._replayed.size + 1}`,
          `urn:uuid:${journal}#`
        )
      );
      this._replayed.set(journal, namespace);
    }
    return namespace;
  }

  /** `nbprov:replayOf` and the verdict, for an execution a replay ran. */
  private _replayAttributes(execution: string): MaybeAttribute[] {
    for (const replay of this._state.replays) {
      const entry = replay.executions.find(e => e.execution === execution);
      if (entry) {
        const original = this._replayedNamespace(replay.of.journal);
        return [
          [nb('replayOf'), original.qn(`exec-${entry.replayOfOrdinal}`)],
          [nb('replayVerdict'), entry.verdict]
        ];
      }
    }
    return [];
  }

  /** Variable and file versions, in the order the executions made them. */
  private _lineageRecords(): void {
    if (!this._lineage) {
      return;
    }
    const emitted = new Set<string>();
    const entity = (version: DataVersion): QualifiedName => {
      const id = this._id(versionLocal(version));
      if (emitted.has(version.id)) {
        return id;
      }
      emitted.add(version.id);
      if (version.kind === 'variable') {
        this._doc.entity(
          id,
          attributes(
            [prov('type'), nb('Variable')],
            [nb('name'), version.name],
            [nb('writeKind'), version.how]
          )
        );
      } else {
        this._doc.entity(
          id,
          attributes([prov('type'), nb('File')], [nb('path'), version.path])
        );
      }
      return id;
    };
    for (const execution of this._lineage.executions) {
      const activity = this._executionId(execution.execution);
      for (const version of execution.generated) {
        const id = entity(version);
        this._doc.add({
          kind: 'wasGeneratedBy',
          id: this._relationId('wasGeneratedBy', id, activity),
          entity: id,
          activity
        });
        // A change in place, or a file rewritten, is a revision of what
        // was there; a name bound anew is a new thing.
        const revises =
          version.previous &&
          (version.kind === 'file' || version.how === 'mutated');
        if (version.previous && revises) {
          const previous = entity(version.previous);
          this._doc.add({
            kind: 'wasDerivedFrom',
            id: this._relationId('wasDerivedFrom', id, previous),
            generatedEntity: id,
            usedEntity: previous,
            attributes: [[prov('type'), prov('Revision')]]
          });
        }
      }
      for (const version of execution.used) {
        const id = entity(version);
        this._doc.add({
          kind: 'used',
          id: this._relationId('used', activity, id),
          activity,
          entity: id
        });
      }
    }
  }

  private _output(
    execution: IExecutionState,
    activity: QualifiedName,
    interval: IInterval,
    output: IExecutionOutputEvent
  ): void {
    const id = this._id(`out-${execution.ordinal}-${output.index}`);
    this._doc.entity(
      id,
      attributes(
        [prov('type'), nb('Output')],
        [nb('index'), output.index],
        [nb('outputType'), output.outputType],
        [nb('streamName'), output.streamName],
        [nb('mimeTypes'), output.mimeTypes.join(', ')],
        [nb('byteSize'), output.byteSize],
        [nb('sha256'), output.sha256],
        [nb('preview'), output.preview]
      )
    );
    this._doc.add({
      kind: 'wasGeneratedBy',
      id: this._relationId('wasGeneratedBy', id, activity),
      entity: id,
      activity,
      time: generationTime(interval, output)
    });
  }
}

/** An execution's resource figures as attributes; none without samples. */
function resourceAttributes(
  resources: IExecutionResources | undefined
): MaybeAttribute[] {
  if (resources === undefined) {
    return [];
  }
  const seconds = (value: number | undefined) =>
    value === undefined ? undefined : Math.round(value * 1000) / 1000;
  const joules = (value: number | undefined) =>
    value === undefined ? undefined : Math.round(value * 100) / 100;
  return [
    [nb('resourceSource'), resources.source],
    [nb('sampleCount'), resources.samples],
    [nb('wallSeconds'), seconds(resources.wallSeconds)],
    [nb('cpuSeconds'), seconds(resources.cpuSeconds)],
    [nb('peakRssBytes'), resources.peakRssBytes],
    [nb('peakPssBytes'), resources.peakPssBytes],
    [nb('peakKernelMemoryBytes'), resources.peakKernelMemoryBytes],
    [nb('readBytes'), resources.readBytes],
    [nb('writeBytes'), resources.writeBytes],
    [nb('gpuSeconds'), seconds(resources.gpuSeconds)],
    [nb('peakGpuMemoryBytes'), resources.peakGpuTreeMemoryBytes],
    [nb('gpuEnergyJoules'), joules(resources.gpuEnergyJoules)],
    [nb('cpuEnergyJoules'), joules(resources.cpuEnergyJoules)]
  ];
}

/**
 * The output's time on the execution's clock, when it falls within the
 * execution (PROV-CONSTRAINTS: generation within its activity); otherwise
 * none rather than a time that breaks the ordering.
 */
function generationTime(
  interval: IInterval,
  output: IExecutionOutputEvent
): string | undefined {
  const time = utc(interval.clock === 'kernel' ? output.kernelTime : output.t);
  if (
    time === undefined ||
    interval.start === undefined ||
    before(time, interval.start) ||
    (interval.end !== undefined && before(interval.end, time))
  ) {
    return undefined;
  }
  return time;
}

function clampAttributes(interval: IInterval): MaybeAttribute[] {
  if (interval.reportedEnd === undefined) {
    return [];
  }
  return [
    [nb('endTimeClamped'), true],
    [nb('reportedEndTime'), dateTimeLiteral(interval.reportedEnd)]
  ];
}
