/**
 * `analyzePython`: one cell's source (IPython syntax included) to the
 * reads, writes, functions, calls, files and magics the lineage graph
 * consumes. Pure and total: any input gives an analysis, never an
 * exception.
 *
 * The pipeline: `ipython.ts` turns IPython syntax into Python line for
 * line; `@lezer/python` parses it (error-tolerant); `walker.ts` walks the
 * tree with Python's scoping (`scope.ts`) into `cell-effects.ts` and the
 * effects of each function (`effects.ts`).
 *
 * Decisions, where Python or IPython leave a choice:
 * - A read is a global read before the cell has certainly bound it: what a
 *   branch, a loop body or an except handler binds is not certain after
 *   it. Builtins are never reads.
 * - Function and class bodies are not run: their free globals, global
 *   writes, mutations and mutated parameters become IFunctionEffects, and
 *   apply wherever the cell uses the name afterwards (also in the same
 *   cell; calls between the cell's functions are folded). An unnamed lambda
 *   is taken to run now (`sorted(key=…)`, `df.apply(…)`); a named one
 *   (`f = lambda …`) is a function.
 * - Methods: known read-only ones do not mutate, known mutating ones (and
 *   torch's `x_()`) do, `inplace=True` does, and every other method on a
 *   global not holding a module may (an `uncertain` mutation).
 *   `to`/`cuda`/`cpu`/`float`… mutate only when their result is thrown
 *   away (`model.to(dev)`), since nn.Module moves in place and a tensor
 *   returns a copy. `eval()`/`train()` mutate (module mode).
 * - `from m import *` and `%run` are wildcards: names bound that cannot be
 *   listed. `%run` also reads the script file.
 * - `%time`, `%%time`, `%%capture`, `%prun`, `%debug` run in the namespace;
 *   `%timeit`/`%%timeit` in a function scope of their own (reads and
 *   mutations count, assignments do not). Shell and other-language cells
 *   are not Python; `!cmd` and line magics read what IPython expands in
 *   them (`{expr}`, `$name`), cell bodies never are expanded.
 * - Files come from string literals, and from strings or paths the cell
 *   bound to a global earlier; f-strings and computed paths are skipped.
 */
import type {
  ICallSite,
  ICellAnalysis,
  IFileReference,
  IFunctionEffects
} from '../cell-analysis.js';
import { PYTHON_BUILTINS } from './builtins.js';
import { addFile, callSiteOf } from './effects.js';
import { translateIPython } from './ipython.js';
import { firstErrorNode, parsePython, type Tree } from './syntax-tree.js';
import { CellWalker } from './walker.js';

/**
 * Cells longer than this are not analysed. Parsing is linear on ordinary
 * code (about 10 ms per 100 kB here) but lezer's error recovery on deeply
 * nested brackets is not; a cell this large is data pasted into code.
 */
export const MAX_ANALYSED_LENGTH = 1_000_000;

function lineOf(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
    }
  }
  return line;
}

function syntaxErrorOf(
  tree: Tree,
  python: string
): { readonly line: number; readonly message: string } | undefined {
  const error = firstErrorNode(tree);
  if (!error) {
    return undefined;
  }
  const token = python.slice(error.from, error.to).trim().split(/\s/)[0];
  const message =
    token !== ''
      ? `invalid syntax at '${token.slice(0, 40)}'`
      : error.from >= python.trimEnd().length
        ? 'invalid syntax: the cell ends before the statement does'
        : `invalid syntax before '${python.slice(error.from).trim().slice(0, 40).split(/\s/)[0]}'`;
  // At the end of the cell (an unclosed bracket or block), the last line with code is the one to show.
  const contentEnd = python.trimEnd().length;
  const at =
    error.from >= contentEnd ? Math.max(contentEnd - 1, 0) : error.from;
  return { line: lineOf(python, at), message };
}

function unanalysed(message: string): ICellAnalysis {
  return {
    parsed: false,
    syntaxError: { line: 1, message },
    reads: [],
    writes: [],
    functions: [],
    calls: [],
    assignments: [],
    files: [],
    magics: [],
    wildcards: [],
    pathConstants: []
  };
}

function uniqueCalls(
  calls: readonly { site: ICallSite; at: number }[]
): ICallSite[] {
  const seen = new Set<string>();
  return [...calls]
    .sort((a, b) => a.at - b.at)
    .map(call => call.site)
    .filter(site => {
      const key = JSON.stringify(site);
      return !seen.has(key) && !!seen.add(key);
    });
}

export function analyzePython(source: string): ICellAnalysis {
  if (source.length > MAX_ANALYSED_LENGTH) {
    return unanalysed(
      `cell not analysed: ${source.length} characters, more than the ${MAX_ANALYSED_LENGTH} the lineage analysis reads`
    );
  }
  try {
    return analyze(source);
  } catch (error) {
    if (error instanceof RangeError) {
      // lezer builds its tree recursively: thousands of nested brackets
      // exhaust a small stack (a browser's) before the walk even starts.
      return unanalysed(
        'cell not analysed: its code is nested too deeply for the parser'
      );
    }
    // A bug of ours must not break recording; it is reported, not hidden.
    return unanalysed(
      `internal error of the lineage analysis (please report it): ${error instanceof Error ? error.message : String(error)}`
    );
  }
}

function analyze(source: string): ICellAnalysis {
  const ipython = translateIPython(source);
  const tree = parsePython(ipython.python);
  const walker = new CellWalker(ipython.python, ipython.ownScopes);
  walker.walk(tree.topNode);
  const { cell } = walker;
  const syntaxError =
    syntaxErrorOf(tree, ipython.python) ??
    (walker.python2PrintAt === undefined
      ? undefined
      : {
          line: lineOf(ipython.python, walker.python2PrintAt),
          message:
            "Missing parentheses in call to 'print'. Did you mean print(...)?"
        });
  const writes = cell.writes.list();
  // A builtin name a function reads is the notebook's only if the cell rebinds it.
  const rebound = new Set(
    writes.filter(write => write.kind !== 'mutated').map(write => write.name)
  );
  const functions: IFunctionEffects[] = cell
    .definedFunctions()
    .map(([builder, folded]) => ({
      name: builder.name,
      reads: folded.reads.list(
        name => !PYTHON_BUILTINS.has(name) || rebound.has(name)
      ),
      writes: folded.writes.list(),
      mutatedParams: [...folded.mutatedParams].sort((a, b) => a - b),
      params: builder.params,
      calls: uniqueCalls(
        builder.calls.map(draft => ({ site: callSiteOf(draft), at: draft.at }))
      ),
      files: folded.files
    }));
  const files: IFileReference[] = [];
  [...ipython.files, ...cell.files].forEach(file => addFile(files, file));
  return {
    parsed: syntaxError === undefined,
    ...(syntaxError ? { syntaxError } : {}),
    reads: cell.reads.list(),
    writes,
    functions,
    calls: uniqueCalls(cell.calls),
    assignments: cell.assignments,
    files,
    magics: ipython.magics,
    wildcards: [...ipython.wildcards, ...cell.wildcards],
    pathConstants: walker.pathConstants()
  };
}
