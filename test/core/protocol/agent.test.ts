import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT_PROTOCOL_VERSION,
  isHelloReplyContent,
  kernelspecHasAgent
} from '../../../src/core/protocol/index.js';

test('a kernelspec marked by nbprov kernel install has an agent', () => {
  assert.equal(
    kernelspecHasAgent({ nbprov: { agent: true, protocol: 1 } }),
    true
  );
});

test('bare kernelspecs and odd metadata have no agent', () => {
  assert.equal(kernelspecHasAgent(undefined), false);
  assert.equal(kernelspecHasAgent({}), false);
  assert.equal(kernelspecHasAgent({ nbprov: true }), false);
  assert.equal(kernelspecHasAgent({ nbprov: { agent: 'yes' } }), false);
  assert.equal(kernelspecHasAgent({ nbprov: null }), false);
});

test('a hello reply of this protocol version is accepted', () => {
  assert.equal(
    isHelloReplyContent({
      protocol: AGENT_PROTOCOL_VERSION,
      agentVersion: '0.1.0',
      recording: true,
      journalPath: '/home/u/train.provenance.jsonl'
    }),
    true
  );
});

test('malformed or foreign hello replies are refused', () => {
  for (const content of [
    null,
    'hello',
    {},
    { protocol: 99, agentVersion: '0.1.0', recording: true },
    { protocol: AGENT_PROTOCOL_VERSION, agentVersion: 1, recording: true },
    { protocol: AGENT_PROTOCOL_VERSION, agentVersion: '0.1.0' },
    {
      protocol: AGENT_PROTOCOL_VERSION,
      agentVersion: '0.1.0',
      recording: true,
      journalPath: 7
    }
  ]) {
    assert.equal(isHelloReplyContent(content), false, JSON.stringify(content));
  }
});
