import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseIo,
  parseSmapsRollupPss,
  parseStat,
  ProcfsReader
} from '../../../src/agent/sampler/procfs.js';
import { ALLOCATED_BYTES, sleep, spawnTree } from './tree.js';

test('a stat line is parsed even when the command name holds ") ("', () => {
  const line =
    '4242 (we ird) (x) R 17 4242 4242 0 -1 4194560 1 0 0 0 150 50 7 3 20 0 ' +
    '9 0 123456 1000 2560 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1';
  assert.deepEqual(parseStat(line), {
    pid: 4242,
    comm: 'we ird) (x',
    state: 'R',
    ppid: 17,
    ownTicks: 200,
    childrenTicks: 10,
    threads: 9,
    startTicks: 123456,
    rssPages: 2560
  });
  assert.equal(parseStat('garbage'), undefined);
  assert.equal(parseStat('12 (x) R 1 2'), undefined);
});

test('io and smaps_rollup counters are parsed', () => {
  const io =
    'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\n' +
    'write_bytes: 8192\ncancelled_write_bytes: 0\n';
  assert.deepEqual(parseIo(io), { readBytes: 4096, writeBytes: 8192 });
  assert.equal(parseIo('rchar: 1\n'), undefined);
  const rollup =
    '00400000-7ffc ---p 00000000 00:00 0   [rollup]\nRss:  4164 kB\n' +
    'Pss:                1407 kB\nPss_Dirty:  685 kB\n';
  assert.equal(parseSmapsRollupPss(rollup), 1407 * 1024);
});

test('the tree of a real process is found, with its grandchild', async () => {
  const tree = await spawnTree();
  try {
    for (const childrenFiles of [true, false]) {
      const reader = new ProcfsReader({ childrenFiles });
      if (childrenFiles && !new ProcfsReader().hasChildrenFiles) {
        continue;
      }
      const pids = reader.treePids(tree.rootPid);
      assert.equal(pids[0], tree.rootPid);
      assert.ok(
        pids.includes(tree.grandchildPid),
        `childrenFiles=${childrenFiles}: ${pids.join(' ')}`
      );
    }
  } finally {
    await tree.stop();
  }
});

test('the tree CPU seconds grow and its RSS holds the 50 MiB written', async () => {
  const tree = await spawnTree();
  try {
    const reader = new ProcfsReader();
    const first = reader.readTree(tree.rootPid, { pss: true });
    await sleep(500);
    const second = reader.readTree(tree.rootPid, { pss: true });
    assert.ok(first && second);
    assert.equal(second.processes.length, 2);
    assert.ok(
      second.cpuSeconds > first.cpuSeconds,
      `${first.cpuSeconds} -> ${second.cpuSeconds}`
    );
    // Two busy processes for 0.5 s: at least a tenth of a core even when
    // the other test files' trees compete for the same cores.
    assert.ok(second.cpuSeconds - first.cpuSeconds >= 0.05);
    assert.ok(
      second.rssBytes >= ALLOCATED_BYTES,
      `RSS ${second.rssBytes} < ${ALLOCATED_BYTES}`
    );
    assert.ok(second.pssBytes !== undefined && second.pssBytes > 0);
    assert.ok(second.threads >= 2);
    // Our own children: /proc/<pid>/io is readable.
    assert.ok(
      second.readBytes !== undefined && second.writeBytes !== undefined
    );
  } finally {
    await tree.stop();
  }
});

test('a vanished pid reads as undefined and never throws', async () => {
  const tree = await spawnTree();
  const reader = new ProcfsReader();
  await tree.stop();
  assert.equal(reader.readProcess(tree.rootPid), undefined);
  assert.equal(reader.readTree(tree.rootPid), undefined);
  assert.deepEqual(reader.treePids(tree.rootPid), [tree.rootPid]);
  assert.deepEqual(reader.children(tree.rootPid), []);
  assert.equal(reader.readPss(tree.rootPid), undefined);
});

test('a grandchild that dies between samples leaves the tree readable', async () => {
  const tree = await spawnTree();
  try {
    const reader = new ProcfsReader();
    const before = reader.readTree(tree.rootPid);
    process.kill(tree.grandchildPid, 'SIGKILL');
    await sleep(100);
    const after = reader.readTree(tree.rootPid);
    assert.ok(before && after);
    assert.equal(before.processes.length, 2);
    // Killed but not yet reaped by Python: a zombie or gone, never an error.
    assert.ok(after.processes.length >= 1);
  } finally {
    await tree.stop();
  }
});

test('clock ticks and page size come from getconf', () => {
  const reader = new ProcfsReader();
  assert.ok(reader.clockTicks > 0);
  assert.ok(reader.pageSize >= 4096);
});

test('pseudo-files held open are released when their processes are gone', async () => {
  const tree = await spawnTree();
  const reader = new ProcfsReader();
  try {
    reader.readTree(tree.rootPid);
    assert.ok(reader.openFiles >= 4, `${reader.openFiles} open`);
  } finally {
    await tree.stop();
  }
  assert.equal(reader.readTree(tree.rootPid), undefined);
  assert.equal(reader.openFiles, 0);
});
