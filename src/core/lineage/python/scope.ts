/**
 * Python's scopes as the walker needs them.
 *
 * Two ways of resolving a name:
 * - Code that runs as the cell runs, in order (the module and class bodies
 *   directly in it: "flow" scopes), resolves a name when the walk reaches
 *   it: a read of a global the cell has certainly bound already is not a
 *   read of the notebook's state.
 * - Code in a function, lambda or comprehension cannot be resolved in
 *   order: a name bound anywhere in a function is local everywhere in it.
 *   Its uses are recorded in the Unit of the outermost such scope and
 *   resolved when that scope closes, once every local is known.
 */
import type { FunctionEffectsBuilder } from './effects.js';
import type { SyntaxNode } from './syntax-tree.js';

export type ScopeKind = 'module' | 'class' | 'function' | 'comprehension';

/** A name use in deferred code, resolved when its Unit closes. */
export type DeferredUse =
  | {
      readonly kind: 'read';
      readonly name: string;
      readonly scope: Scope;
      readonly at: number;
    }
  | {
      readonly kind: 'mutate';
      readonly name: string;
      readonly scope: Scope;
      readonly at: number;
      readonly certain: boolean;
      /** The name was certainly rebound in its own scope before (a parameter replaced by a copy). */
      readonly rebound: boolean;
    }
  | {
      readonly kind: 'call';
      readonly callee: string;
      readonly scope: Scope;
      readonly at: number;
      /** Base names of the positional arguments (`x` for `x.a`, `x[0]`), or null. */
      readonly args: readonly (string | null)[];
      readonly keywords: readonly {
        readonly name: string;
        readonly value: string | null;
      }[];
    };

/**
 * The uses of one outermost function, lambda or comprehension and all the
 * scopes nested in it, with the function whose effects they are (absent
 * when the code runs right away: a comprehension, an unnamed lambda, a
 * `%timeit` statement; then they are the cell's).
 */
export class Unit {
  readonly uses: DeferredUse[] = [];
  constructor(readonly owner: FunctionEffectsBuilder | undefined) {}
}

export class Scope {
  /** Names bound in the scope (so far, for flow scopes; for the module: anywhere in the cell so far). */
  readonly locals = new Set<string>();
  /** Names bound by import, with what they hold (`np` → `numpy`); dropped when rebound otherwise. */
  readonly imports = new Map<string, string>();
  readonly declaredGlobal = new Set<string>();
  readonly declaredNonlocal = new Set<string>();
  /**
   * Names certainly bound at the current point of the walk, branches
   * merged by intersection. In the module it decides what is a read; in a
   * function, whether a mutated parameter still holds the caller's object.
   */
  definite = new Set<string>();
  /** The class's effects builder, for a class scope in flow. */
  classEffects?: FunctionEffectsBuilder;

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | undefined,
    /** Present for deferred scopes (function, lambda, comprehension, class in a function). */
    readonly unit: Unit | undefined,
    /** Parameters whose mutation the unit's owner reports, with their positions. */
    readonly params?: ReadonlyMap<string, number>,
    readonly node?: SyntaxNode
  ) {}

  /** True when uses resolve as the walk reaches them (module, class bodies run by the cell). */
  get flow(): boolean {
    return this.unit === undefined;
  }
}

/**
 * The scope a name used in deferred code is local to, or undefined for a
 * global (Python's LEGB without the B: builtins are filtered later).
 * Class scopes are seen only by code directly in them; flow scopes end
 * the search (the module, or a class body run by the cell, which nested
 * code cannot see).
 */
export function resolveDeferred(name: string, from: Scope): Scope | undefined {
  let direct = true;
  for (let scope: Scope | undefined = from; scope; scope = scope.parent) {
    if (scope.flow) {
      return undefined;
    }
    if (scope.kind === 'class' && !direct) {
      continue;
    }
    direct = false;
    if (scope.declaredGlobal.has(name)) {
      return undefined;
    }
    if (scope.locals.has(name) && !scope.declaredNonlocal.has(name)) {
      return scope;
    }
  }
  return undefined;
}
