/**
 * The NVIDIA path, tested WITHOUT a GPU: there is none on this machine, so
 * every nvidia-smi answer here is REPLAYED from real captures stored in
 * test/fixtures/nvidia-smi/ (their origin is in that folder's README.md),
 * either parsed directly or served by the fake `nvidia-smi` in its bin/.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkEvent,
  type IResourceSampleEvent,
  type SessionId
} from '../../../src/core/journal/index.js';
import {
  findNvidiaSmi,
  NvidiaSmiMonitor,
  parseComputeApps,
  parseGpuQuery,
  parseMeasure,
  parseQueryCsv,
  queryComputeApps,
  queryGpuFacts
} from '../../../src/agent/sampler/nvidia.js';
import { readHostFacts } from '../../../src/agent/sampler/host.js';
import { Sampler } from '../../../src/agent/sampler/sampler.js';
import { sleep, spawnTree } from './tree.js';

// build/test/agent/sampler → repository root.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/nvidia-smi');
const FAKE_BIN = join(FIXTURES, 'bin');
const MIB = 1024 * 1024;

function capture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

test('replayed H100 capture: the device query parses from the recorded CSV', () => {
  // Recorded with --format=csv: 212 columns, a header with [units], values with units.
  const [gpu, ...more] = parseGpuQuery(capture('h100-load.query-gpu.csv'));
  assert.deepEqual(more, []);
  assert.deepEqual(gpu, {
    index: 0,
    uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    name: 'NVIDIA H100 80GB HBM3',
    utilizationPercent: 100,
    memoryUsedBytes: 19818 * MIB,
    memoryTotalBytes: 81559 * MIB,
    powerWatts: 631.95
  });
});

test('replayed H100 capture: compute apps parse, used_memory read as used_gpu_memory', () => {
  assert.deepEqual(
    parseComputeApps(capture('h100-load.query-compute-apps.csv')),
    [
      {
        pid: 11327,
        gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000',
        usedMemoryBytes: 2566 * MIB
      },
      {
        pid: 11328,
        gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000',
        usedMemoryBytes: 1542 * MIB
      },
      {
        pid: 11345,
        gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000',
        usedMemoryBytes: 15690 * MIB
      }
    ]
  );
});

test('replayed Tesla P100 capture: a header with units over values without', () => {
  const [row] = parseQueryCsv(capture('tesla-p100.query-gpu.csv'), [
    'name',
    'uuid',
    'fan.speed',
    'memory.used',
    'utilization.gpu',
    'power.draw'
  ]);
  assert.equal(row.name, 'Tesla P100-PCIE-16GB');
  assert.equal(row.uuid, 'GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6');
  assert.equal(parseMeasure(row['fan.speed'], '%'), undefined); // [N/A]
  assert.equal(parseMeasure(row['memory.used'], 'MiB'), 0);
  assert.equal(parseMeasure(row['utilization.gpu'], '%'), 0);
  assert.equal(parseMeasure(row['power.draw'], 'W'), 28.16);
});

test('cells that are not numbers are absent, never zero; other units are refused', () => {
  for (const cell of [
    '[N/A]',
    '[Not Supported]',
    'N/A',
    '[Insufficient Permissions]',
    ''
  ]) {
    assert.equal(parseMeasure(cell, 'MiB'), undefined, cell);
  }
  assert.equal(parseMeasure('512 MiB', 'MiB'), 512);
  assert.equal(parseMeasure('512', 'MiB'), 512);
  assert.equal(parseMeasure('512 MB', 'MiB'), undefined);
  assert.deepEqual(parseComputeApps('No running processes found\n'), []);
  assert.deepEqual(parseComputeApps(''), []);
  assert.deepEqual(
    parseComputeApps('pid, used_gpu_memory [MiB], gpu_uuid\n'),
    []
  );
});

test('without nvidia-smi on PATH there is no GPU and nothing fails', async () => {
  assert.equal(findNvidiaSmi('/nonexistent'), undefined);
  const facts = await readHostFacts({
    session: 's1' as SessionId,
    env: { PATH: '/nonexistent' }
  });
  assert.deepEqual(facts.gpus, []);
  assert.ok(checkEvent(facts).ok);
});

test('replayed through a fake nvidia-smi: host facts list the captured GPU', async () => {
  const binary = findNvidiaSmi(FAKE_BIN + delimiter + process.env.PATH);
  assert.equal(binary, join(FAKE_BIN, 'nvidia-smi'));
  assert.deepEqual(await queryGpuFacts(binary!), [
    {
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      memoryTotalBytes: 81559 * MIB,
      driverVersion: '590.48.01'
    }
  ]);
  const facts = await readHostFacts({
    session: 's1' as SessionId,
    nvidiaSmi: binary
  });
  assert.equal(facts.gpus.length, 1);
  assert.ok(checkEvent(facts).ok);
  assert.equal((await queryComputeApps(binary!)).length, 3);
});

test('replayed end to end: one long-lived nvidia-smi feeds GPU figures into samples', async () => {
  const tree = await spawnTree();
  const dir = mkdtempSync(join(tmpdir(), 'nbprov-smi-'));
  const log = join(dir, 'invocations.log');
  const saved = { ...process.env };
  // The capture's gpu_burn process (pid 11345, 15690 MiB) becomes our tree's grandchild.
  process.env.FAKE_NVIDIA_SMI_PID_MAP = `11345=${tree.grandchildPid}`;
  process.env.FAKE_NVIDIA_SMI_LOG = log;
  process.env.PATH = FAKE_BIN + delimiter + process.env.PATH;
  const binary = findNvidiaSmi();
  assert.ok(binary);
  const errors: Error[] = [];
  const monitor = NvidiaSmiMonitor.start({
    binary,
    intervalMs: 100,
    appsIntervalMs: 300,
    onError: e => errors.push(e)
  });
  const samples: IResourceSampleEvent[] = [];
  const sampler = new Sampler({
    session: 's1' as SessionId,
    gpu: monitor,
    onSample: s => samples.push(s)
  });
  try {
    sampler.start(tree.rootPid, 100);
    // Until the compute-apps answer has reached a few samples (Python, which
    // runs the fake, starts slowly on a loaded machine); at most 8 s.
    const attributed = (): number =>
      samples.filter(s => s.gpus?.[0]?.treeMemoryBytes !== undefined).length;
    for (let waited = 0; waited < 8000 && attributed() < 3; waited += 100) {
      await sleep(100);
    }
  } finally {
    sampler.stop();
    monitor.stop();
    await tree.stop();
    process.env = saved;
  }
  const withGpu = samples.filter(s => s.gpus !== undefined);
  assert.ok(withGpu.length >= 3, `${withGpu.length} of ${samples.length}`);
  const last = withGpu[withGpu.length - 1];
  assert.deepEqual(last.gpus, [
    {
      index: 0,
      utilizationPercent: 100,
      memoryUsedBytes: 19818 * MIB,
      powerWatts: 631.95,
      treeMemoryBytes: 15690 * MIB
    }
  ]);
  assert.ok(checkEvent(last).ok);
  const invocations = readFileSync(log, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true, force: true });
  // ONE device-query process for all samples; compute apps every 300 ms.
  assert.equal(
    invocations.filter(line => line.includes('--query-gpu')).length,
    1
  );
  const apps = invocations.filter(line =>
    line.includes('--query-compute-apps')
  );
  // Polled on its own clock (every 300 ms, never two at once), not per sample.
  assert.ok(
    apps.length >= 1 && apps.length < samples.length,
    `${apps.length} app queries for ${samples.length} samples`
  );
  assert.deepEqual(errors, []);
});

test('a stopped monitor leaves no nvidia-smi running', async () => {
  const monitor = NvidiaSmiMonitor.start({
    binary: join(FAKE_BIN, 'nvidia-smi'),
    intervalMs: 50,
    appsIntervalMs: 0
  });
  await sleep(300);
  const pid = monitor.pid;
  assert.ok(pid !== undefined);
  assert.ok(monitor.latest() !== undefined);
  monitor.stop();
  await sleep(200);
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
});
