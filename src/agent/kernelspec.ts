/**
 * Kernelspecs that wrap an existing kernel with the agent.
 *
 * `nbprov kernel install --name python3` reads the `python3` kernelspec
 * (through `jupyter kernelspec list --json`, so every place Jupyter looks is
 * honoured) and writes `python3-provenance`, whose argv runs this package's
 * agent with the original argv after `--`. `jupyter kernelspec install`
 * then puts it where the user asked (`--user`, `--sys-prefix`, `--prefix`).
 */

import {
  AGENT_PROTOCOL_VERSION,
  KERNELSPEC_METADATA_KEY,
  kernelspecHasAgent
} from '../core/protocol/index.js';
import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  writeFile
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { which } from './lifecycle.js';

const run = promisify(execFile);

export const WRAPPED_SUFFIX = '-provenance';

/** The kernel.json fields the agent cares about; the rest is kept as is. */
export interface IKernelSpec {
  readonly argv: readonly string[];
  readonly display_name: string;
  readonly language?: string;
  readonly interrupt_mode?: 'signal' | 'message';
  readonly env?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly [other: string]: unknown;
}

export interface IInstalledSpec {
  readonly name: string;
  readonly resourceDir: string;
  readonly spec: IKernelSpec;
}

/** Where the wrapped kernelspec goes, as `jupyter kernelspec install` says it. */
export type InstallScope =
  | { readonly kind: 'user' }
  | { readonly kind: 'sys-prefix' }
  | { readonly kind: 'prefix'; readonly dir: string };

export interface IWrapOptions {
  /** The Node executable the kernel will run the agent with. */
  readonly node: string;
  /**
   * Absolute path of the CLI script the Node executable runs: lib/agent/cli.js
   * in a source checkout, jupyterlab_provenance/agent/nbprov.mjs (the bundle)
   * in the installed Python package.
   */
  readonly cli: string;
  readonly displayName?: string;
  /** `python` in argv[0] resolved to this interpreter (see resolvePython). */
  readonly python?: string;
}

/** The wrapped kernelspec for `original` (named `name`). */
export function wrapKernelSpec(
  name: string,
  original: IKernelSpec,
  options: IWrapOptions
): IKernelSpec {
  if (isWrapped(original)) {
    throw new Error(
      `The kernel "${name}" already runs the provenance agent; wrap the kernel it wraps instead.`
    );
  }
  const argv = [...original.argv];
  if (options.python !== undefined && isBarePython(argv[0])) {
    argv[0] = options.python;
  }
  return {
    ...original,
    argv: [
      options.node,
      options.cli,
      'agent',
      '--connection-file',
      '{connection_file}',
      '--',
      ...argv
    ],
    display_name:
      options.displayName ?? `${original.display_name} (provenance)`,
    env: {
      ...original.env,
      NBPROV_KERNEL_NAME: name,
      ...(original.language !== undefined
        ? { NBPROV_KERNEL_LANGUAGE: original.language }
        : {})
    },
    // `agent` and `protocol` tell the frontend to expect the agent's
    // handshake (core/protocol/agent.ts); `wraps` names the original.
    metadata: {
      // Not `supported_encryption`: the relay does not speak CurveZMQ, so a
      // server must not be told it may encrypt this kernel's channels.
      ...withoutKey(original.metadata ?? {}, 'supported_encryption'),
      [KERNELSPEC_METADATA_KEY]: {
        agent: true,
        protocol: AGENT_PROTOCOL_VERSION,
        wraps: name
      }
    }
  };
}

function withoutKey(
  record: Readonly<Record<string, unknown>>,
  key: string
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

/**
 * Whether a kernelspec starts the agent: marked as the frontend reads it
 * (core/protocol), or, written by hand, running `agent` through one of the
 * agent's entry points: `node …/lib/agent/cli.js` (a source checkout),
 * `node …/jupyterlab_provenance/agent/nbprov.mjs` (the installed package)
 * or the `nbprov` command (the package's console script, or npm's bin).
 */
export function isWrapped(spec: IKernelSpec): boolean {
  if (kernelspecHasAgent(spec.metadata)) {
    return true;
  }
  const agent = spec.argv.indexOf('agent');
  return agent > 0 && spec.argv.slice(0, agent).some(isAgentEntryPoint);
}

const AGENT_ENTRY_POINTS = ['cli.js', 'nbprov.mjs', 'nbprov'];

function isAgentEntryPoint(arg: string): boolean {
  const name = arg.replace(/\\/g, '/').split('/').pop() ?? '';
  return AGENT_ENTRY_POINTS.includes(name);
}

/**
 * jupyter_client replaces an argv[0] of `python`/`python3` with its own
 * interpreter; in the wrapped argv it is no longer argv[0], so the agent
 * would find whatever `python` is on PATH. It is resolved at install time
 * to the interpreter beside the `jupyter` that listed the kernel.
 */
export function isBarePython(arg: string | undefined): boolean {
  return arg !== undefined && /^python[0-9.]*$/.test(arg);
}

export function resolvePython(jupyter: string, arg: string): string {
  return isAbsolute(jupyter) ? join(dirname(jupyter), arg) : arg;
}

/** The `jupyter` command, or an error that says what to do. */
export function findJupyter(): string {
  const found = which('jupyter');
  if (found === undefined) {
    throw new Error(
      'Cannot find the `jupyter` command on PATH. Activate the environment Jupyter is installed in, then run this again.'
    );
  }
  return found;
}

/** Every kernelspec Jupyter finds. */
export async function listKernelSpecs(
  jupyter: string = findJupyter()
): Promise<IInstalledSpec[]> {
  const { stdout } = await run(jupyter, ['kernelspec', 'list', '--json'], {
    maxBuffer: 16 * 1024 * 1024
  });
  const parsed = JSON.parse(stdout) as {
    kernelspecs?: Record<string, { resource_dir: string; spec: IKernelSpec }>;
  };
  return Object.entries(parsed.kernelspecs ?? {}).map(([name, entry]) => ({
    name,
    resourceDir: entry.resource_dir,
    spec: entry.spec
  }));
}

/** The kernelspec named `name`; throws naming those Jupyter knows, then `hint`. */
export async function findKernelSpec(
  name: string,
  jupyter: string = findJupyter(),
  hint = ''
): Promise<IInstalledSpec> {
  const specs = await listKernelSpecs(jupyter);
  const found = specs.find(s => s.name === name);
  if (found === undefined) {
    throw new Error(
      `No kernel named "${name}". Kernels Jupyter knows: ${
        specs.map(s => s.name).join(', ') || 'none'
      }.${hint !== '' ? ` ${hint}` : ''}`
    );
  }
  return found;
}

export interface IInstallOptions {
  readonly name: string;
  readonly scope: InstallScope;
  readonly displayName?: string;
  readonly node: string;
  readonly cli: string;
  readonly jupyter?: string;
}

/** Installs `<name>-provenance`; resolves with where it went. */
export async function installWrappedKernel(
  options: IInstallOptions
): Promise<{ name: string; dir: string }> {
  const jupyter = options.jupyter ?? findJupyter();
  const original = await findKernelSpec(options.name, jupyter);
  const python = isBarePython(original.spec.argv[0])
    ? resolvePython(jupyter, original.spec.argv[0])
    : undefined;
  const wrapped = wrapKernelSpec(options.name, original.spec, {
    node: options.node,
    cli: options.cli,
    displayName: options.displayName,
    python
  });
  const name = `${options.name}${WRAPPED_SUFFIX}`;
  const staging = await mkdtemp(join(tmpdir(), 'nbprov-kernelspec-'));
  const dir = join(staging, name);
  try {
    await mkdir(dir);
    // Logos and other resources come along.
    for (const entry of await readdir(original.resourceDir)) {
      if (entry !== 'kernel.json') {
        await copyFile(
          join(original.resourceDir, entry),
          join(dir, entry)
        ).catch(() => undefined);
      }
    }
    await writeFile(
      join(dir, 'kernel.json'),
      JSON.stringify(wrapped, null, 1) + '\n'
    );
    const scopeArgs =
      options.scope.kind === 'user'
        ? ['--user']
        : options.scope.kind === 'sys-prefix'
          ? ['--sys-prefix']
          : ['--prefix', options.scope.dir];
    const { stderr } = await run(jupyter, [
      'kernelspec',
      'install',
      dir,
      '--name',
      name,
      '--replace',
      ...scopeArgs
    ]);
    const match = /Installed kernelspec \S+ in (.+)/.exec(stderr);
    return { name, dir: match !== null ? match[1].trim() : name };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Removes a wrapped kernelspec; refuses to remove a kernel it did not write. */
export async function uninstallWrappedKernel(
  name: string,
  jupyter: string = findJupyter()
): Promise<string> {
  const specs = await listKernelSpecs(jupyter);
  const found = specs.find(s => s.name === name);
  if (found === undefined) {
    throw new Error(
      `No kernel named "${name}". Run \`nbprov kernel list\` to see the wrapped kernels.`
    );
  }
  if (!isWrapped(found.spec)) {
    throw new Error(
      `The kernel "${name}" does not run the provenance agent; remove it with \`jupyter kernelspec remove ${name}\` if you mean to.`
    );
  }
  await rm(found.resourceDir, { recursive: true, force: true });
  return found.resourceDir;
}
