import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkEvent,
  encodeEvent,
  type ExecutionId,
  type IResourceSampleEvent,
  type SessionId
} from '../../../src/core/journal/index.js';
import { Sampler } from '../../../src/agent/sampler/sampler.js';
import { ALLOCATED_BYTES, sleep, spawnTree } from './tree.js';

const SESSION = '3f9c2a1e-8b7d-4c6e-9a5f-0d1e2f3a4b5c' as SessionId;

test('at 100 ms the sampler emits valid samples with monotone CPU seconds', async () => {
  const tree = await spawnTree();
  const samples: IResourceSampleEvent[] = [];
  const sampler = new Sampler({
    session: SESSION,
    onSample: s => samples.push(s)
  });
  try {
    sampler.start(tree.rootPid, 100);
    await sleep(1100);
  } finally {
    sampler.stop();
    await tree.stop();
  }
  assert.ok(samples.length >= 6, `${samples.length} samples`);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    assert.ok(checkEvent(s).ok, JSON.stringify(s));
    assert.equal(s.processCount, 2);
    assert.ok(s.rssBytes >= ALLOCATED_BYTES);
    assert.ok(s.interval > 0.05 && s.interval < 1, `interval ${s.interval}`);
    if (i > 0) {
      assert.ok(s.cpuSeconds >= samples[i - 1].cpuSeconds);
    }
  }
  const last = samples[samples.length - 1];
  assert.ok(last.cpuSeconds > samples[0].cpuSeconds);
  // Two processes spinning: a good part of a core on average, even while
  // the other test files' trees compete for the same cores.
  const mean =
    samples.reduce((sum, s) => sum + s.cpuPercent, 0) / samples.length;
  assert.ok(mean > 20, `mean CPU ${mean}%`);
  // PSS is read on the first sample, then only every 5 s.
  assert.ok(samples[0].pssBytes !== undefined);
  assert.equal(samples[1].pssBytes, undefined);
});

test('samples during a cell name it, and the cell is bracketed by samples', async () => {
  const tree = await spawnTree();
  const samples: IResourceSampleEvent[] = [];
  const sampler = new Sampler({
    session: SESSION,
    intervalMs: 1000,
    busyIntervalMs: 50,
    onSample: s => samples.push(s)
  });
  try {
    sampler.start(tree.rootPid);
    await sleep(50);
    sampler.executionStarted('e1' as ExecutionId);
    assert.equal(sampler.currentIntervalMs, 50);
    await sleep(400);
    sampler.executionFinished();
    assert.equal(sampler.currentIntervalMs, 1000);
    await sleep(100);
  } finally {
    sampler.stop();
    await tree.stop();
  }
  const inCell = samples.filter(s => s.execution === 'e1');
  // One closing the idle period, ~8 at 50 ms, one at the end.
  assert.equal(samples[0].execution, undefined);
  assert.ok(inCell.length >= 5, `${inCell.length} samples in the cell`);
  assert.equal(samples[samples.length - 1].execution, 'e1');
});

test('the fast interval ends after busyForMs even if the cell goes on', async () => {
  const tree = await spawnTree();
  const sampler = new Sampler({
    session: SESSION,
    intervalMs: 1000,
    busyIntervalMs: 50,
    busyForMs: 200
  });
  try {
    sampler.start(tree.rootPid);
    sampler.executionStarted('e1' as ExecutionId);
    assert.equal(sampler.currentIntervalMs, 50);
    await sleep(300);
    assert.equal(sampler.currentIntervalMs, 1000);
  } finally {
    sampler.stop();
    await tree.stop();
  }
});

test('a root that vanished gives no sample and no error', async () => {
  const tree = await spawnTree();
  const errors: Error[] = [];
  const sampler = new Sampler({
    session: SESSION,
    onError: e => errors.push(e)
  });
  sampler.start(tree.rootPid, 1000);
  await tree.stop();
  assert.equal(sampler.sampleNow(), undefined);
  sampler.stop();
  assert.deepEqual(errors, []);
});

test('intervals under 10 ms are refused with a reason', () => {
  const sampler = new Sampler({ session: SESSION });
  assert.throws(() => sampler.start(process.pid, 1), /10 ms or more/);
  assert.equal(sampler.running, false);
});

/**
 * The sampler's own cost, measured two ways on a real two-process tree:
 * the CPU spent inside its ticks (`sampler.cost`) and this whole process's
 * CPU over the window (timers included; the test runner idles meanwhile).
 */
for (const intervalMs of [1000, 100]) {
  test(`the sampler's own CPU cost at ${intervalMs} ms is measured`, async t => {
    const tree = await spawnTree();
    let lines = 0;
    let bytes = 0;
    const sampler = new Sampler({
      session: SESSION,
      onSample: s => {
        lines += 1;
        bytes += encodeEvent(s).length;
      }
    });
    const windowMs = intervalMs === 1000 ? 5000 : 3000;
    try {
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      sampler.start(tree.rootPid, intervalMs);
      await sleep(windowMs);
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - wall0;
      sampler.stop();
      const cost = sampler.cost;
      const processPercent = ((cpu.user + cpu.system) / 1000 / wall) * 100;
      const tickPercent = ((cost.cpuSeconds * 1000) / wall) * 100;
      const figures =
        `interval ${intervalMs} ms: ${cost.samples} samples; in ticks ` +
        `${tickPercent.toFixed(3)}% of one core (mean tick ` +
        `${cost.meanTickMicros.toFixed(0)} µs, max ${cost.maxTickMicros.toFixed(0)} µs); ` +
        `whole test process ${processPercent.toFixed(3)}%; ` +
        `RSS ${(process.memoryUsage().rss / 1048576).toFixed(1)} MiB; ` +
        `mean line ${(bytes / lines).toFixed(0)} bytes`;
      t.diagnostic(figures);
      console.log(`# sampler cost: ${figures}`);
      // Timers slip on a loaded machine (the other test files run meanwhile).
      assert.ok(cost.samples >= (windowMs / intervalMs) * 0.7, figures);
      // Goal from issue 3: under 1% of one core at 1 s.
      if (intervalMs === 1000) {
        assert.ok(tickPercent < 1, figures);
      }
    } finally {
      sampler.stop();
      await tree.stop();
    }
  });
}
