/**
 * Where Python logical lines start, so that a `%` or `!` at the start of a
 * physical line inside a triple-quoted string, an open bracket or after a
 * backslash continuation is not taken for IPython syntax (IPython decides
 * on tokens the same way, `inputtransformer2.make_tokens_by_line`). A
 * lexical scan of quotes, brackets, comments and backslashes: enough to
 * know the state at a line start, nothing more.
 */
export class LogicalLineScanner {
  private bracketDepth = 0;
  /** The open string's delimiter (`'`, `"""`…), or '' outside strings. */
  private openString = '';
  private continued = false;

  /** True when the next line to be consumed starts a logical line. */
  get atLogicalLineStart(): boolean {
    return this.bracketDepth === 0 && this.openString === '' && !this.continued;
  }

  /** Scans one physical line (without its line break). */
  consume(line: string): void {
    this.continued = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (this.openString !== '') {
        if (c === '\\') {
          i++;
        } else if (line.startsWith(this.openString, i)) {
          i += this.openString.length - 1;
          this.openString = '';
        }
        continue;
      }
      if (c === '#') {
        return;
      }
      if (c === '"' || c === "'") {
        const triple = line.startsWith(c.repeat(3), i);
        this.openString = triple ? c.repeat(3) : c;
        i += this.openString.length - 1;
      } else if (c === '(' || c === '[' || c === '{') {
        this.bracketDepth++;
      } else if (c === ')' || c === ']' || c === '}') {
        this.bracketDepth = Math.max(0, this.bracketDepth - 1);
      } else if (c === '\\' && i === line.length - 1) {
        this.continued = true;
      }
    }
    // A single-quoted string cannot span lines; an unclosed one is an error
    // Python reports, and the next line starts afresh.
    if (this.openString.length === 1) {
      this.openString = '';
    }
  }
}
