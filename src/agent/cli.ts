#!/usr/bin/env node
/**
 * `nbprov`: the command-line face of the agent.
 *
 *   nbprov agent --connection-file F -- KERNEL_ARGV…   (what kernelspecs run)
 *   nbprov kernel install [--name K] [--user|--sys-prefix|--prefix DIR] [--display-name D]
 *   nbprov kernel list
 *   nbprov kernel uninstall NAME
 *   nbprov export NOTEBOOK [--format prov-json] [-o FILE|-]
 *   nbprov info NOTEBOOK
 *   nbprov run NOTEBOOK [--kernel K] [--output OUT] [--allow-errors] [--timeout S]
 *   nbprov lineage NOTEBOOK --cell ID [--json]
 *   nbprov replay NOTEBOOK --cell ID [--json] [--kernel K] [--timeout S]
 */

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAgent } from './agent.js';
import {
  describeNotebook,
  EXPORT_FORMATS,
  exportNotebook,
  type ExportFormat
} from './journal-commands.js';
import {
  installWrappedKernel,
  isWrapped,
  listKernelSpecs,
  uninstallWrappedKernel,
  type InstallScope
} from './kernelspec.js';
import { describeLineage, lineageReport } from './lineage-command.js';
import { describeReplay, replayCell } from './replay-command.js';
import type { IAgentCommand } from './runner/kernel-process.js';
import {
  LineProgress,
  TerminalProgress,
  type IProgress
} from './runner/progress.js';
import { runNotebook } from './runner/run.js';

const USAGE = `Usage:
  nbprov agent --connection-file FILE -- KERNEL_ARGV...
  nbprov kernel install [--name KERNEL] [--user | --sys-prefix | --prefix DIR] [--display-name NAME]
  nbprov kernel list
  nbprov kernel uninstall NAME
  nbprov export NOTEBOOK [--format prov-json] [-o FILE | -o -]
  nbprov info NOTEBOOK
  nbprov run NOTEBOOK [--kernel NAME] [--output OUT.ipynb] [--allow-errors] [--timeout SECONDS]
  nbprov lineage NOTEBOOK --cell CELL_ID [--json]
  nbprov replay NOTEBOOK --cell CELL_ID [--json] [--kernel NAME] [--timeout SECONDS]

nbprov run executes every code cell of NOTEBOOK headless, through the
provenance agent, and writes the executed notebook back to NOTEBOOK (like
\`jupyter nbconvert --execute --inplace\`) unless --output names another file.
The journal is NOTEBOOK's sidecar, NAME.provenance.jsonl, beside it.
  --kernel NAME      kernelspec to run (default: the notebook's, else python3)
  --output FILE      write the executed notebook there instead of NOTEBOOK
  --allow-errors     run every cell even after errors (exit status 0)
  --timeout SECONDS  interrupt a cell that runs longer, and stop
Exit status: 0 ok, 1 a cell failed or timed out, 2 usage, 3 kernel failed
(not found, did not start, died), 130/143 stopped by SIGINT/SIGTERM.

nbprov lineage prints what the latest execution of a cell came from (the
cells it depends on, transitively), the cells built on it, the files it read
and wrote, and whether it is stale, from NOTEBOOK's journal.

nbprov replay re-runs that lineage (the recorded code, in the recorded order)
in a fresh kernel, compares every output with the recorded one, and records
the replay in NAME.replay.provenance.jsonl. Exit status: 0 everything
reproduced, 1 something differs or failed, 3 the kernel failed.`;

/** A mistake on the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

/** Runs one command; resolves with the process's exit status. */
export async function main(
  args: readonly string[],
  out: (line: string) => void = line => process.stdout.write(line + '\n')
): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'agent':
      return agent(rest);
    case 'kernel':
      return kernel(rest, out);
    case 'export':
      return exportCommand(rest, out);
    case 'info':
      return infoCommand(rest, out);
    case 'run':
      return runCommand(rest);
    case 'lineage':
      return lineageCommand(rest, out);
    case 'replay':
      return replayCommand(rest, out);
    case '--help':
    case '-h':
    case 'help':
      out(USAGE);
      return 0;
    default:
      throw new UsageError(
        command === undefined
          ? 'No command given.'
          : `Unknown command "${command}".`
      );
  }
}

/** Splits `--` off: what follows is the kernel's argv, never parsed. */
export function parseAgentArgs(args: readonly string[]): {
  connectionFile: string;
  kernelArgv: string[];
} {
  const dash = args.indexOf('--');
  const own = dash < 0 ? [...args] : args.slice(0, dash);
  const kernelArgv = dash < 0 ? [] : args.slice(dash + 1);
  const { values } = parseArgs({
    args: own,
    options: { 'connection-file': { type: 'string', short: 'f' } },
    strict: true,
    allowPositionals: false
  });
  const connectionFile = values['connection-file'];
  if (connectionFile === undefined) {
    throw new UsageError('nbprov agent needs --connection-file FILE.');
  }
  if (kernelArgv.length === 0) {
    throw new UsageError(
      'nbprov agent needs the kernel to start after `--`, e.g. `-- python -m ipykernel_launcher -f {connection_file}`.'
    );
  }
  return { connectionFile, kernelArgv };
}

async function agent(args: readonly string[]): Promise<number> {
  const { connectionFile, kernelArgv } = parseAgentArgs(args);
  return runAgent({ connectionFile, kernelArgv });
}

export function parseInstallArgs(args: readonly string[]): {
  name: string;
  scope: InstallScope;
  displayName?: string;
} {
  const { values } = parseArgs({
    args: [...args],
    options: {
      name: { type: 'string' },
      user: { type: 'boolean' },
      'sys-prefix': { type: 'boolean' },
      prefix: { type: 'string' },
      'display-name': { type: 'string' }
    },
    strict: true,
    allowPositionals: false
  });
  const scopes = [values.user, values['sys-prefix'], values.prefix].filter(
    v => v !== undefined && v !== false
  );
  if (scopes.length > 1) {
    throw new UsageError('Give at most one of --user, --sys-prefix, --prefix.');
  }
  const scope: InstallScope =
    values.prefix !== undefined
      ? { kind: 'prefix', dir: values.prefix }
      : values['sys-prefix'] === true
        ? { kind: 'sys-prefix' }
        : { kind: 'user' };
  return {
    name: values.name ?? 'python3',
    scope,
    displayName: values['display-name']
  };
}

async function kernel(
  args: readonly string[],
  out: (line: string) => void
): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'install': {
      const options = parseInstallArgs(rest);
      const installed = await installWrappedKernel({
        ...options,
        node: process.execPath,
        cli: realpathSync(fileURLToPath(import.meta.url))
      });
      out(`Installed kernel "${installed.name}" in ${installed.dir}`);
      return 0;
    }
    case 'list': {
      const specs = await listKernelSpecs();
      for (const spec of specs) {
        const mark = isWrapped(spec.spec) ? '*' : ' ';
        out(`${mark} ${spec.name.padEnd(28)} ${spec.spec.display_name}`);
      }
      out('(* runs the provenance agent)');
      return 0;
    }
    case 'uninstall': {
      const [name, ...extra] = rest;
      if (name === undefined || extra.length > 0) {
        throw new UsageError('nbprov kernel uninstall takes one kernel name.');
      }
      const removed = await uninstallWrappedKernel(name);
      out(`Removed kernel "${name}" (${removed})`);
      return 0;
    }
    default:
      throw new UsageError(
        sub === undefined
          ? 'nbprov kernel needs install, list or uninstall.'
          : `Unknown kernel command "${sub}".`
      );
  }
}

function notebookArg(args: readonly string[], command: string): string {
  if (args.length !== 1) {
    throw new UsageError(`nbprov ${command} takes one notebook path.`);
  }
  return args[0];
}

function exportCommand(
  args: readonly string[],
  out: (line: string) => void
): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      format: { type: 'string', default: 'prov-json' },
      output: { type: 'string', short: 'o' }
    },
    strict: true,
    allowPositionals: true
  });
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new UsageError(
      `Unknown format "${values.format}"; known: ${EXPORT_FORMATS.join(', ')}.`
    );
  }
  const written = exportNotebook(
    notebookArg(positionals, 'export'),
    { format, output: values.output },
    text => process.stdout.write(text),
    warnOnStderr
  );
  if (written !== '-') {
    out(`Provenance written to ${written}`);
  }
  return 0;
}

function infoCommand(
  args: readonly string[],
  out: (line: string) => void
): number {
  describeNotebook(notebookArg(args, 'info'), warnOnStderr).forEach(line =>
    out(line)
  );
  return 0;
}

function lineageCommand(
  args: readonly string[],
  out: (line: string) => void
): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      cell: { type: 'string', short: 'c' },
      json: { type: 'boolean' }
    },
    strict: true,
    allowPositionals: true
  });
  if (values.cell === undefined) {
    throw new UsageError('nbprov lineage needs --cell CELL_ID.');
  }
  const report = lineageReport(
    notebookArg(positionals, 'lineage'),
    values.cell,
    warnOnStderr
  );
  if (values.json === true) {
    out(JSON.stringify(report));
  } else {
    describeLineage(report).forEach(line => out(line));
  }
  return 0;
}

async function replayCommand(
  args: readonly string[],
  out: (line: string) => void
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      cell: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      kernel: { type: 'string', short: 'k' },
      timeout: { type: 'string' }
    },
    strict: true,
    allowPositionals: true
  });
  if (values.cell === undefined) {
    throw new UsageError('nbprov replay needs --cell CELL_ID.');
  }
  const { report, status } = await replayCell({
    notebook: notebookArg(positionals, 'replay'),
    cellId: values.cell,
    kernel: values.kernel,
    timeoutSeconds: timeoutArg(values.timeout),
    agent: agentCommand(),
    progress: progressOnStderr(),
    warn: warnOnStderr
  });
  if (values.json === true) {
    out(JSON.stringify(report));
  } else {
    describeReplay(report).forEach(line => out(line));
  }
  return status;
}

/** `nbprov run`'s options (USAGE); throws UsageError on a bad one. */
export function parseRunArgs(args: readonly string[]): {
  notebook: string;
  kernel?: string;
  output?: string;
  allowErrors: boolean;
  timeoutSeconds?: number;
} {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      kernel: { type: 'string', short: 'k' },
      output: { type: 'string', short: 'o' },
      'allow-errors': { type: 'boolean' },
      timeout: { type: 'string' }
    },
    strict: true,
    allowPositionals: true
  });
  const timeoutSeconds = timeoutArg(values.timeout);
  return {
    notebook: notebookArg(positionals, 'run'),
    kernel: values.kernel,
    output: values.output,
    allowErrors: values['allow-errors'] === true,
    timeoutSeconds
  };
}

function timeoutArg(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `--timeout takes a number of seconds above 0, not "${value}".`
    );
  }
  return seconds;
}

/** This very CLI, run by this Node: how a kernel is wrapped on the fly. */
function agentCommand(): IAgentCommand {
  return {
    node: process.execPath,
    cli: realpathSync(fileURLToPath(import.meta.url))
  };
}

function progressOnStderr(): IProgress {
  return process.stderr.isTTY
    ? new TerminalProgress(process.stderr)
    : new LineProgress(process.stderr);
}

function runCommand(args: readonly string[]): Promise<number> {
  const options = parseRunArgs(args);
  return runNotebook({
    ...options,
    agent: agentCommand(),
    progress: progressOnStderr()
  });
}

function warnOnStderr(line: string): void {
  process.stderr.write(line + '\n');
}

function isMain(): boolean {
  try {
    return (
      process.argv[1] !== undefined &&
      realpathSync(process.argv[1]) ===
        realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    status => process.exit(status),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`nbprov: ${message}\n`);
      if (error instanceof UsageError || isParseArgsError(error)) {
        process.stderr.write(USAGE + '\n');
        process.exit(2);
      }
      process.exit(1);
    }
  );
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
