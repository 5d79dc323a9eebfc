/**
 * The lezer Python grammar as the analysis uses it: one parse function and
 * the few tree helpers every walker needs. Node names come from
 * `@lezer/python/src/python.grammar`; comments are kept by lezer as
 * children wherever they occur, so every walk skips them.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser } from '@lezer/python';

export type { SyntaxNode, Tree };

export function parsePython(source: string): Tree {
  return parser.parse(source);
}

/** The children of a node, comments left out. */
export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'Comment') {
      children.push(child);
    }
  }
  return children;
}

/** The first node lezer inserted or skipped to recover from a syntax error. */
export function firstErrorNode(tree: Tree): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  // `iterate` walks with a cursor, without recursion: safe on any depth.
  tree.iterate({
    enter: ref => {
      if (found) {
        return false;
      }
      if (ref.type.isError) {
        found = ref.node;
        return false;
      }
      return undefined;
    }
  });
  return found;
}

/** True when `text` is one Python expression and nothing else (`a.b[0] + 1`). */
export function isSingleExpression(text: string): boolean {
  if (text.trim() === '' || text.includes('\n')) {
    return false;
  }
  const tree = parsePython(text);
  const statements = childrenOf(tree.topNode);
  return (
    statements.length === 1 &&
    statements[0].name === 'ExpressionStatement' &&
    firstErrorNode(tree) === undefined
  );
}
