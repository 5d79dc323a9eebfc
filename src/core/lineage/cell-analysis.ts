/**
 * What one executed cell reads and writes, as static analysis of its source
 * finds it: the contract between the language analysers (Python first,
 * `python/`) and the lineage graph (`graph.ts`), which resolves these names
 * against the versions earlier executions generated.
 *
 * Everything here is about the kernel's global namespace: names local to a
 * function, lambda or comprehension never appear, except as the parameters
 * a function may mutate (`IFunctionEffects.mutatedParams`).
 */

/** How a cell changed the value bound to a global name. */
export type NameWriteKind =
  /** `x = …`, `x += …`, `for x in …`, `with … as x`, walrus, unpacking. */
  | 'assigned'
  /** Bound by `import x` / `from m import x`. */
  | 'imported'
  /** Bound by `def x` / `class x`. */
  | 'defined'
  /** The object bound to the name may have changed in place: `x.a = …`, `x[k] = …`, `x.append(…)`, `del x[k]`. */
  | 'mutated'
  /** `del x`. */
  | 'deleted';

export interface INameWrite {
  readonly name: string;
  readonly kind: NameWriteKind;
  /**
   * Set on a `mutated` write whose evidence is weak: a call of a method the
   * analysis knows nothing about (`x.frobnicate()`; it counts it, favouring
   * recall), or an attribute or item set on a name that holds a module
   * (`pd.options.display.max_rows = 10`). When the name holds a module (its
   * current version was `imported`, e.g. `mylib.run()` after `import mylib`
   * in an earlier cell), the graph may drop it. Never set on other kinds.
   */
  readonly uncertain?: true;
}

/**
 * What calling a function (or class) defined at the top level of a cell does
 * to the global namespace. The graph applies these effects wherever the
 * function's name is read afterwards: a function's free globals count as
 * reads where it is used (called, passed, decorated), resolved to the
 * versions current at that execution, which is what running it reads.
 */
export interface IFunctionEffects {
  /** The global name the function or class is bound to. */
  readonly name: string;
  /** Global names its body reads (free variables that are not local, builtins excluded), including other functions it calls. */
  readonly reads: readonly string[];
  /** Global names its body rebinds (`global x; x = …`) or mutates (`data.append(…)`). */
  readonly writes: readonly INameWrite[];
  /**
   * Positions (0-based, `self` excluded for methods) of the parameters the
   * body may mutate in place; a call then mutates the global passed there.
   */
  readonly mutatedParams: readonly number[];
  /**
   * Parameter names, in order, so keyword arguments can be matched to
   * `mutatedParams`; variadic ones keep their stars (`*args`, `**kwargs`),
   * so no keyword matches them. For a class: its `__init__`'s, `self` left out.
   */
  readonly params: readonly string[];
  /**
   * Calls in the body to global names, with the global names passed (params
   * and other locals pass null): a function defined in another cell that
   * mutates its parameters mutates the globals passed here when this one
   * runs. Effects of functions defined in the same cell are already folded
   * into `reads`, `writes`, `mutatedParams` and `files`.
   */
  readonly calls: readonly ICallSite[];
  /** Files the body names (string literals), opened when the function runs, not when it is defined. */
  readonly files: readonly IFileReference[];
}

/** A call in the cell's top-level code (or in code it runs directly: loops, `if`, `with`). */
export interface ICallSite {
  /** The global name called (`f(…)` → `f`); `obj.method(…)` and other callees give no call site. */
  readonly callee: string;
  /**
   * For each positional argument before any `*iterable`, the global name it
   * passes (`x`, or the base of `x.a`, `x[0]`, and of `x.parameters()`,
   * `x.values()` and the other methods whose result shares x's data), or null.
   */
  readonly args: readonly (string | null)[];
  /** Keyword arguments that pass a global name. */
  readonly keywords: readonly {
    readonly name: string;
    readonly value: string;
  }[];
}

/** How a file path was found. */
export type FileAccessMode = 'read' | 'write';

export interface IFileReference {
  /** The path as written in the code (a string literal, maybe relative to the kernel's working directory). */
  readonly path: string;
  readonly mode: FileAccessMode;
  /** The function or command that names it: `open`, `pandas.read_csv`, `torch.save`, `!cp`… */
  readonly via: string;
}

/**
 * A statement that binds global names the analysis cannot list: `from m
 * import *` (`source` is the module as written, dots of relative imports
 * kept) and `%run script.py` (`source` is the script path, or the module
 * of `%run -m`). The graph may let a later read that no listed write
 * explains resolve to the most recent of these.
 */
export interface IWildcardBinding {
  readonly via: 'import *' | '%run';
  readonly source: string;
}

/**
 * Where a global name may have got its value from, for alias tracking:
 * `x = …`, unpacking (every target from every source), `for x in xs`,
 * `with … as x`, `x := …`, and `c[k] = v` / `c.a = v` (c comes to hold v).
 * Listed in source order; one per statement and target; none when no
 * source is left.
 */
export interface IAssignmentSource {
  /** The name assigned. */
  readonly target: string;
  /**
   * Global names read by the assigned expression (`opt = SGD(model.parameters())`
   * → `SGD`, `model`), including the free globals of the cell's functions
   * it calls; the target itself, builtins and names holding modules left out.
   */
  readonly sources: readonly string[];
}

export interface ICellAnalysis {
  /** False when the source did not parse; what could be read is still reported. */
  readonly parsed: boolean;
  /** 1-based line and message of the first syntax error, when `parsed` is false. */
  readonly syntaxError?: { readonly line: number; readonly message: string };
  /**
   * Global names whose value the cell reads before (or without) binding them
   * in the cell. A mutation (`x.append(…)`) reads its object too. Builtins
   * are left out unless the cell rebinds them globally first.
   */
  readonly reads: readonly string[];
  /**
   * Global names the cell binds, rebinds, mutates or deletes, with their
   * strongest kind: a rebinding (`assigned`, `imported`, `defined`,
   * `deleted`; the last one in the source wins) beats `mutated`, and a
   * certain mutation beats an `uncertain` one. A name both rebound and
   * changed in place is listed as `mutated`, its rebinding, and `mutated`
   * again (not after `deleted`): either object may be shared with another
   * name (`b = a; b.append(1)` changes `a`).
   */
  readonly writes: readonly INameWrite[];
  /** Functions and classes the cell defines at the top level (also `f = lambda …`). */
  readonly functions: readonly IFunctionEffects[];
  /** Calls that may apply a function's effects or mutate their arguments. */
  readonly calls: readonly ICallSite[];
  /** Assignments whose value may alias another global's object. */
  readonly assignments: readonly IAssignmentSource[];
  /** Files the code names (string literals). */
  readonly files: readonly IFileReference[];
  /** IPython magics used: `time`, `%%timeit` → `timeit`, `!` lines → `!`. */
  readonly magics: readonly string[];
  /** Bindings of names that cannot be listed (`from m import *`, `%run`). */
  readonly wildcards: readonly IWildcardBinding[];
  /**
   * Globals the cell leaves bound to a string or path it knows
   * (`REPORT = Path('reports') / 'table.txt'`), so that later cells' file
   * references through them (`REPORT.read_text()`) can be resolved.
   */
  readonly pathConstants: readonly {
    readonly name: string;
    readonly value: string;
  }[];
}

/**
 * In an `IFileReference.path` or a path constant: a global the cell did
 * not bind, standing for the path an earlier cell bound it to
 * (`\u0000REPORT\u0000/x.csv`); the graph resolves it or drops the reference.
 */
export const GLOBAL_PATH_MARK = '\u0000';
