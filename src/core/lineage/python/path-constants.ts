/**
 * The strings and paths an expression certainly holds, for file paths:
 * literals (not f-strings), `Path(…)`, `os.path.join(…)`, `/` and `+` of
 * known parts, and module globals the cell bound to one of those earlier
 * (`path = 'data.csv'; open(path)`).
 */
import { GLOBAL_PATH_MARK } from '../cell-analysis.js';
import { qualifiedName, type SourceText } from './names.js';
import { argumentParts } from './node-shapes.js';
import type { Scope } from './scope.js';
import { stringLiteralValue } from './string-literal.js';
import { childrenOf, type SyntaxNode } from './syntax-tree.js';

/** How deep a path expression is followed (`Path('a') / 'b' / …`). */
const MAX_DEPTH = 16;

/** A string or `pathlib.Path` the analysis knows the value of. */
export interface IConstant {
  readonly kind: 'str' | 'path';
  readonly value: string;
}

function joinPath(base: string, part: string): string {
  if (part.startsWith('/') || base === '' || base === '.') {
    return part;
  }
  return base.endsWith('/') ? base + part : `${base}/${part}`;
}

/**
 * A global the cell did not bind, standing in a path (`REPORT.read_text()`
 * with `REPORT = Path('reports') / 't.txt'` in an earlier cell): the lineage
 * graph puts in the value that cell bound, when it bound a known one.
 */
export function globalPathPlaceholder(name: string): string {
  return `${GLOBAL_PATH_MARK}${name}${GLOBAL_PATH_MARK}`;
}

export class PathConstants {
  /** Module globals bound to a known string or path. */
  private readonly known = new Map<string, IConstant>();
  /** Module globals the cell bound to a value it does not know. */
  private readonly unknown = new Set<string>();

  constructor(private readonly text: SourceText) {}

  bind(name: string, value: IConstant): void {
    this.known.set(name, value);
    this.unknown.delete(name);
  }

  forget(name: string): void {
    this.known.delete(name);
    this.unknown.add(name);
  }

  /** What the module's names hold at the end of the cell, where known. */
  entries(): [string, IConstant][] {
    return [...this.known];
  }

  /** Runs `walk` (a branch); forgets what it bound, which may not hold after it. */
  inBranch(walk: () => void): void {
    const before = new Map(this.known);
    walk();
    for (const [name, value] of this.known) {
      if (before.get(name) !== value) {
        this.forget(name);
      }
    }
  }

  /**
   * The string or path an expression certainly holds: literals (not
   * f-strings), `Path(…)`, `os.path.join(…)`, `/` and `+` of known parts,
   * and, at the module, names the cell bound to one of those.
   */
  valueOf(node: SyntaxNode, scope: Scope, depth = 0): IConstant | undefined {
    if (depth > MAX_DEPTH) {
      return undefined;
    }
    switch (node.name) {
      case 'String': {
        const value = stringLiteralValue(this.text(node));
        return value === undefined ? undefined : { kind: 'str', value };
      }
      case 'ContinuedString': {
        let value = '';
        for (const part of childrenOf(node)) {
          const piece =
            part.name === 'String'
              ? stringLiteralValue(this.text(part))
              : undefined;
          if (piece === undefined) {
            return undefined;
          }
          value += piece;
        }
        return { kind: 'str', value };
      }
      case 'VariableName': {
        if (scope.kind !== 'module') {
          return undefined;
        }
        const name = this.text(node);
        const known = this.known.get(name);
        if (known || this.unknown.has(name)) {
          return known;
        }
        // Bound by another cell, maybe to a known path: the graph decides.
        return { kind: 'path', value: globalPathPlaceholder(name) };
      }
      case 'ParenthesizedExpression': {
        const inner = childrenOf(node).find(
          kid => kid.name !== '(' && kid.name !== ')'
        );
        return inner ? this.valueOf(inner, scope, depth + 1) : undefined;
      }
      case 'BinaryExpression': {
        const [left, operator, right] = childrenOf(node);
        const a = left && this.valueOf(left, scope, depth + 1);
        const b = right && this.valueOf(right, scope, depth + 1);
        const op = operator ? this.text(operator) : '';
        if (!a || !b) {
          return undefined;
        }
        if (op === '/' && a.kind === 'path') {
          return { kind: 'path', value: joinPath(a.value, b.value) };
        }
        return op === '+' && a.kind === 'str' && b.kind === 'str'
          ? { kind: 'str', value: a.value + b.value }
          : undefined;
      }
      case 'CallExpression':
        return this.callValue(node, scope, depth + 1);
      default:
        return undefined;
    }
  }

  private callValue(
    node: SyntaxNode,
    scope: Scope,
    depth: number
  ): IConstant | undefined {
    const [callee, argList] = childrenOf(node);
    const qualified = callee && qualifiedName(callee, scope, this.text);
    if (!argList || !qualified) {
      return undefined;
    }
    const args = argumentParts(argList, this.text);
    if (
      args.unplaced.length > 0 ||
      args.keywords.length > 0 ||
      args.generator
    ) {
      return undefined;
    }
    const parts: string[] = [];
    for (const arg of args.positional) {
      const value = this.valueOf(arg.value, scope, depth + 1)?.value;
      if (value === undefined) {
        return undefined;
      }
      parts.push(value);
    }
    if (
      qualified === 'pathlib.Path' ||
      qualified === 'pathlib.PurePath' ||
      qualified === 'pathlib.PosixPath'
    ) {
      return { kind: 'path', value: parts.reduce(joinPath, '') || '.' };
    }
    if (qualified === 'os.path.join' && parts.length > 0) {
      return { kind: 'str', value: parts.reduce(joinPath, '') };
    }
    return qualified === 'str' && parts.length === 1
      ? { kind: 'str', value: parts[0] }
      : undefined;
  }
}
