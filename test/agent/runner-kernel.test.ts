import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunArgs, UsageError } from '../../src/agent/cli.js';
import { wrapKernelSpec } from '../../src/agent/kernelspec.js';
import { PYTHON3 } from './kernelspec-fixtures.js';
import {
  formatArgv,
  runnableKernel
} from '../../src/agent/runner/kernel-process.js';

const AGENT = { node: '/usr/bin/node', cli: '/opt/nbprov/lib/agent/cli.js' };

test('an unwrapped kernel is started through the agent, python resolved beside jupyter', () => {
  const kernel = runnableKernel('python3', PYTHON3, AGENT, '/venv/bin/jupyter');
  assert.equal(kernel.wasWrapped, false);
  const dash = kernel.argv.indexOf('--');
  assert.deepEqual(kernel.argv.slice(0, 3), [AGENT.node, AGENT.cli, 'agent']);
  assert.deepEqual(kernel.argv.slice(dash + 1), [
    '/venv/bin/python',
    ...PYTHON3.argv.slice(1)
  ]);
  assert.equal(kernel.env.NBPROV_KERNEL_NAME, 'python3');
  assert.equal(kernel.interruptMode, 'signal');
});

test('a wrapped kernel is started as its kernelspec says', () => {
  const wrapped = wrapKernelSpec(
    'python3',
    { ...PYTHON3, interrupt_mode: 'message' },
    { ...AGENT, python: '/other/python' }
  );
  const kernel = runnableKernel(
    'python3-provenance',
    wrapped,
    AGENT,
    '/venv/bin/jupyter'
  );
  assert.equal(kernel.wasWrapped, true);
  assert.deepEqual(kernel.argv, wrapped.argv);
  assert.equal(kernel.interruptMode, 'message');
});

test('{connection_file} is replaced everywhere in argv', () => {
  assert.deepEqual(
    formatArgv(['a', '{connection_file}', '-f={connection_file}'], '/t/k.json'),
    ['a', '/t/k.json', '-f=/t/k.json']
  );
});

test('run options: defaults, and every option', () => {
  assert.deepEqual(parseRunArgs(['nb.ipynb']), {
    notebook: 'nb.ipynb',
    kernel: undefined,
    output: undefined,
    allowErrors: false,
    timeoutSeconds: undefined
  });
  assert.deepEqual(
    parseRunArgs([
      'nb.ipynb',
      '--kernel',
      'ir',
      '--output',
      'out.ipynb',
      '--allow-errors',
      '--timeout',
      '2.5'
    ]),
    {
      notebook: 'nb.ipynb',
      kernel: 'ir',
      output: 'out.ipynb',
      allowErrors: true,
      timeoutSeconds: 2.5
    }
  );
});

test('run usage errors: no notebook, two notebooks, a bad timeout', () => {
  assert.throws(() => parseRunArgs([]), UsageError);
  assert.throws(() => parseRunArgs(['a.ipynb', 'b.ipynb']), UsageError);
  assert.throws(() => parseRunArgs(['a.ipynb', '--timeout', '0']), UsageError);
  assert.throws(
    () => parseRunArgs(['a.ipynb', '--timeout', 'soon']),
    /--timeout takes a number of seconds/
  );
});
