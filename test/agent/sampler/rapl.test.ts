import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  energyDeltaMicrojoules,
  findRaplZones,
  RaplReader
} from '../../../src/agent/sampler/rapl.js';

// A package's usual max_energy_range_uj (2^32 - 1 µJ is another common one).
const RANGE = 262_143_328_850;

test('energy between two readings without a wrap is their difference', () => {
  assert.equal(energyDeltaMicrojoules(1_000_000, 3_500_000, RANGE), 2_500_000);
  assert.equal(energyDeltaMicrojoules(42, 42, RANGE), 0);
});

test('a counter that wrapped adds the range it ran to the top', () => {
  // 1 J before the top, 2 J after the wrap: 3 J in all.
  assert.equal(
    energyDeltaMicrojoules(RANGE - 1_000_000, 2_000_000, RANGE),
    3_000_000
  );
  assert.equal(energyDeltaMicrojoules(4_294_967_000, 5, 4_294_967_295), 300);
});

function zone(root: string, dir: string, name: string, energy: number): void {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'name'), `${name}\n`);
  writeFileSync(join(root, dir, 'max_energy_range_uj'), `${RANGE}\n`);
  writeFileSync(join(root, dir, 'energy_uj'), `${energy}\n`);
}

test('package zones are summed, subzones and psys are not counted twice', () => {
  const root = mkdtempSync(join(tmpdir(), 'nbprov-rapl-'));
  try {
    zone(root, 'intel-rapl:0', 'package-0', RANGE - 500_000);
    zone(root, 'intel-rapl:0:0', 'core', 100);
    zone(root, 'intel-rapl:1', 'package-1', 1_000);
    zone(root, 'intel-rapl:2', 'psys', 7);
    assert.deepEqual(
      findRaplZones(root).map(z => z.name),
      ['package-0', 'package-1']
    );
    const reader = RaplReader.open(root);
    assert.ok(reader);
    assert.equal(reader.read(), 0);
    // package-0 wraps (0.5 J + 0.25 J), package-1 advances 1 J.
    writeFileSync(join(root, 'intel-rapl:0', 'energy_uj'), '250000\n');
    writeFileSync(join(root, 'intel-rapl:1', 'energy_uj'), '1001000\n');
    assert.equal(reader.read(), 1_750_000);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('no powercap directory means no energy reader', () => {
  assert.equal(RaplReader.open('/nonexistent/powercap'), undefined);
  assert.deepEqual(findRaplZones('/nonexistent/powercap'), []);
});

test('the real RAPL counters are read where this machine exposes them', t => {
  if (!existsSync('/sys/class/powercap')) {
    t.skip('no /sys/class/powercap on this machine (a VM or container)');
    return;
  }
  const reader = RaplReader.open();
  if (reader === undefined) {
    t.skip('powercap present, but no package energy_uj readable by this user');
    return;
  }
  const total = reader.read();
  assert.ok(total !== undefined && total >= 0);
});
