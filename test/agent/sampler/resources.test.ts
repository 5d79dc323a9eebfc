import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkEvent,
  type ExecutionId,
  type JournalEvent,
  type SessionId
} from '../../../src/core/journal/index.js';
import { aggregateExecutions } from '../../../src/core/resources/index.js';
import {
  startResourceSampling,
  type ResourceEvent
} from '../../../src/agent/sampler/resources.js';
import { sleep, spawnTree } from './tree.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FAKE_SMI = join(ROOT, 'test/fixtures/nvidia-smi/bin/nvidia-smi');
const T0 = '2026-11-24T10:00:00.000Z';

test('without a GPU: host facts once, then samples, and a cell gets its figures', async () => {
  const tree = await spawnTree();
  const events: ResourceEvent[] = [];
  const errors: Error[] = [];
  const sampling = startResourceSampling({
    session: 's1' as SessionId,
    rootPid: tree.rootPid,
    intervalMs: 200,
    busyIntervalMs: 50,
    env: { PATH: '/nonexistent' },
    onEvent: e => events.push(e),
    onError: e => errors.push(e)
  });
  let started = '';
  let finished = '';
  try {
    await sampling.hostFacts;
    await sleep(250);
    started = new Date().toISOString();
    sampling.executionStarted('e1' as ExecutionId);
    await sleep(500);
    sampling.executionFinished();
    finished = new Date().toISOString();
    await sleep(100);
  } finally {
    sampling.stop();
    await tree.stop();
  }
  assert.deepEqual(errors, []);
  const facts = events.filter(e => e.kind === 'host.facts');
  assert.equal(facts.length, 1);
  assert.deepEqual(facts[0].kind === 'host.facts' && facts[0].gpus, []);
  for (const event of events) {
    assert.ok(checkEvent(event).ok, JSON.stringify(event));
  }
  const journal = [
    {
      v: 1,
      kind: 'execution.requested',
      t: T0,
      session: 's1',
      execution: 'e1',
      sourceSha256: 'a'.repeat(64)
    },
    { v: 1, kind: 'execution.started', t: started, execution: 'e1' },
    ...events,
    {
      v: 1,
      kind: 'execution.finished',
      t: finished,
      execution: 'e1',
      status: 'ok'
    }
  ] as unknown as JournalEvent[];
  const e1 = aggregateExecutions(journal).get('e1' as ExecutionId);
  assert.ok(e1, 'the cell has figures');
  assert.ok(e1.samples >= 5, `${e1.samples} samples`);
  assert.ok(e1.wallSeconds !== undefined && e1.wallSeconds >= 0.45);
  // The tree spins two processes: CPU time accrues during the cell.
  assert.ok(e1.cpuSeconds > 0.05, `${e1.cpuSeconds} CPU s`);
  assert.ok((e1.peakRssBytes ?? 0) >= 50 * 1024 * 1024);
  assert.equal(e1.gpuSeconds, undefined);
});

test('replayed GPU (fake nvidia-smi, no real GPU): host facts list it and samples carry it', async () => {
  const tree = await spawnTree();
  const events: ResourceEvent[] = [];
  const sampling = startResourceSampling({
    session: 's1' as SessionId,
    rootPid: tree.rootPid,
    intervalMs: 100,
    nvidiaSmi: FAKE_SMI,
    gpuIntervalMs: 100,
    onEvent: e => events.push(e)
  });
  try {
    await sampling.hostFacts;
    for (
      let waited = 0;
      waited < 8000 &&
      !events.some(e => e.kind === 'resource.sample' && e.gpus);
      waited += 100
    ) {
      await sleep(100);
    }
  } finally {
    sampling.stop();
    await tree.stop();
  }
  const facts = events.find(e => e.kind === 'host.facts');
  assert.equal(
    facts?.kind === 'host.facts' && facts.gpus[0]?.name,
    'NVIDIA H100 80GB HBM3'
  );
  const withGpu = events.find(e => e.kind === 'resource.sample' && e.gpus);
  assert.ok(withGpu && withGpu.kind === 'resource.sample');
  assert.equal(withGpu.gpus?.[0].powerWatts, 631.95);
});
