/**
 * Files named by shell commands (`!cp a b`, `%%bash` cells), best effort:
 * redirections and a handful of common commands. A word that the shell
 * would expand (`$x`, `{x}`, globs, command substitution) names no file the
 * analysis can know, so it is skipped.
 */
import type { IFileReference } from '../cell-analysis.js';

interface IWord {
  readonly text: string;
  /** False when the shell or IPython would expand it. */
  readonly literal: boolean;
}

type Token = { readonly operator: string } | { readonly word: IWord };

const OPERATORS = [
  '&&',
  '||',
  '2>>',
  '&>',
  '2>',
  '>>',
  ';',
  '|',
  '&',
  '>',
  '<'
];
const SEPARATORS: ReadonlySet<string> = new Set([';', '&&', '||', '|', '&']);
const EXPANDING = /[$`{}*?[\]~]/;

function tokenize(command: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let literal = true;
  let inWord = false;
  const flush = (): void => {
    if (inWord) {
      tokens.push({ word: { text, literal } });
    }
    text = '';
    literal = true;
    inWord = false;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      const quoted = command.slice(i + 1, end < 0 ? command.length : end);
      if (c === '"' && EXPANDING.test(quoted.replace(/[*?[\]{}~]/g, ''))) {
        literal = false;
      }
      if (c === "'" && /[{}]/.test(quoted)) {
        literal = false; // IPython expands `{x}` even inside quotes
      }
      text += quoted;
      inWord = true;
      i = end < 0 ? command.length : end;
      continue;
    }
    if (c === '\\' && i + 1 < command.length) {
      text += command[++i];
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      flush();
      continue;
    }
    const operator = OPERATORS.find(op => command.startsWith(op, i));
    if (
      operator &&
      !(operator === '2>' && inWord) &&
      !(operator === '2>>' && inWord)
    ) {
      flush();
      tokens.push({ operator });
      i += operator.length - 1;
      continue;
    }
    if (EXPANDING.test(c)) {
      literal = false;
    }
    text += c;
    inWord = true;
  }
  flush();
  return tokens;
}

/** Commands whose every non-option argument is a file they read. */
const READERS: ReadonlySet<string> = new Set([
  // A folder listed is read: what it holds depends on who wrote into it.
  'ls',
  'du',
  'find',
  'tree',
  'cat',
  'head',
  'tail',
  'less',
  'more',
  'wc',
  'sort',
  'uniq',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'diff',
  'cmp',
  'file',
  'nl',
  'tac',
  'zcat',
  'source'
]);
/** Commands whose first non-option argument is a script or pattern, the rest files read. */
const PATTERN_FIRST: ReadonlySet<string> = new Set([
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'sed',
  'awk'
]);
/** Commands whose every non-option argument is a file they create, change or remove. */
const WRITERS: ReadonlySet<string> = new Set([
  'touch',
  'rm',
  'tee',
  'truncate'
]);
/** Options that take the next word as their value, per command. */
const VALUE_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['head', new Set(['-n', '-c'])],
  ['tail', new Set(['-n', '-c'])],
  ['sort', new Set(['-k', '-t', '-S', '-T'])],
  ['grep', new Set(['-m', '-A', '-B', '-C'])],
  ['truncate', new Set(['-s'])],
  ['wget', new Set(['-P', '-o', '-a', '-t', '-T', '-U'])],
  ['curl', new Set(['-H', '-d', '-X', '-u', '-A', '-e', '-F', '-m'])],
  ['unzip', new Set(['-d'])]
]);
/** Commands run before the real one: `sudo cp …`, `time python …`. */
const PREFIX_COMMANDS: ReadonlySet<string> = new Set([
  'sudo',
  'time',
  'nohup',
  'env',
  'exec'
]);

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

class FileCollector {
  readonly files: IFileReference[] = [];
  constructor(private readonly via: string) {}

  add(word: IWord | undefined, mode: 'read' | 'write'): void {
    if (
      word &&
      word.literal &&
      word.text !== '' &&
      word.text !== '-' &&
      !word.text.includes('://')
    ) {
      this.files.push({ path: word.text, mode, via: this.via });
    }
  }
}

function simpleCommands(tokens: readonly Token[]): Token[][] {
  const commands: Token[][] = [[]];
  for (const token of tokens) {
    if ('operator' in token && SEPARATORS.has(token.operator)) {
      commands.push([]);
    } else {
      commands[commands.length - 1].push(token);
    }
  }
  return commands.filter(command => command.length > 0);
}

/** The files one shell command line names. */
export function filesOfShellCommand(command: string): IFileReference[] {
  const found: IFileReference[] = [];
  for (const simple of simpleCommands(tokenize(command))) {
    found.push(...filesOfSimpleCommand(simple));
  }
  return found;
}

function filesOfSimpleCommand(tokens: readonly Token[]): IFileReference[] {
  const words: IWord[] = [];
  const redirections: { operator: string; target: IWord | undefined }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if ('operator' in token) {
      const next = tokens[i + 1];
      const target = next && 'word' in next ? next.word : undefined;
      // `2>&1` duplicates a descriptor; it names no file.
      if (target && !target.text.startsWith('&')) {
        redirections.push({ operator: token.operator, target });
      }
      if (target) {
        i++;
      }
    } else {
      words.push(token.word);
    }
  }
  while (
    words.length > 0 &&
    (PREFIX_COMMANDS.has(words[0].text) || /^\w+=/.test(words[0].text))
  ) {
    words.shift();
  }
  const name = words.length > 0 ? basename(words[0].text) : '';
  const files = new FileCollector(`!${name || 'shell'}`);
  for (const { operator, target } of redirections) {
    files.add(target, operator === '<' ? 'read' : 'write');
  }
  if (name !== '') {
    commandFiles(name, words.slice(1), files);
  }
  return files.files;
}

/** Positional arguments, options (and the values of VALUE_OPTIONS) left out. */
function positionals(name: string, args: readonly IWord[]): IWord[] {
  const valueOptions = VALUE_OPTIONS.get(name);
  const result: IWord[] = [];
  let optionsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const text = args[i].text;
    if (!optionsEnded && text === '--') {
      optionsEnded = true;
    } else if (!optionsEnded && text.startsWith('-') && text.length > 1) {
      if (valueOptions?.has(text)) {
        i++;
      }
    } else {
      result.push(args[i]);
    }
  }
  return result;
}

function optionValue(
  args: readonly IWord[],
  short: string,
  long: string
): IWord | undefined {
  for (let i = 0; i < args.length; i++) {
    const text = args[i].text;
    if (text === short || text === long) {
      return args[i + 1];
    }
    if (text.startsWith(`${long}=`)) {
      return { text: text.slice(long.length + 1), literal: args[i].literal };
    }
    if (
      text.startsWith(short) &&
      text.length > short.length &&
      !text.startsWith('--')
    ) {
      return { text: text.slice(short.length), literal: args[i].literal };
    }
  }
  return undefined;
}

function commandFiles(
  name: string,
  args: readonly IWord[],
  files: FileCollector
): void {
  const operands = positionals(name, args);
  if (READERS.has(name)) {
    operands.forEach(word => files.add(word, 'read'));
  } else if (WRITERS.has(name)) {
    operands.forEach(word => files.add(word, 'write'));
  } else if (PATTERN_FIRST.has(name)) {
    const scriptGiven = args.some(
      word => word.text === '-e' || word.text === '-f'
    );
    operands.slice(scriptGiven ? 0 : 1).forEach(word => {
      files.add(word, 'read');
      if (name === 'sed' && args.some(a => a.text.startsWith('-i'))) {
        files.add(word, 'write');
      }
    });
  } else if (
    name === 'cp' ||
    name === 'mv' ||
    name === 'scp' ||
    name === 'rsync'
  ) {
    const sources = operands.slice(0, -1);
    sources.forEach(word => {
      files.add(word, 'read');
      if (name === 'mv') {
        files.add(word, 'write');
      }
    });
    if (operands.length > 1) {
      files.add(operands[operands.length - 1], 'write');
    }
  } else if (name === 'wget') {
    files.add(optionValue(args, '-O', '--output-document'), 'write');
  } else if (name === 'curl') {
    files.add(optionValue(args, '-o', '--output'), 'write');
    if (
      args.some(word => word.text === '-O' || word.text === '--remote-name')
    ) {
      const url = operands.find(word => word.text.includes('://'));
      const remote = url ? basename(url.text.replace(/[?#].*$/, '')) : '';
      files.add(
        remote === ''
          ? undefined
          : { text: remote, literal: url?.literal ?? false },
        'write'
      );
    }
  } else if (/^python[\d.]*$/.test(name)) {
    if (!args.some(word => word.text === '-m' || word.text === '-c')) {
      files.add(operands[0], 'read');
    }
  } else if (name === 'unzip' || name === 'gunzip') {
    files.add(operands[0], 'read');
  } else if (name === 'tar') {
    tarFiles(args, files);
  }
}

/** `tar -czf out.tgz a b` writes the archive and reads the rest; `tar xf in.tar` reads it. */
function tarFiles(args: readonly IWord[], files: FileCollector): void {
  const flags = args
    .filter((word, i) => i === 0 || word.text.startsWith('-'))
    .map(word => word.text.replace(/^-+/, ''))
    .join('');
  const creating = flags.includes('c');
  const archiveAt = args.findIndex(
    word => /^-?[a-zA-Z]*f$/.test(word.text) && word.text !== '-'
  );
  const archive = archiveAt >= 0 ? args[archiveAt + 1] : undefined;
  files.add(archive, creating ? 'write' : 'read');
  if (creating) {
    args
      .filter(
        (word, i) =>
          i !== archiveAt + 1 &&
          !word.text.startsWith('-') &&
          !(i === 0 && /^[a-zA-Z]+$/.test(word.text))
      )
      .forEach(word => files.add(word, 'read'));
  }
}
