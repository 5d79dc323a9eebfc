import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentArgs, parseInstallArgs } from '../../src/agent/cli.js';
import {
  isWrapped,
  wrapKernelSpec,
  type IKernelSpec
} from '../../src/agent/kernelspec.js';
import { PYTHON3 } from './kernelspec-fixtures.js';
import {
  dieWithParentArgv,
  exitStatus,
  kernelArgv
} from '../../src/agent/lifecycle.js';

test('the wrapped kernelspec runs the agent with the original argv after --', () => {
  const wrapped = wrapKernelSpec('python3', PYTHON3, {
    node: '/usr/bin/node',
    cli: '/opt/nbprov/lib/agent/cli.js',
    python: '/venv/bin/python'
  });
  assert.deepEqual(wrapped.argv, [
    '/usr/bin/node',
    '/opt/nbprov/lib/agent/cli.js',
    'agent',
    '--connection-file',
    '{connection_file}',
    '--',
    '/venv/bin/python',
    '-m',
    'ipykernel_launcher',
    '-f',
    '{connection_file}'
  ]);
  assert.equal(wrapped.display_name, 'Python 3 (ipykernel) (provenance)');
  assert.equal(wrapped.language, 'python');
  assert.equal(wrapped.interrupt_mode, 'signal');
  assert.deepEqual(wrapped.env, {
    FOO: 'bar',
    NBPROV_KERNEL_NAME: 'python3',
    NBPROV_KERNEL_LANGUAGE: 'python'
  });
  assert.equal(wrapped.metadata?.debugger, true);
  assert.ok(isWrapped(wrapped));
  assert.ok(!isWrapped(PYTHON3));
});

test('a kernelspec written by hand is wrapped when it runs agent through any entry point', () => {
  const byHand = (...head: string[]): IKernelSpec => ({
    argv: [...head, 'agent', '--connection-file', '{connection_file}', '--'],
    display_name: 'by hand'
  });
  // A source checkout, the installed Python package, its console script.
  assert.ok(isWrapped(byHand('/usr/bin/node', '/src/nbprov/lib/agent/cli.js')));
  assert.ok(
    isWrapped(
      byHand(
        '/usr/bin/node',
        '/venv/lib/python3.11/site-packages/jupyterlab_provenance/agent/nbprov.mjs'
      )
    )
  );
  assert.ok(isWrapped(byHand('/venv/bin/nbprov')));
  assert.ok(isWrapped(byHand('nbprov')));
  // `agent` alone, or after something else, is some other kernel's argument.
  assert.ok(!isWrapped(byHand('/usr/bin/python', '-m', 'agent_kernel')));
  assert.ok(
    !isWrapped({
      argv: ['python', '-m', 'ipykernel', 'agent', '/x/cli.js'],
      display_name: 'not ours'
    })
  );
});

test('a wrapped kernel is not wrapped twice', () => {
  const wrapped = wrapKernelSpec('python3', PYTHON3, { node: 'n', cli: 'c' });
  assert.throws(
    () =>
      wrapKernelSpec('python3-provenance', wrapped, { node: 'n', cli: 'c' }),
    /already runs the provenance agent/
  );
});

test('the kernel gets the agent’s connection file wherever the server’s was put', () => {
  // jupyter_client substitutes {connection_file} in the whole wrapped argv.
  assert.deepEqual(
    kernelArgv(
      ['python', '-f', '/run/kernel-1.json', '--cf={connection_file}'],
      '/run/kernel-1.json',
      '/run/nbprov-kernel-1.json'
    ),
    [
      'python',
      '-f',
      '/run/nbprov-kernel-1.json',
      '--cf=/run/nbprov-kernel-1.json'
    ]
  );
});

test('on Linux the kernel starts under setpriv --pdeathsig, else the Python helper', () => {
  const argv = ['/venv/bin/python', '-m', 'ipykernel_launcher'];
  assert.deepEqual(
    dieWithParentArgv(argv, { platform: 'linux', setpriv: '/usr/bin/setpriv' }),
    ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', ...argv]
  );
  const helper = dieWithParentArgv(argv, {
    platform: 'linux',
    setpriv: undefined,
    parentPid: 42
  });
  assert.equal(helper[0], '/venv/bin/python');
  assert.equal(helper[1], '-c');
  assert.match(helper[2], /prctl\(1, signal\.SIGKILL/);
  assert.deepEqual(helper.slice(3), ['42', ...argv]);
  assert.deepEqual(
    dieWithParentArgv(['julia'], { platform: 'linux', setpriv: undefined }),
    ['julia']
  );
  assert.deepEqual(dieWithParentArgv(argv, { platform: 'darwin' }), argv);
});

test('the agent exits with the kernel’s status, 128+n for a signal', () => {
  assert.equal(exitStatus({ code: 0, signal: null }), 0);
  assert.equal(exitStatus({ code: 3, signal: null }), 3);
  assert.equal(exitStatus({ code: null, signal: 'SIGKILL' }), 137);
  assert.equal(exitStatus({ code: null, signal: 'SIGTERM' }), 143);
  assert.equal(exitStatus({ code: null, signal: 'SIGXCPU' }), 152);
  assert.equal(exitStatus({ code: null, signal: 'SIGBUS' }), 135);
});

test('nbprov agent takes everything after -- as the kernel argv, unparsed', () => {
  assert.deepEqual(
    parseAgentArgs([
      '--connection-file',
      'k.json',
      '--',
      'python',
      '--help',
      '-f',
      'k.json'
    ]),
    {
      connectionFile: 'k.json',
      kernelArgv: ['python', '--help', '-f', 'k.json']
    }
  );
  assert.throws(() => parseAgentArgs(['--', 'python']), /--connection-file/);
  assert.throws(
    () => parseAgentArgs(['--connection-file', 'k.json']),
    /after `--`/
  );
});

test('nbprov kernel install options', () => {
  assert.deepEqual(parseInstallArgs([]), {
    name: 'python3',
    scope: { kind: 'user' },
    displayName: undefined
  });
  assert.deepEqual(
    parseInstallArgs(['--name', 'ir', '--prefix', '/p', '--display-name', 'R']),
    {
      name: 'ir',
      scope: { kind: 'prefix', dir: '/p' },
      displayName: 'R'
    }
  );
  assert.deepEqual(parseInstallArgs(['--sys-prefix']).scope, {
    kind: 'sys-prefix'
  });
  assert.throws(
    () => parseInstallArgs(['--user', '--sys-prefix']),
    /at most one/
  );
});
