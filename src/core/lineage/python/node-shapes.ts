/**
 * The parts of grammar nodes whose children come flat in lezer's tree:
 * imports, parameter lists, comprehensions, call arguments. Pure readings
 * of structure; what the parts mean is the walker's business.
 */
import { childrenOf, type SyntaxNode } from './syntax-tree.js';

type Text = (node: SyntaxNode) => string;

export interface IImportBinding {
  /** The global name bound: `import a.b` binds `a`, `from m import x as y` binds `y`. */
  readonly name: string;
  /** What the name holds, dotted: `a`, `a.b` (for `import a.b as c`), `m.x`. */
  readonly qualified: string;
  readonly node: SyntaxNode;
}

export interface IImportParts {
  readonly bindings: readonly IImportBinding[];
  /** The module of `from m import *`, as written (relative dots kept). */
  readonly starFrom?: string;
}

/** `import a.b as c, d` / `from ..m import (x as y, z)` / `from m import *`. */
export function importParts(node: SyntaxNode, text: Text): IImportParts {
  const kids = childrenOf(node);
  let i = 0;
  let fromModule: string | undefined;
  if (kids[0]?.name === 'from') {
    fromModule = '';
    for (i = 1; i < kids.length && kids[i].name !== 'import'; i++) {
      fromModule += text(kids[i]);
    }
  }
  i++; // the `import` keyword
  if (fromModule !== undefined && kids[i]?.name === '*') {
    return { bindings: [], starFrom: fromModule };
  }
  const bindings: IImportBinding[] = [];
  let dotted: SyntaxNode[] = [];
  let alias: SyntaxNode | undefined;
  const flush = (): void => {
    if (dotted.length > 0) {
      const path = dotted.map(text).join('.');
      const first = text(dotted[0]);
      if (fromModule !== undefined) {
        const joiner = fromModule === '' || fromModule.endsWith('.') ? '' : '.';
        bindings.push({
          name: alias ? text(alias) : path,
          qualified: fromModule + joiner + path,
          node: alias ?? dotted[0]
        });
      } else {
        bindings.push({
          name: alias ? text(alias) : first,
          qualified: alias ? path : first,
          node: alias ?? dotted[0]
        });
      }
    }
    dotted = [];
    alias = undefined;
  };
  for (; i < kids.length; i++) {
    const kid = kids[i];
    if (kid.name === ',') {
      flush();
    } else if (kid.name === 'as' && kids[i + 1]?.name === 'VariableName') {
      alias = kids[++i];
    } else if (kid.name === 'VariableName') {
      dotted.push(kid);
    }
  }
  flush();
  return { bindings };
}

export interface IParameter {
  /** As declared, stars kept: `x`, `*args`, `**kwargs`. */
  readonly declared: string;
  /** The local name: `x`, `args`, `kwargs`. */
  readonly name: string;
  readonly annotation?: SyntaxNode;
  readonly defaultValue?: SyntaxNode;
}

/** The parameters of a `def` or `lambda` ParamList, in order. */
export function parameters(paramList: SyntaxNode, text: Text): IParameter[] {
  const kids = childrenOf(paramList);
  const found: {
    declared: string;
    name: string;
    annotation?: SyntaxNode;
    defaultValue?: SyntaxNode;
  }[] = [];
  let stars = '';
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i];
    const last = found[found.length - 1];
    if (kid.name === '*' || kid.name === '**') {
      stars = kid.name;
    } else if (kid.name === ',') {
      stars = '';
    } else if (kid.name === 'VariableName') {
      const name = text(kid);
      found.push({ declared: stars + name, name });
      stars = '';
    } else if (kid.name === 'TypeDef' && last) {
      last.annotation = kid;
    } else if (kid.name === 'AssignOp' && last && i + 1 < kids.length) {
      last.defaultValue = kids[++i];
    }
  }
  return found;
}

export type ComprehensionClause =
  | {
      readonly kind: 'for';
      readonly targets: SyntaxNode[];
      readonly iterable?: SyntaxNode;
    }
  | { readonly kind: 'if'; readonly condition?: SyntaxNode };

export interface IComprehensionParts {
  /** The element: one expression, `key : value`, or a starred one. */
  readonly element: readonly SyntaxNode[];
  readonly clauses: readonly ComprehensionClause[];
}

const BRACKETS: ReadonlySet<string> = new Set(['(', ')', '[', ']', '{', '}']);

/** `[e for a, b in xs if c for d in a]`, and a call's lone generator argument `f(e for x in xs)`. */
export function comprehensionParts(node: SyntaxNode): IComprehensionParts {
  const kids = childrenOf(node).filter(kid => !BRACKETS.has(kid.name));
  const element: SyntaxNode[] = [];
  const clauses: ComprehensionClause[] = [];
  let i = 0;
  for (
    ;
    i < kids.length && kids[i].name !== 'for' && kids[i].name !== 'async';
    i++
  ) {
    element.push(kids[i]);
  }
  while (i < kids.length) {
    const kid = kids[i++];
    if (kid.name === 'for') {
      const targets: SyntaxNode[] = [];
      while (i < kids.length && kids[i].name !== 'in') {
        targets.push(kids[i++]);
      }
      i++; // `in`
      clauses.push({ kind: 'for', targets, iterable: kids[i++] });
    } else if (kid.name === 'if') {
      clauses.push({ kind: 'if', condition: kids[i++] });
    }
  }
  return { element, clauses };
}

export interface IPositionalArgument {
  readonly value: SyntaxNode;
  /** `f(x := v)`: lezer gives the walrus of an argument no node of its own. */
  readonly walrusTarget?: SyntaxNode;
}

export interface IArgumentParts {
  /** Positional arguments before the first `*iterable` (their positions are known). */
  readonly positional: readonly IPositionalArgument[];
  /** Everything else whose value is evaluated: later positionals, `*x`, `**x`. */
  readonly unplaced: readonly IPositionalArgument[];
  readonly keywords: readonly {
    readonly name: string;
    readonly value: SyntaxNode;
  }[];
  /** True for `f(x for x in xs)`: the ArgList itself is the comprehension. */
  readonly generator: boolean;
}

export function argumentParts(argList: SyntaxNode, text: Text): IArgumentParts {
  const kids = childrenOf(argList).filter(kid => !BRACKETS.has(kid.name));
  if (kids.some(kid => kid.name === 'for')) {
    return {
      positional: [{ value: argList }],
      unplaced: [],
      keywords: [],
      generator: true
    };
  }
  const positional: IPositionalArgument[] = [];
  const unplaced: IPositionalArgument[] = [];
  const keywords: { name: string; value: SyntaxNode }[] = [];
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i];
    const next = kids[i + 1];
    const placed = unplaced.length === 0;
    if (kid.name === ',') {
      continue;
    }
    if (kid.name === '*' || kid.name === '**') {
      if (next) {
        // `**kw` does not shift positions, but nothing positional may follow it.
        unplaced.push({ value: next });
        i++;
      }
    } else if (
      kid.name === 'VariableName' &&
      next?.name === 'AssignOp' &&
      i + 2 < kids.length
    ) {
      const value = kids[i + 2];
      if (text(next) === ':=') {
        (placed ? positional : unplaced).push({ value, walrusTarget: kid });
      } else {
        keywords.push({ name: text(kid), value });
      }
      i += 2;
    } else {
      (placed ? positional : unplaced).push({ value: kid });
    }
  }
  return { positional, unplaced, keywords, generator: false };
}
