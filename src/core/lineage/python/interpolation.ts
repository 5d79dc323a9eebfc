/**
 * IPython's variable expansion in `!cmd` lines and line magics
 * (`IPython.utils.text.DollarFormatter`): `{expr}` is evaluated as Python,
 * `$name` / `$a.b` is looked up, `{{`/`$$` escape, and `$` inside single
 * quotes is left alone. What does not parse as an expression (`{print $1}`
 * of awk) IPython leaves as text, and so does this.
 */
import { isSingleExpression } from './syntax-tree.js';

/** The Python expressions a line expands, in order. */
export function expandedExpressions(text: string): string[] {
  const found: string[] = [];
  let inSingleQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      inSingleQuotes = !inSingleQuotes;
    } else if (c === '{') {
      if (text[i + 1] === '{') {
        i++;
        continue;
      }
      const close = matchingBrace(text, i);
      if (close < 0) {
        break;
      }
      const expression = text.slice(i + 1, close).trim();
      if (isSingleExpression(expression)) {
        found.push(expression);
      }
      i = close;
    } else if (c === '$' && !inSingleQuotes) {
      if (text[i + 1] === '$') {
        i++;
        continue;
      }
      const name = /^[A-Za-z_][\w.]*/.exec(text.slice(i + 1))?.[0];
      if (name) {
        found.push(name.replace(/\.+$/, ''));
        i += name.length;
      }
    }
  }
  return found;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') {
      depth++;
    } else if (text[i] === '}') {
      depth--;
      if (depth === 0) {
        return i;
      }
    }
  }
  return -1;
}

/** A Python line that reads the expansions (`(a, b.c,)`), or `pass` when there are none. */
export function expansionsAsPython(expressions: readonly string[]): string {
  return expressions.length === 0 ? 'pass' : `(${expressions.join(', ')},)`;
}
