/**
 * IPython line magics (`%name args`), shell lines (`!cmd`) and help syntax
 * (`obj?`), each turned into one line of Python that reads and writes what
 * the magic does to the namespace, with its other effects (files, names
 * bound that cannot be listed) sent to a MagicEffects.
 *
 * Scopes (IPython 8 `core/magics/execution.py`): `%time`, `%prun`,
 * `%debug`, `%memit` run their statement in the user namespace, so it is
 * cell code; `%timeit` compiles it into a function, so its assignments are
 * local and only its reads and mutations reach the namespace.
 */
import { filesOfShellCommand } from './shell-commands.js';
import { expandedExpressions, expansionsAsPython } from './interpolation.js';
import {
  isExpanded,
  leadingOptions,
  magicWords,
  type MagicEffects
} from './magic-effects.js';
import { isSingleExpression } from './syntax-tree.js';

export interface ILineMagicTranslation {
  /** Python standing for the magic as a statement. */
  readonly statement: string;
  /** True when `statement` runs in a scope of its own (`%timeit`). */
  readonly ownScope: boolean;
  /** Python standing for the magic's value, in `x = %magic …`. */
  readonly value: string;
}

type LineMagicTranslator = (
  args: string,
  effects: MagicEffects
) => ILineMagicTranslation;

/** A magic whose only effect on the namespace is reading what it expands. */
function expandingOnly(args: string): ILineMagicTranslation {
  const expressions = expandedExpressions(args);
  return {
    statement: expansionsAsPython(expressions),
    ownScope: false,
    value: expressions.length === 0 ? 'None' : expansionsAsPython(expressions)
  };
}

/** A magic that runs its argument as a Python statement in the user namespace. */
function runningStatement(
  valueOptions: readonly string[]
): LineMagicTranslator {
  const options = new Set(valueOptions);
  return args => {
    const statement = leadingOptions(args, options).rest;
    return {
      statement: statement === '' ? 'pass' : statement,
      ownScope: false,
      value: isSingleExpression(statement) ? statement : 'None'
    };
  };
}

/** `!cmd`, `%sx cmd`, `%system cmd`: files it names, expansions it reads. */
export function shellCommand(
  command: string,
  effects: MagicEffects
): ILineMagicTranslation {
  filesOfShellCommand(command).forEach(file => effects.file(file));
  return expandingOnly(command);
}

const TIMEIT_VALUE_OPTIONS = ['-n', '-r', '-p'];

function timeit(args: string): ILineMagicTranslation {
  const statement = leadingOptions(args, new Set(TIMEIT_VALUE_OPTIONS)).rest;
  return {
    statement: statement === '' ? 'pass' : statement,
    ownScope: true,
    value: 'None'
  };
}

/**
 * `%prun`/`%%prun` options: `-D file` / `-T file` write the profile; the
 * rest of the line is the statement profiled.
 */
export function profilerStatement(args: string, effects: MagicEffects): string {
  const { options, rest } = leadingOptions(
    args,
    new Set(['-D', '-T', '-s', '-l'])
  );
  for (const flag of ['-D', '-T']) {
    const path = options.get(flag);
    if (path && !isExpanded(path)) {
      effects.file({ path, mode: 'write', via: '%prun' });
    }
  }
  return rest;
}

function prun(args: string, effects: MagicEffects): ILineMagicTranslation {
  const statement = profilerStatement(args, effects);
  return {
    statement: statement === '' ? 'pass' : statement,
    ownScope: false,
    value: 'None'
  };
}

/**
 * `%run script.py`: the script reads the file and, run without `-i`, in a
 * namespace of its own whose globals are then copied into the user's: it
 * binds names the analysis cannot list (a wildcard), whatever the flags.
 */
function run(args: string, effects: MagicEffects): ILineMagicTranslation {
  const { options, rest } = leadingOptions(args, new Set(['-m']));
  const module = options.get('-m');
  const script = module ? undefined : magicWords(rest)[0];
  if (module) {
    effects.wildcard({ via: '%run', source: module });
  } else if (script && !isExpanded(script)) {
    effects.file({ path: script, mode: 'read', via: '%run' });
    effects.wildcard({ via: '%run', source: script });
  } else if (script) {
    effects.wildcard({ via: '%run', source: script });
  }
  return expandingOnly(args);
}

/** `%load source`: reads a file (or URL) into the next cell. */
function load(args: string, effects: MagicEffects): ILineMagicTranslation {
  const source = magicWords(
    leadingOptions(args, new Set(['-r', '-s', '-n'])).rest
  )[0];
  if (source && !isExpanded(source) && !source.includes('://')) {
    effects.file({ path: source, mode: 'read', via: '%load' });
  }
  return expandingOnly(args);
}

/** `%pip install -r requirements.txt`, `%conda env create -f env.yml`. */
function packageManager(
  magic: string
): (args: string, effects: MagicEffects) => ILineMagicTranslation {
  return (args, effects) => {
    const words = magicWords(args);
    words.forEach((word, i) => {
      const file = [
        '-r',
        '--requirement',
        '-f',
        '--file',
        '-c',
        '--constraint'
      ].includes(word)
        ? words[i + 1]
        : /^--(requirement|file)=(.+)$/.exec(word)?.[2];
      if (file && !isExpanded(file)) {
        effects.file({ path: file, mode: 'read', via: `%${magic}` });
      }
    });
    return expandingOnly(args);
  };
}

/** `%store a b` reads them; `%store -r a b` binds them from the store; `%store a > f` writes f. */
function store(args: string, effects: MagicEffects): ILineMagicTranslation {
  const { options, rest } = leadingOptions(args, new Set(['-d']));
  const redirect = /^(.*?)\s*>>?\s*(\S+)\s*$/.exec(rest);
  if (redirect && !isExpanded(redirect[2])) {
    effects.file({ path: redirect[2], mode: 'write', via: '%store' });
  }
  const names = magicWords(redirect ? redirect[1] : rest).filter(name =>
    /^[A-Za-z_]\w*$/.test(name)
  );
  if (names.length === 0 || options.has('-d') || options.has('-z')) {
    return expandingOnly('');
  }
  if (options.has('-r')) {
    return {
      statement: names.map(name => `${name} = None`).join('; '),
      ownScope: false,
      value: 'None'
    };
  }
  return expandingOnly(names.map(name => `{${name}}`).join(' '));
}

/** `%xdel x` deletes the variable (and IPython's references to it). */
function xdel(args: string): ILineMagicTranslation {
  const name = args.trim();
  return /^[A-Za-z_]\w*$/.test(name)
    ? { statement: `del ${name}`, ownScope: false, value: 'None' }
    : expandingOnly(args);
}

/** `%pinfo obj`, `obj?`: shows the object, so reads it. */
export function objectHelp(target: string): ILineMagicTranslation {
  const name = target.trim();
  return isSingleExpression(name) && /^[A-Za-z_][\w.]*$/.test(name)
    ? { statement: name, ownScope: false, value: 'None' }
    : expandingOnly('');
}

const TRANSLATORS: ReadonlyMap<string, LineMagicTranslator> = new Map<
  string,
  LineMagicTranslator
>([
  ['time', runningStatement([])],
  ['prun', prun],
  ['debug', runningStatement(['--breakpoint', '-b'])],
  ['memit', runningStatement(['-r', '-t', '-i'])],
  ['timeit', timeit],
  ['run', run],
  ['load', load],
  ['loadpy', load],
  ['pip', packageManager('pip')],
  ['conda', packageManager('conda')],
  ['mamba', packageManager('mamba')],
  ['micromamba', packageManager('micromamba')],
  ['store', store],
  ['xdel', xdel],
  ['sx', shellCommand],
  ['system', shellCommand],
  ['pinfo', objectHelp],
  ['pinfo2', objectHelp],
  ['pdef', objectHelp],
  ['pdoc', objectHelp],
  ['psource', objectHelp],
  ['pfile', objectHelp]
]);

/**
 * One line magic. Magics not in the table (`%matplotlib`, `%env`, `%cd`,
 * `%load_ext`, unknown ones) read only what IPython expands in their
 * arguments; their name is recorded all the same.
 */
export function translateLineMagic(
  name: string,
  args: string,
  effects: MagicEffects
): ILineMagicTranslation {
  effects.magic(name);
  const translator = TRANSLATORS.get(name);
  return translator ? translator(args, effects) : expandingOnly(args);
}
