/**
 * IPython cell magics (`%%name args` on the first line): how the body is
 * read and what the first line stands for in Python.
 *
 * Scopes: `%%time`, `%%capture`, `%%prun`, `%%debug`, `%%memit` run the body
 * in the user namespace (cell code); `%%timeit` compiles setup and body into
 * a function (a scope of its own, like `%timeit`). `%%writefile`, shell and
 * other-language magics have no Python body. A magic the analysis does not
 * know keeps its body when the body parses as Python, and drops it
 * otherwise (custom magics over Python code exist, and so do SQL ones).
 */
import { profilerStatement } from './line-magics.js';
import { filesOfShellCommand } from './shell-commands.js';
import { expandedExpressions, expansionsAsPython } from './interpolation.js';
import {
  isExpanded,
  leadingOptions,
  magicWords,
  type MagicEffects
} from './magic-effects.js';

export type CellBody =
  /** Python run where the cell runs. */
  | 'python'
  /** Not Python: the body lines become blank. */
  | 'other'
  /** A magic the analysis does not know: Python if it parses as Python. */
  | 'python-if-it-parses';

export interface ICellMagicTranslation {
  /** Python standing for the `%%name args` line. */
  readonly firstLine: string;
  readonly body: CellBody;
  /** True when first line and body run in a scope of their own (`%%timeit`). */
  readonly ownScope: boolean;
  /** Called with each body line when the body is shell script. */
  readonly shellLine?: (line: string) => void;
}

type CellMagicTranslator = (
  args: string,
  effects: MagicEffects
) => ICellMagicTranslation;

/** A magic whose first line only reads what IPython expands in it. */
function firstLineExpanding(
  args: string,
  body: CellBody
): ICellMagicTranslation {
  return {
    firstLine: expansionsAsPython(expandedExpressions(args)),
    body,
    ownScope: false
  };
}

function pythonBody(): ICellMagicTranslation {
  return { firstLine: 'pass', body: 'python', ownScope: false };
}

/** `%%prun -D out.prof`: the body runs in the namespace; the profile may be written. */
function prun(args: string, effects: MagicEffects): ICellMagicTranslation {
  const statement = profilerStatement(args, effects);
  return {
    firstLine: statement === '' ? 'pass' : statement,
    body: 'python',
    ownScope: false
  };
}

/** `%%capture [--no-stdout …] [output]` binds `output` to the captured streams. */
function capture(args: string): ICellMagicTranslation {
  const target = leadingOptions(args, new Set()).rest;
  return {
    firstLine: /^[A-Za-z_]\w*$/.test(target) ? `${target} = None` : 'pass',
    body: 'python',
    ownScope: false
  };
}

/** `%%timeit [-n N …] [setup]`: setup and body run in a function of their own. */
function timeit(args: string): ICellMagicTranslation {
  const setup = leadingOptions(args, new Set(['-n', '-r', '-p'])).rest;
  return {
    firstLine: setup === '' ? 'pass' : setup,
    body: 'python',
    ownScope: true
  };
}

function writefile(args: string, effects: MagicEffects): ICellMagicTranslation {
  const path = magicWords(leadingOptions(args, new Set()).rest)[0];
  if (path && !isExpanded(path)) {
    effects.file({ path, mode: 'write', via: '%%writefile' });
  }
  return firstLineExpanding(args, 'other');
}

const SHELLS = /^(ba|z|k|da|fi)?sh$/;

/**
 * `%%bash`, `%%sh`, `%%script bash`: the body is shell script (IPython
 * expands nothing in it); `--out`/`--err`/`--proc NAME` bind NAME.
 */
function script(
  shell: string | undefined
): (args: string, effects: MagicEffects) => ICellMagicTranslation {
  return (args, effects) => {
    const { options, rest } = leadingOptions(
      args,
      new Set(['--out', '--err', '--proc'])
    );
    const program = shell ?? magicWords(rest)[0] ?? '';
    const bound = ['--out', '--err', '--proc']
      .map(flag => options.get(flag))
      .filter((name): name is string => !!name && /^[A-Za-z_]\w*$/.test(name));
    const isShell = SHELLS.test(program.slice(program.lastIndexOf('/') + 1));
    return {
      firstLine:
        bound.length > 0
          ? bound.map(name => `${name} = None`).join('; ')
          : 'pass',
      body: 'other',
      ownScope: false,
      shellLine: isShell
        ? line => filesOfShellCommand(line).forEach(file => effects.file(file))
        : undefined
    };
  };
}

/** Magics whose body is not Python run in the kernel's namespace (cell bodies are never variable-expanded: ipython/ipython#11826). */
const OTHER_LANGUAGES = [
  'html',
  'javascript',
  'js',
  'latex',
  'markdown',
  'svg',
  'perl',
  'ruby',
  'python',
  'python2',
  'python3',
  'pypy',
  'sql',
  'R',
  'octave',
  'julia',
  'cython',
  'fortran',
  'kql',
  'mermaid',
  'dot',
  // ipyparallel: the body runs on remote engines, not in this namespace.
  'px'
];

const TRANSLATORS: ReadonlyMap<string, CellMagicTranslator> = new Map<
  string,
  CellMagicTranslator
>([
  ['time', pythonBody],
  ['prun', prun],
  ['debug', pythonBody],
  ['memit', pythonBody],
  ['capture', capture],
  ['timeit', timeit],
  ['writefile', writefile],
  ['file', writefile],
  ['bash', script('bash')],
  ['sh', script('sh')],
  ['zsh', script('zsh')],
  ['script', script(undefined)],
  ['sx', script('sh')],
  ['system', script('sh')],
  ['!', script('sh')],
  ...OTHER_LANGUAGES.map((name): [string, CellMagicTranslator] => [
    name,
    args => firstLineExpanding(args, 'other')
  ])
]);

export function translateCellMagic(
  name: string,
  args: string,
  effects: MagicEffects
): ICellMagicTranslation {
  effects.magic(name);
  const translator = TRANSLATORS.get(name);
  return translator
    ? translator(args, effects)
    : firstLineExpanding(args, 'python-if-it-parses');
}
