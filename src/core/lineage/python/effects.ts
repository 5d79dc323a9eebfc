/**
 * Collections of what code does to the global namespace, and the effects
 * of one function or class defined in the cell, with the folding of calls
 * between functions of the same cell.
 */
import type {
  ICallSite,
  IFileReference,
  INameWrite,
  NameWriteKind
} from '../cell-analysis.js';

/** Names with the offset of their first use, listed in source order. */
export class PositionedNames {
  private readonly first = new Map<string, number>();

  /** Adds a name; true when it was new. */
  add(name: string, at: number): boolean {
    const known = this.first.get(name);
    if (known === undefined) {
      this.first.set(name, at);
      return true;
    }
    if (at < known) {
      this.first.set(name, at);
    }
    return false;
  }

  has(name: string): boolean {
    return this.first.has(name);
  }

  get size(): number {
    return this.first.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.first.entries();
  }

  list(keep: (name: string) => boolean = () => true): string[] {
    return [...this.first.entries()]
      .filter(([name]) => keep(name))
      .sort((a, b) => a[1] - b[1])
      .map(([name]) => name);
  }
}

interface IWriteState {
  kind: NameWriteKind;
  uncertain: boolean;
  at: number;
  /** A change in place seen beside a rebinding: how sure. */
  mutation?: 'certain' | 'uncertain';
}

/**
 * The writes of a piece of code, one per name, with its strongest kind: a
 * rebinding beats a mutation (the name's new value is what the rebinding
 * made), among rebindings the last in the walk wins, and a certain
 * mutation beats an uncertain one.
 */
export class WriteSet {
  private readonly states = new Map<string, IWriteState>();

  /** Records a write; true when it changed what the set reports. */
  add(
    name: string,
    kind: NameWriteKind,
    at: number,
    uncertain = false
  ): boolean {
    const state = this.states.get(name);
    if (!state) {
      this.states.set(name, {
        kind,
        uncertain: kind === 'mutated' && uncertain,
        at
      });
      return true;
    }
    state.at = Math.min(state.at, at);
    if (kind === 'mutated') {
      if (state.kind === 'mutated') {
        if (state.uncertain && !uncertain) {
          state.uncertain = false;
          return true;
        }
        return false;
      }
      const mutation = uncertain ? 'uncertain' : 'certain';
      if (state.mutation === mutation || state.mutation === 'certain') {
        return false;
      }
      state.mutation = mutation;
      return true;
    }
    const changed = state.kind !== kind;
    if (state.kind === 'mutated') {
      state.mutation = state.uncertain ? 'uncertain' : 'certain';
    }
    state.kind = kind;
    state.uncertain = false;
    return changed;
  }

  /** Adds every write of another set; true when anything changed. */
  merge(other: WriteSet, at?: number): boolean {
    let changed = false;
    for (const [name, state] of other.states) {
      changed =
        this.add(name, state.kind, at ?? state.at, state.uncertain) || changed;
    }
    return changed;
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  kindOf(name: string): NameWriteKind | undefined {
    return this.states.get(name)?.kind;
  }

  /**
   * One entry per name, except a name both rebound and changed in place:
   * its change is listed before the rebinding (the old object may be
   * shared with other names) and, unless it was deleted, after it too (so
   * may the new one be: `b = a; b.append(1)` changes `a`). The order of
   * the two within the cell is not kept; listing both costs precision, a
   * missing one a dependency.
   */
  list(): INameWrite[] {
    return [...this.states.entries()]
      .sort((a, b) => a[1].at - b[1].at)
      .flatMap(([name, { kind, uncertain, mutation }]): INameWrite[] => {
        const write: INameWrite = uncertain
          ? { name, kind, uncertain: true }
          : { name, kind };
        if (mutation === undefined) {
          return [write];
        }
        const changed: INameWrite =
          mutation === 'uncertain'
            ? { name, kind: 'mutated', uncertain: true }
            : { name, kind: 'mutated' };
        return kind === 'deleted'
          ? [changed, write]
          : [changed, write, changed];
      });
  }

  clone(): WriteSet {
    const copy = new WriteSet();
    copy.merge(this);
    return copy;
  }
}

/** An argument of a call in a function body: a global passed, a parameter of the function passed on, or neither. */
export type ArgumentRef =
  { readonly global: string } | { readonly param: number } | null;

export interface ICallDraft {
  readonly callee: string;
  readonly args: readonly ArgumentRef[];
  readonly keywords: readonly {
    readonly name: string;
    readonly value: ArgumentRef;
  }[];
  readonly at: number;
}

/** Keeps the first reference to each (path, mode). */
export function addFile(
  files: IFileReference[],
  file: IFileReference
): boolean {
  if (
    files.some(known => known.path === file.path && known.mode === file.mode)
  ) {
    return false;
  }
  files.push(file);
  return true;
}

/** What one function (or class) defined in the cell does when it runs, as its body was walked. */
export class FunctionEffectsBuilder {
  readonly reads = new PositionedNames();
  readonly writes = new WriteSet();
  readonly calls: ICallDraft[] = [];
  readonly files: IFileReference[] = [];
  readonly mutatedParams = new Set<number>();
  /** Declared parameter names (stars kept); for a class, its `__init__`'s without `self`. */
  params: readonly string[] = [];

  constructor(readonly name: string) {}

  read(name: string, at: number): void {
    this.reads.add(name, at);
  }

  write(name: string, kind: NameWriteKind, at: number): void {
    this.writes.add(name, kind, at);
  }

  mutate(name: string, certain: boolean, at: number): void {
    this.reads.add(name, at);
    this.writes.add(name, 'mutated', at, !certain);
  }

  call(draft: ICallDraft): void {
    this.calls.push(draft);
  }

  file(file: IFileReference): void {
    addFile(this.files, file);
  }

  /** The same effects under another name (`f = g = lambda: …`). */
  renamed(name: string): FunctionEffectsBuilder {
    const copy = new FunctionEffectsBuilder(name);
    for (const [read, at] of this.reads.entries()) {
      copy.reads.add(read, at);
    }
    copy.writes.merge(this.writes);
    copy.calls.push(...this.calls);
    copy.files.push(...this.files);
    this.mutatedParams.forEach(position => copy.mutatedParams.add(position));
    copy.params = this.params;
    return copy;
  }
}

/** A function's effects with those of the cell's functions it calls folded in. */
export interface IFoldedEffects {
  readonly reads: PositionedNames;
  readonly writes: WriteSet;
  readonly mutatedParams: Set<number>;
  readonly files: IFileReference[];
}

/** The argument a call passes to the parameter at `position`. */
export function argumentFor<T>(
  call: {
    readonly args: readonly T[];
    readonly keywords: readonly { readonly name: string; readonly value: T }[];
  },
  params: readonly string[],
  position: number
): T | undefined {
  if (position < call.args.length) {
    return call.args[position];
  }
  const name = params[position];
  return call.keywords.find(keyword => keyword.name === name)?.value;
}

/**
 * Folds calls between the functions of one cell (`def step(): train(model)`
 * with `train` mutating its first parameter → `step` mutates `model`), to
 * a fixed point: recursion and any definition order are fine.
 */
export function foldCellCalls(
  functions: ReadonlyMap<string, FunctionEffectsBuilder>
): Map<FunctionEffectsBuilder, IFoldedEffects> {
  const folded = new Map<FunctionEffectsBuilder, IFoldedEffects>();
  for (const builder of functions.values()) {
    const reads = new PositionedNames();
    for (const [name, at] of builder.reads.entries()) {
      reads.add(name, at);
    }
    folded.set(builder, {
      reads,
      writes: builder.writes.clone(),
      mutatedParams: new Set(builder.mutatedParams),
      files: [...builder.files]
    });
  }
  // Each round folds one more level of calls; there are no more levels than functions.
  for (
    let round = 0, changed = true;
    changed && round <= functions.size;
    round++
  ) {
    changed = false;
    for (const [builder, effects] of folded) {
      for (const call of builder.calls) {
        const callee = functions.get(call.callee);
        const calleeEffects = callee && folded.get(callee);
        if (!callee || !calleeEffects) {
          continue;
        }
        for (const [name] of calleeEffects.reads.entries()) {
          changed = effects.reads.add(name, call.at) || changed;
        }
        changed =
          effects.writes.merge(calleeEffects.writes, call.at) || changed;
        for (const file of calleeEffects.files) {
          changed = addFile(effects.files, file) || changed;
        }
        for (const position of calleeEffects.mutatedParams) {
          const argument = argumentFor(call, callee.params, position);
          if (argument && 'global' in argument) {
            effects.reads.add(argument.global, call.at);
            changed =
              effects.writes.add(argument.global, 'mutated', call.at) ||
              changed;
          } else if (argument && !effects.mutatedParams.has(argument.param)) {
            effects.mutatedParams.add(argument.param);
            changed = true;
          }
        }
      }
    }
  }
  return folded;
}

/** A call site as the contract has it: only globals passed. */
export function callSiteOf(draft: ICallDraft): ICallSite {
  const globalOf = (ref: ArgumentRef): string | null =>
    ref && 'global' in ref ? ref.global : null;
  return {
    callee: draft.callee,
    args: draft.args.map(globalOf),
    keywords: draft.keywords.flatMap(({ name, value }) => {
      const global = globalOf(value);
      return global === null ? [] : [{ name, value: global }];
    })
  };
}
