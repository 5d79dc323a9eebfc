import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  belowEphemeralRange,
  endpoint,
  freePorts,
  kernelConnectionInfo,
  kernelIdFromPath,
  parseConnectionInfo
} from '../../src/agent/relay/connection.js';

const SERVER = parseConnectionInfo({
  shell_port: 50001,
  iopub_port: 50002,
  stdin_port: 50003,
  control_port: 50004,
  hb_port: 50005,
  ip: '127.0.0.1',
  key: 'k3y',
  transport: 'tcp',
  signature_scheme: 'hmac-sha256',
  kernel_name: 'python3'
});

test('the kernel gets fresh ports except the ones handed over, same key and ip', async () => {
  const kernel = await kernelConnectionInfo(SERVER, ['hb_port']);
  assert.equal(kernel.hb_port, SERVER.hb_port);
  for (const name of [
    'shell_port',
    'iopub_port',
    'stdin_port',
    'control_port'
  ] as const) {
    assert.notEqual(kernel[name], SERVER[name], name);
  }
  assert.equal(
    new Set([
      kernel.shell_port,
      kernel.iopub_port,
      kernel.stdin_port,
      kernel.control_port
    ]).size,
    4
  );
  assert.equal(kernel.key, 'k3y');
  assert.equal(kernel.ip, '127.0.0.1');
  assert.equal(kernel.signature_scheme, 'hmac-sha256');
  assert.equal(kernel.kernel_name, 'python3');
});

test('ipc connections get fresh path suffixes', async () => {
  const ipc = parseConnectionInfo({
    ...SERVER,
    transport: 'ipc',
    ip: '/tmp/k'
  });
  let n = 7;
  const kernel = await kernelConnectionInfo(ipc, ['hb_port'], () => n++);
  assert.equal(endpoint(kernel, 'shell_port'), 'ipc:///tmp/k-7');
  assert.equal(endpoint(kernel, 'hb_port'), 'ipc:///tmp/k-50005');
});

test('endpoints follow jupyter_client’s form', () => {
  assert.equal(endpoint(SERVER, 'iopub_port'), 'tcp://127.0.0.1:50002');
  const v6 = parseConnectionInfo({ ...SERVER, ip: '::1' });
  assert.equal(endpoint(v6, 'shell_port'), 'tcp://[::1]:50001');
});

test('a connection file without ports or key is refused with the reason', () => {
  assert.throws(
    () => parseConnectionInfo({ ...SERVER, shell_port: undefined }, 'f.json'),
    /f\.json: shell_port missing/
  );
  assert.throws(
    () => parseConnectionInfo({ ...SERVER, key: undefined }),
    /key missing/
  );
  assert.throws(() => parseConnectionInfo([]), /not a JSON object/);
});

test('the signature scheme defaults to hmac-sha256', () => {
  const info = parseConnectionInfo({ ...SERVER, signature_scheme: undefined });
  assert.equal(info.signature_scheme, 'hmac-sha256');
});

test('the kernel id is read from the server’s file name', () => {
  assert.equal(
    kernelIdFromPath(
      '/run/jupyter/kernel-5f1c0e2a-9b1d-4c3e-8f00-1a2b3c4d5e6f.json'
    ),
    '5f1c0e2a-9b1d-4c3e-8f00-1a2b3c4d5e6f'
  );
  assert.equal(kernelIdFromPath('/tmp/tmpabc.json'), undefined);
});

test('free ports are drawn below the ephemeral range, where the OS hands out none itself', async () => {
  assert.deepEqual(belowEphemeralRange('32768\t60999\n'), [20_000, 32_768]);
  assert.equal(belowEphemeralRange('1024 65535'), undefined, 'no room below');
  assert.equal(belowEphemeralRange(''), undefined, 'unreadable');
  const ports = await freePorts('127.0.0.1', 5, [20_000, 32_768]);
  assert.equal(new Set(ports).size, 5);
  for (const port of ports) {
    assert.ok(port >= 20_000 && port < 32_768, String(port));
  }
  // Where the range is unknown, the OS picks.
  const any = await freePorts('127.0.0.1', 2, null);
  assert.equal(any.length, 2);
});
