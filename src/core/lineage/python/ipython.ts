/**
 * A cell as IPython reads it, turned into plain Python line for line:
 * magics, shell lines and help syntax become Python that reads and writes
 * what they do to the namespace (`line-magics.ts`, `cell-magics.ts`), so
 * the rest of the cell still parses and every line keeps its number.
 */
import type { ICellAnalysis } from '../cell-analysis.js';
import { translateCellMagic } from './cell-magics.js';
import {
  objectHelp,
  shellCommand,
  translateLineMagic,
  type ILineMagicTranslation
} from './line-magics.js';
import { LogicalLineScanner } from './logical-lines.js';
import { MagicEffects } from './magic-effects.js';
import { firstErrorNode, parsePython } from './syntax-tree.js';

/** A span of the translated source, as offsets. */
export interface IOffsetRange {
  readonly from: number;
  readonly to: number;
}

/** The cell as Python, and what its IPython syntax does besides (in the contract's terms). */
export interface IIPythonTranslation extends Pick<
  ICellAnalysis,
  'magics' | 'files' | 'wildcards'
> {
  /** Plain Python with the same lines as the cell. */
  readonly python: string;
  /** Spans of `python` that run in a scope of their own (`%timeit`, `%%timeit`). */
  readonly ownScopes: readonly IOffsetRange[];
}

/** Any line that may hold IPython syntax; cells without one skip the scan. */
const MAY_HOLD_IPYTHON = /^[ \t]*[%!?]|\?[ \t]*$|=[ \t]*[!%]/m;

interface ILine {
  readonly text: string;
  readonly end: string;
}

function splitLines(source: string): ILine[] {
  const lines: ILine[] = [];
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = breaks.exec(source); match; match = breaks.exec(source)) {
    lines.push({ text: source.slice(start, match.index), end: match[0] });
    start = match.index + match[0].length;
  }
  lines.push({ text: source.slice(start), end: '' });
  return lines;
}

class PythonBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  readonly ownScopes: IOffsetRange[] = [];

  get offset(): number {
    return this.length;
  }

  /** One output line; `ownScope` is a span of `text` that runs in its own scope. */
  line(text: string, end: string, ownScope?: IOffsetRange): void {
    if (ownScope) {
      this.ownScopes.push({
        from: this.length + ownScope.from,
        to: this.length + ownScope.to
      });
    }
    this.parts.push(text, end);
    this.length += text.length + end.length;
  }

  append(other: PythonBuilder): void {
    for (const range of other.ownScopes) {
      this.ownScopes.push({
        from: this.length + range.from,
        to: this.length + range.to
      });
    }
    this.parts.push(other.text);
    this.length += other.length;
  }

  get text(): string {
    return this.parts.join('');
  }
}

// `x = !ls`, `a, b = %sx cmd` (IPython's `assign_system_re`/`assign_magic_re`).
const ASSIGNED_ESCAPE = /^([\w.]+(?:\s*,\s*[\w.]+)*)\s*=\s*([!%])(.*)$/;
const LINE_MAGIC = /^%(\w+)\s?(.*)$/;
const HELP = /^(\?\??)\s*([\w.*]+)$|^([\w.*]+)\s*(\?\??)$/;

/** Writes the Python for one line that starts a logical line; false when it is plain Python. */
function translateLine(
  text: string,
  effects: MagicEffects,
  out: PythonBuilder,
  end: string
): boolean {
  const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
  const rest = text.slice(indent.length).trimEnd();
  const first = rest[0];
  if (first === '!') {
    effects.magic('!');
    const command = rest.replace(/^!!?/, '');
    out.line(indent + shellCommand(command, effects).statement, end);
    return true;
  }
  if (first === '%') {
    const magic = LINE_MAGIC.exec(rest.startsWith('%%') ? rest.slice(1) : rest);
    const translation = magic
      ? translateLineMagic(magic[1], magic[2], effects)
      : undefined;
    statementLine(indent, translation, out, end);
    return true;
  }
  const assigned = ASSIGNED_ESCAPE.exec(rest);
  if (assigned) {
    const [, target, escape, command] = assigned;
    let translation: ILineMagicTranslation | undefined;
    if (escape === '!') {
      effects.magic('!');
      translation = shellCommand(command.replace(/^!/, ''), effects);
    } else {
      const magic = LINE_MAGIC.exec(`%${command}`);
      translation = magic
        ? translateLineMagic(magic[1], magic[2], effects)
        : undefined;
    }
    assignmentLine(indent, target, translation, out, end);
    return true;
  }
  if (rest === '?' || rest === '??') {
    // A bare `?` shows IPython's usage text.
    effects.magic('usage');
    out.line(`${indent}pass`, end);
    return true;
  }
  const help = first === '?' || rest.endsWith('?') ? HELP.exec(rest) : null;
  if (help) {
    const marks = help[1] ?? help[4];
    const target = help[2] ?? help[3];
    const wildcard = target.includes('*');
    effects.magic(wildcard ? 'psearch' : marks === '??' ? 'pinfo2' : 'pinfo');
    statementLine(indent, wildcard ? undefined : objectHelp(target), out, end);
    return true;
  }
  return false;
}

function statementLine(
  indent: string,
  translation: ILineMagicTranslation | undefined,
  out: PythonBuilder,
  end: string
): void {
  const statement = translation?.statement ?? 'pass';
  out.line(
    indent + statement,
    end,
    translation?.ownScope
      ? { from: indent.length, to: indent.length + statement.length }
      : undefined
  );
}

function assignmentLine(
  indent: string,
  target: string,
  translation: ILineMagicTranslation | undefined,
  out: PythonBuilder,
  end: string
): void {
  if (translation?.ownScope) {
    // `r = %timeit -o f()`: the timing result is bound, the statement runs apart.
    const head = `${indent}${target} = None; `;
    out.line(head + translation.statement, end, {
      from: head.length,
      to: head.length + translation.statement.length
    });
  } else {
    out.line(`${indent}${target} = ${translation?.value ?? 'None'}`, end);
  }
}

function translateLines(
  lines: readonly ILine[],
  effects: MagicEffects,
  out: PythonBuilder
): void {
  const scanner = new LogicalLineScanner();
  for (const { text, end } of lines) {
    if (!(
      scanner.atLogicalLineStart && translateLine(text, effects, out, end)
    )) {
      scanner.consume(text);
      out.line(text, end);
    }
  }
}

function parsesAsPython(python: string): boolean {
  return firstErrorNode(parsePython(python)) === undefined;
}

export function translateIPython(source: string): IIPythonTranslation {
  const effects = new MagicEffects();
  if (!MAY_HOLD_IPYTHON.test(source)) {
    return {
      python: source,
      magics: [],
      files: [],
      wildcards: [],
      ownScopes: []
    };
  }
  const lines = splitLines(source);
  const out = new PythonBuilder();
  const first = lines.findIndex(line => line.text.trim() !== '');
  const cellMagic =
    first >= 0 ? /^%%(\S+)\s?(.*)$/.exec(lines[first].text.trimEnd()) : null;
  if (!cellMagic) {
    translateLines(lines, effects, out);
  } else {
    lines.slice(0, first).forEach(line => out.line(line.text, line.end));
    const magic = translateCellMagic(cellMagic[1], cellMagic[2], effects);
    const scopeStart = out.offset;
    out.line(magic.firstLine, lines[first].end);
    const body = lines.slice(first + 1);
    const python = new PythonBuilder();
    const bodyEffects = new MagicEffects();
    if (magic.body !== 'other') {
      translateLines(body, bodyEffects, python);
    }
    if (
      magic.body === 'python' ||
      (magic.body === 'python-if-it-parses' && parsesAsPython(python.text))
    ) {
      effects.merge(bodyEffects);
      out.append(python);
    } else {
      for (const line of body) {
        magic.shellLine?.(line.text);
        out.line('', line.end);
      }
    }
    if (magic.ownScope) {
      out.ownScopes.push({ from: scopeStart, to: out.offset });
    }
  }
  return {
    python: out.text,
    magics: effects.magics,
    files: effects.files,
    wildcards: effects.wildcards,
    ownScopes: out.ownScopes
  };
}
