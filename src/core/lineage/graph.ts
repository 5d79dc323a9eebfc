/**
 * The lineage graph: every execution of a journal with the versions of
 * variables and files it used and generated (DESIGN.md, "lineage graph").
 *
 * Built by replaying the journal's executions in order against each
 * session's namespace: a read resolves to the latest version of the name in
 * that session (a restart empties the namespace), a write creates a new
 * version; files are shared by all sessions. Reading a function (or a value
 * built from one) also reads the globals its body reads, resolved at this
 * execution (running it reads them now, not when it was defined), and
 * applies the writes its body makes.
 */

import type {
  IExecutionState,
  IJournalState
} from '../projection/journal-state.js';
import {
  GLOBAL_PATH_MARK,
  type ICallSite,
  type ICellAnalysis,
  type IFileReference,
  type IFunctionEffects,
  type INameWrite
} from './cell-analysis.js';
import { SessionNamespace } from './namespace.js';
import {
  normalizePath,
  type DataVersion,
  type IFileVersion,
  type IVariableVersion
} from './versions.js';

/** What the kernel side saw an execution do, beyond what its source says. */
export interface IObservedEffects {
  /** Global names the kernel reports as created or rebound by the execution. */
  readonly rebound?: readonly string[];
  /** Files the kernel's processes opened or changed while the execution ran. */
  readonly files?: readonly {
    readonly path: string;
    readonly mode: 'read' | 'write';
  }[];
}

export interface ILineageOptions {
  /**
   * Analyses one source; undefined when the language has no analyser.
   * Called once per distinct source (the graph caches by sha256).
   */
  readonly analyze: (
    source: string,
    language: string | undefined
  ) => ICellAnalysis | undefined;
  /** Kernel-side observations of an execution, where a tap recorded them. */
  readonly observe?: (
    execution: IExecutionState
  ) => IObservedEffects | undefined;
}

export interface IExecutionLineage {
  /** The execution's journal ordinal (1-based, request order). */
  readonly ordinal: number;
  readonly execution: IExecutionState;
  readonly cellId: string | undefined;
  /** Undefined when there was no source to analyse (code not recorded, or no analyser). */
  readonly analysis: ICellAnalysis | undefined;
  readonly used: readonly DataVersion[];
  readonly generated: readonly DataVersion[];
  /** Ordinals of the executions that generated what this one used, ascending. */
  readonly upstream: readonly number[];
}

export interface ILineageGraph {
  /** Executions that ran, in journal order (aborted ones never ran and are left out). */
  readonly executions: readonly IExecutionLineage[];
  readonly byOrdinal: ReadonlyMap<number, IExecutionLineage>;
  /** Each cell's latest execution. */
  readonly latestByCell: ReadonlyMap<string, IExecutionLineage>;
  /** Ordinal → ordinals of the executions that used what it generated, ascending. */
  readonly downstream: ReadonlyMap<number, readonly number[]>;
}

export function buildLineage(
  state: IJournalState,
  options: ILineageOptions
): ILineageGraph {
  const builder = new LineageBuilder(options);
  for (const execution of state.executions.values()) {
    if (execution.finished?.status === 'aborted') {
      continue;
    }
    builder.add(execution);
  }
  return builder.finish();
}

class LineageBuilder {
  private readonly _analyses = new Map<string, ICellAnalysis | undefined>();
  private readonly _namespaces = new Map<string, SessionNamespace>();
  private readonly _files = new Map<string, IFileVersion>();
  private readonly _executions: IExecutionLineage[] = [];
  private readonly _byOrdinal = new Map<number, IExecutionLineage>();
  private readonly _latestByCell = new Map<string, IExecutionLineage>();
  private readonly _downstream = new Map<number, number[]>();

  constructor(private readonly _options: ILineageOptions) {}

  add(execution: IExecutionState): void {
    const ordinal = execution.ordinal;
    // Code the kernel could not compile never ran: whatever an analysis
    // recovered from it (`level = 2` before the broken line) did not happen.
    // (A SyntaxError raised by code that parses, `eval('(')`, came later.)
    const parsed = this._analyse(execution);
    const analysis =
      parsed && !parsed.parsed && rejectedByTheKernel(execution)
        ? undefined
        : parsed;
    const observed = this._options.observe?.(execution);
    const namespace = this._namespace(execution);
    const used = new Map<string, DataVersion>();
    const generated: DataVersion[] = [];

    const cellFunctions = new Map<string, IFunctionEffects[]>();
    for (const effects of analysis?.functions ?? []) {
      const list = cellFunctions.get(effects.name) ?? [];
      list.push(effects);
      cellFunctions.set(effects.name, list);
    }
    const effectsOf = (name: string): readonly IFunctionEffects[] => [
      ...(cellFunctions.get(name) ?? []),
      ...(namespace.lookup(name)?.effects ?? [])
    ];

    // Reads, widened by what the functions the cell touches read when run.
    const { reads, writes, calls, files } = expandEffects(
      usedNames(analysis),
      (analysis?.writes ?? []).filter(
        // `mylib.run()` after `import mylib`: not a change of anything.
        w => !(w.uncertain && namespace.lookup(w.name)?.how === 'imported')
      ),
      effectsOf
    );
    for (const call of [...(analysis?.calls ?? []), ...calls]) {
      // Calling a value that is not a def or a class (a closure, a model,
      // an object with __call__) may change its state.
      const how = namespace.lookup(call.callee)?.how;
      if (how !== undefined && how !== 'defined' && how !== 'imported') {
        writes.push({ name: call.callee, kind: 'mutated', uncertain: true });
      }
      for (const effects of effectsOf(call.callee)) {
        for (const name of mutatedArguments(call, effects)) {
          writes.push({ name, kind: 'mutated' });
        }
      }
    }
    for (const write of writes) {
      if (write.kind === 'mutated' || write.kind === 'deleted') {
        // An in-place change depends on the state it changes; `del x`
        // fails unless x is bound.
        reads.add(write.name);
      }
    }
    // Names the kernel saw rebound that the source does not bind. One
    // answer of the kernel may cover several executions queued together,
    // and is credited to each: such a write must not hide the version
    // before it (the real writer may be the earlier one), so it also reads
    // it, and the chain back stays whole.
    const unexplained = (observed?.rebound ?? []).filter(
      name => !writes.some(w => w.name === name && w.kind !== 'mutated')
    );
    for (const name of unexplained) {
      reads.add(name);
    }
    for (const name of reads) {
      // A name no listed write explains may come from the latest
      // `import *` or `%run` of the session.
      const version = namespace.lookup(name) ?? namespace.wildcard;
      if (version) {
        used.set(version.id, version);
      }
    }
    const resolve = (path: string): string | undefined =>
      resolveGlobalPath(path, name => namespace.lookup(name)?.pathValue);
    for (const file of fileReferences(
      analysis,
      observed,
      files,
      'read',
      resolve
    )) {
      const version = this._files.get(file) ?? this._externalFile(file);
      used.set(version.id, version);
      // A folder read (`ls reports`) holds what was written into it.
      for (const [path, inside] of this._files) {
        if (path.startsWith(`${file}/`)) {
          used.set(inside.id, inside);
        }
      }
    }

    // Writes, applied after every read resolved against the state before.
    const sourcesOf = new Map<string, string[]>();
    for (const assignment of analysis?.assignments ?? []) {
      const list = sourcesOf.get(assignment.target) ?? [];
      list.push(...assignment.sources);
      sourcesOf.set(assignment.target, list);
    }
    const pathConstants = new Map(
      (analysis?.pathConstants ?? []).map(c => [c.name, c.value])
    );
    // One version per name per execution: the last write of the cell wins.
    const generatedVariable = new Map<string, number>();
    const emit = (version: IVariableVersion): void => {
      const at = generatedVariable.get(version.name);
      if (at === undefined) {
        generatedVariable.set(version.name, generated.length);
        generated.push(version);
      } else {
        generated[at] = version;
      }
    };
    const before = (name: string): IVariableVersion | undefined => {
      const current = namespace.lookup(name);
      // A name this execution already wrote keeps its first predecessor.
      return current?.writtenBy === ordinal ? current.previous : current;
    };
    const write = (name: string, kind: INameWrite['kind']): void => {
      if (kind === 'mutated') {
        for (const alias of namespace.aliasesOf(name)) {
          const current = namespace.lookup(alias);
          if (current?.writtenBy === ordinal) {
            continue;
          }
          const version = variableVersion(
            alias,
            ordinal,
            'mutated',
            current,
            current?.effects ?? [],
            // Changed in place, it still names the same file.
            current?.pathValue
          );
          namespace.replace(alias, version);
          emit(version);
        }
        return;
      }
      const previous = before(name);
      if (kind === 'deleted') {
        emit(variableVersion(name, ordinal, 'deleted', previous, []));
        namespace.delete(name);
        return;
      }
      const sources = sourcesOf.get(name) ?? [];
      const effects: IFunctionEffects[] = [...(cellFunctions.get(name) ?? [])];
      for (const source of sources) {
        effects.push(...(namespace.lookup(source)?.effects ?? []));
      }
      const constant = pathConstants.get(name);
      const version = variableVersion(
        name,
        ordinal,
        kind,
        previous,
        dedupe(effects),
        constant === undefined ? undefined : resolve(constant)
      );
      namespace.bind(name, version, sources);
      emit(version);
    };
    for (const { name, kind } of writes) {
      write(name, kind);
    }
    for (const name of unexplained) {
      write(name, 'assigned');
    }
    // Deletions the kernel reports are not applied: shared by queued
    // executions, one could remove a name before a later one read it. A
    // deletion missed costs precision only (a reader after it resolves to
    // an old version), never a dependency.
    for (const wildcard of analysis?.wildcards ?? []) {
      const version = variableVersion(
        `*${wildcard.via === '%run' ? 'run' : 'import'}`,
        ordinal,
        'imported',
        namespace.wildcard,
        []
      );
      namespace.wildcard = version;
      emit(version);
    }
    for (const file of fileReferences(
      analysis,
      observed,
      files,
      'write',
      resolve
    )) {
      const previous = this._files.get(file);
      const version: IFileVersion = {
        kind: 'file',
        id: `file:${file}@${ordinal}`,
        path: file,
        writtenBy: ordinal,
        previous
      };
      this._files.set(file, version);
      generated.push(version);
    }

    const upstream = new Set<number>();
    for (const version of used.values()) {
      if (version.writtenBy !== undefined && version.writtenBy !== ordinal) {
        upstream.add(version.writtenBy);
      }
    }
    const lineage: IExecutionLineage = {
      ordinal,
      execution,
      cellId: execution.requested.cellId,
      analysis,
      used: [...used.values()],
      generated,
      upstream: [...upstream].sort((a, b) => a - b)
    };
    this._executions.push(lineage);
    this._byOrdinal.set(ordinal, lineage);
    if (lineage.cellId !== undefined) {
      this._latestByCell.set(lineage.cellId, lineage);
    }
    for (const source of lineage.upstream) {
      const list = this._downstream.get(source) ?? [];
      list.push(ordinal);
      this._downstream.set(source, list);
    }
  }

  finish(): ILineageGraph {
    return {
      executions: this._executions,
      byOrdinal: this._byOrdinal,
      latestByCell: this._latestByCell,
      downstream: this._downstream
    };
  }

  private _analyse(execution: IExecutionState): ICellAnalysis | undefined {
    const { source, sourceSha256 } = execution.requested;
    if (source === undefined) {
      return undefined;
    }
    const language = execution.session?.started.kernel.language;
    const key = `${language ?? ''}:${sourceSha256}`;
    if (!this._analyses.has(key)) {
      this._analyses.set(key, this._options.analyze(source, language));
    }
    return this._analyses.get(key);
  }

  private _namespace(execution: IExecutionState): SessionNamespace {
    const key = execution.requested.session as string;
    let namespace = this._namespaces.get(key);
    if (!namespace) {
      namespace = new SessionNamespace();
      this._namespaces.set(key, namespace);
    }
    return namespace;
  }

  private _externalFile(path: string): IFileVersion {
    const version: IFileVersion = {
      kind: 'file',
      id: `file:${path}@0`,
      path,
      writtenBy: undefined,
      previous: undefined
    };
    this._files.set(path, version);
    return version;
  }
}

/**
 * A path with the globals it names put in (`GLOBAL_PATH_MARK`); undefined
 * when one of them holds no known path.
 */
function resolveGlobalPath(
  path: string,
  valueOf: (name: string) => string | undefined
): string | undefined {
  if (!path.includes(GLOBAL_PATH_MARK)) {
    return path;
  }
  let unknown = false;
  const resolved = path.replace(GLOBAL_PATH_PATTERN, (_, name: string) => {
    const value = valueOf(name);
    unknown ||= value === undefined;
    return value ?? '';
  });
  return unknown ? undefined : resolved;
}

const GLOBAL_PATH_PATTERN = new RegExp(
  `${GLOBAL_PATH_MARK}([^${GLOBAL_PATH_MARK}]+)${GLOBAL_PATH_MARK}`,
  'g'
);

/** The kernel ended the execution with a compile error. */
function rejectedByTheKernel(execution: IExecutionState): boolean {
  const ename = execution.finished?.error?.ename;
  return (
    ename === 'SyntaxError' ||
    ename === 'IndentationError' ||
    ename === 'TabError'
  );
}

function variableVersion(
  name: string,
  ordinal: number,
  how: INameWrite['kind'],
  previous: IVariableVersion | undefined,
  effects: readonly IFunctionEffects[],
  pathValue?: string
): IVariableVersion {
  return {
    kind: 'variable',
    id: `var:${name}@${ordinal}`,
    name,
    writtenBy: ordinal,
    how,
    previous,
    effects,
    ...(pathValue !== undefined ? { pathValue } : {})
  };
}

/** Names whose values the cell touches: read, called, or passed along. */
function usedNames(analysis: ICellAnalysis | undefined): string[] {
  if (!analysis) {
    return [];
  }
  const names = [...analysis.reads];
  for (const call of analysis.calls) {
    names.push(call.callee);
    for (const arg of call.args) {
      if (arg !== null) {
        names.push(arg);
      }
    }
    for (const keyword of call.keywords) {
      names.push(keyword.value);
    }
  }
  return names;
}

/**
 * The transitive reads and the writes of touching `names`: each function
 * reached contributes the globals its body reads (which may be functions
 * too) and the globals it changes.
 */
function expandEffects(
  names: readonly string[],
  cellWrites: readonly INameWrite[],
  effectsOf: (name: string) => readonly IFunctionEffects[]
): {
  reads: Set<string>;
  writes: INameWrite[];
  calls: ICallSite[];
  files: IFileReference[];
} {
  const reads = new Set<string>();
  const writes = [...cellWrites];
  const calls: ICallSite[] = [];
  const files: IFileReference[] = [];
  const seen = new Set<IFunctionEffects>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (reads.has(name)) {
      continue;
    }
    reads.add(name);
    for (const effects of effectsOf(name)) {
      if (seen.has(effects)) {
        continue;
      }
      seen.add(effects);
      queue.push(...effects.reads, ...effects.calls.map(c => c.callee));
      writes.push(...effects.writes);
      calls.push(...effects.calls);
      files.push(...effects.files);
    }
  }
  return { reads, writes, calls, files };
}

function mutatedArguments(
  call: ICallSite,
  effects: IFunctionEffects
): string[] {
  const names: string[] = [];
  for (const position of effects.mutatedParams) {
    const arg = call.args[position];
    if (arg) {
      names.push(arg);
    }
    const param = effects.params[position];
    for (const keyword of call.keywords) {
      if (keyword.name === param) {
        names.push(keyword.value);
      }
    }
  }
  return names;
}

function fileReferences(
  analysis: ICellAnalysis | undefined,
  observed: IObservedEffects | undefined,
  fromFunctions: readonly IFileReference[],
  mode: 'read' | 'write',
  resolve: (path: string) => string | undefined
): string[] {
  const paths = new Set<string>();
  for (const file of [...(analysis?.files ?? []), ...fromFunctions]) {
    const path = file.mode === mode ? resolve(file.path) : undefined;
    if (path !== undefined) {
      paths.add(normalizePath(path));
    }
  }
  for (const file of observed?.files ?? []) {
    if (file.mode === mode) {
      paths.add(normalizePath(file.path));
    }
  }
  return [...paths];
}

function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
