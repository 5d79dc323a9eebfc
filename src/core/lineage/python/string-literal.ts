/**
 * The value of a Python string literal token, when it is a constant: plain,
 * raw, bytes and unicode literals; not f-strings (their value depends on
 * the namespace). Used only to recover file paths, so escapes outside the
 * common ones are kept as written.
 */

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['0', '\0'],
  ['\n', '']
]);

/** The value of one literal (`'a'`, `r"b"`, `'''c'''`), or undefined for an f-string or a malformed token. */
export function stringLiteralValue(literal: string): string | undefined {
  let start = 0;
  while (start < literal.length && /[rRbBuUfF]/.test(literal[start])) {
    start++;
  }
  const prefix = literal.slice(0, start).toLowerCase();
  if (prefix.includes('f') || start >= literal.length) {
    return undefined;
  }
  const quote = literal[start];
  if (quote !== "'" && quote !== '"') {
    return undefined;
  }
  const triple = literal.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  const bodyStart = start + delimiter.length;
  const bodyEnd = literal.length - delimiter.length;
  if (bodyEnd < bodyStart || !literal.endsWith(delimiter)) {
    return undefined;
  }
  const body = literal.slice(bodyStart, bodyEnd);
  return prefix.includes('r') ? body : unescape(body);
}

function unescape(body: string): string {
  if (!body.includes('\\')) {
    return body;
  }
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      const replacement = SIMPLE_ESCAPES.get(body[i + 1]);
      if (replacement !== undefined) {
        out += replacement;
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}
