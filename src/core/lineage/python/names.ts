/**
 * What a name or a dotted expression stands for, as far as the analysis
 * can tell from the cell: the module a name holds (imports of the cell, or
 * the conventional `np`, `pd`…), the qualified name of a callee, the name
 * an object expression hangs from.
 */
import { PYTHON_BUILTINS } from './builtins.js';
import {
  CONVENTIONAL_MODULES,
  DATA_SHARING_METHODS
} from './library-methods.js';
import type { Scope } from './scope.js';
import { childrenOf, type SyntaxNode } from './syntax-tree.js';

/** The source text of a node. */
export type SourceText = (node: SyntaxNode) => string;

/**
 * The name an expression's object hangs from: `x` for `x`, `x.a`, `x[0].b`;
 * with `throughCalls`, also for `x.parameters()`, `x.values()` and the
 * other methods whose result shares the object's data (what a function
 * passed it can change), not for `x.copy()`. Undefined for anything else
 * (`f().a`, literals).
 */
export function baseName(
  node: SyntaxNode,
  throughCalls: boolean,
  text: SourceText
): SyntaxNode | undefined {
  let current: SyntaxNode | null = node;
  while (current) {
    if (current.name === 'VariableName') {
      return current;
    }
    if (
      current.name === 'MemberExpression' ||
      current.name === 'ParenthesizedExpression'
    ) {
      current = childrenOf(current).find(kid => kid.name !== '(') ?? null;
    } else if (throughCalls && current.name === 'CallExpression') {
      current = sharedObject(current, text);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** `x` for a call `x.values()` whose result shares x's data; null otherwise. */
function sharedObject(call: SyntaxNode, text: SourceText): SyntaxNode | null {
  const callee = call.firstChild;
  const method = callee?.lastChild;
  if (
    callee?.name === 'MemberExpression' &&
    method?.name === 'PropertyName' &&
    DATA_SHARING_METHODS.has(text(method))
  ) {
    return callee.firstChild;
  }
  return null;
}

/** Whether a name is bound in the cell or in an enclosing scope so far (then it is not a builtin or a conventional module). */
export function isBoundAnywhere(name: string, scope: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (s.locals.has(name)) {
      return true;
    }
  }
  return false;
}

/** The module a name holds: imported in scope, or by convention (`np`) when the cell binds it to nothing else. */
export function moduleOf(name: string, scope: Scope): string | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const imported = s.imports.get(name);
    if (imported !== undefined) {
      return imported;
    }
    if (s.locals.has(name)) {
      return undefined;
    }
  }
  return CONVENTIONAL_MODULES.get(name);
}

/**
 * The dotted name a callee stands for: `pd.read_csv` → `pandas.read_csv`
 * (import aliases resolved), `open` → `open` (a builtin not rebound).
 */
export function qualifiedName(
  node: SyntaxNode,
  scope: Scope,
  text: SourceText
): string | undefined {
  const attributes: string[] = [];
  let current = node;
  while (current.name === 'MemberExpression') {
    const [object, , property] = childrenOf(current);
    if (!object || property?.name !== 'PropertyName') {
      return undefined;
    }
    attributes.unshift(text(property));
    current = object;
  }
  if (current.name !== 'VariableName') {
    return undefined;
  }
  const root = text(current);
  const module = moduleOf(root, scope);
  if (module !== undefined) {
    return [module, ...attributes].join('.');
  }
  const builtin =
    attributes.length === 0 &&
    PYTHON_BUILTINS.has(root) &&
    !isBoundAnywhere(root, scope);
  return builtin ? root : undefined;
}
