import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Dealer, Router, Subscriber, XPublisher } from 'zeromq';
import {
  endpoint,
  freePorts,
  parseConnectionInfo,
  type IConnectionInfo
} from '../../src/agent/relay/connection.js';
import { Relay, type Direction } from '../../src/agent/relay/relay.js';
import {
  Signer,
  decodeMessage,
  encodeMessage,
  type Channel
} from '../../src/agent/relay/wire.js';

/*
 * The relay between a fake client and a fake kernel made of real ZeroMQ
 * sockets, so frames can be compared byte for byte. The kernel side is
 * what ipykernel binds: ROUTERs for shell, control and stdin, an XPUB for
 * iopub that welcomes new subscriptions (JEP 65).
 */

const signer = new Signer('relay-test-key', 'hmac-sha256');
const observed: { channel: Channel; direction: Direction; type?: string }[] =
  [];
let server: IConnectionInfo;
let kernel: IConnectionInfo;
let relay: Relay;
const k = {
  shell: new Router({ linger: 0 }),
  stdin: new Router({ linger: 0 }),
  control: new Router({ linger: 0 }),
  iopub: new XPublisher({ linger: 0 })
};
const sockets: { close(): void }[] = [];

async function info(): Promise<IConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = await freePorts('127.0.0.1', 5);
  return parseConnectionInfo({
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: 'relay-test-key',
    signature_scheme: 'hmac-sha256'
  });
}

function message(type: string, prefix: Buffer[] = []): Buffer[] {
  return encodeMessage(
    { msgType: type, session: 'K', content: { n: 1 }, prefix },
    signer
  );
}

async function next<T>(iterator: AsyncIterator<T>): Promise<T> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('timed out')), 5000).unref()
  );
  const result = await Promise.race([iterator.next(), timeout]);
  assert.ok(!result.done);
  return result.value;
}

before(async () => {
  server = await info();
  kernel = await info();
  await Promise.all([
    k.shell.bind(endpoint(kernel, 'shell_port')),
    k.stdin.bind(endpoint(kernel, 'stdin_port')),
    k.control.bind(endpoint(kernel, 'control_port')),
    k.iopub.bind(endpoint(kernel, 'iopub_port'))
  ]);
  relay = new Relay({
    server,
    kernel,
    signer,
    observe: (channel, direction, frames) => {
      const decoded = decodeMessage(frames, channel, signer);
      observed.push({
        channel,
        direction,
        type: decoded.ok ? decoded.msg?.header.msg_type : undefined
      });
    },
    onError: e => assert.fail(e)
  });
  await relay.bind();
  relay.start();
  // The agent subscribes: the kernel welcomes it, which tells the agent the
  // kernel speaks JEP 65.
  const [subscription] = await next(k.iopub[Symbol.asyncIterator]());
  assert.equal(subscription[0], 1);
  await k.iopub.send(message('iopub_welcome'));
});

after(() => {
  relay.close();
  for (const socket of [...Object.values(k), ...sockets]) {
    socket.close();
  }
});

test('a request and its reply cross unchanged and reach the client that asked', async () => {
  const client = new Dealer({ linger: 0, routingId: 'client-A' });
  sockets.push(client);
  client.connect(endpoint(server, 'shell_port'));
  const request = message('execute_request');
  await client.send(request);
  const atKernel = await next(k.shell[Symbol.asyncIterator]());
  // [agent's DEALER id, client id, …the client's frames, byte for byte]
  assert.equal(atKernel[1].toString(), 'client-A');
  assert.deepEqual(atKernel.slice(2), request);
  const reply = message('execute_reply');
  await k.shell.send([atKernel[0], atKernel[1], ...reply]);
  const atClient = await next(client[Symbol.asyncIterator]());
  assert.deepEqual(atClient, reply);
  assert.ok(
    observed.some(
      o =>
        o.channel === 'shell' &&
        o.direction === 'send' &&
        o.type === 'execute_request'
    )
  );
  assert.ok(
    observed.some(
      o =>
        o.channel === 'shell' &&
        o.direction === 'recv' &&
        o.type === 'execute_reply'
    )
  );

  // input(): the kernel asks on stdin, addressed to whoever sent the
  // execute_request on shell, i.e. the agent's shell identity.
  const stdinClient = new Dealer({ linger: 0, routingId: 'client-A' });
  sockets.push(stdinClient);
  stdinClient.connect(endpoint(server, 'stdin_port'));
  // A stdin socket is known to the kernel's ROUTER once it has a peer.
  await new Promise(resolve => setTimeout(resolve, 200));
  const inputRequest = message('input_request');
  await k.stdin.send([atKernel[0], atKernel[1], ...inputRequest]);
  assert.deepEqual(
    await next(stdinClient[Symbol.asyncIterator]()),
    inputRequest
  );
});

test('iopub messages reach subscribers unchanged', async () => {
  const sub = new Subscriber({ linger: 0 });
  sockets.push(sub);
  sub.connect(endpoint(server, 'iopub_port'));
  sub.subscribe();
  const frames = sub[Symbol.asyncIterator]();
  // The agent welcomes each new subscriber, signed with the session key.
  const welcome = await next(frames);
  const decoded = decodeMessage(welcome, 'iopub', signer);
  assert.ok(decoded.ok && decoded.msg !== undefined);
  assert.equal(decoded.msg.header.msg_type, 'iopub_welcome');
  assert.equal(decoded.msg.header.session, 'K');
  const status = message('status');
  await k.iopub.send(status);
  assert.deepEqual(await next(frames), status);
});

test('control requests cross too', async () => {
  const client = new Dealer({ linger: 0, routingId: 'client-B' });
  sockets.push(client);
  client.connect(endpoint(server, 'control_port'));
  const request = message('shutdown_request');
  await client.send(request);
  const atKernel = await next(k.control[Symbol.asyncIterator]());
  assert.equal(atKernel[1].toString(), 'client-B');
  assert.deepEqual(atKernel.slice(2), request);
});
