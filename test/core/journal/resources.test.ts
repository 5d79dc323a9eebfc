import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkEvent,
  decodeJournal,
  encodeEvent,
  type IResourceSampleEvent,
  type JournalEvent
} from '../../../src/core/journal/index.js';

const T = '2026-11-24T10:00:00.000Z';
// The ids a real session writes: a UUID session id and a JupyterLab msg_id.
const SESSION = '3f9c2a1e-8b7d-4c6e-9a5f-0d1e2f3a4b5c';
const MSG_ID = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function sample(
  extra: Partial<Record<keyof IResourceSampleEvent, unknown>>
): JournalEvent {
  return {
    v: 1,
    kind: 'resource.sample',
    t: T,
    session: SESSION,
    interval: 1.001,
    cpuPercent: 99.7,
    cpuSeconds: 3456.78,
    rssBytes: 12_345_678_901,
    pssBytes: 12_000_000_000,
    threads: 57,
    readBytes: 1_234_567_890,
    writeBytes: 123_456_789,
    processCount: 4,
    ...extra
  } as unknown as JournalEvent;
}

test('a typical sample without GPUs is about 300 bytes', () => {
  // A notebook kernel at 2.5 GB, ten minutes of CPU; UUID session id.
  const typical = {
    cpuSeconds: 612.34,
    rssBytes: 2_512_345_678,
    pssBytes: undefined,
    threads: 24,
    readBytes: 0,
    writeBytes: 4_096,
    processCount: 1
  };
  const idle = encodeEvent(sample(typical));
  // Within a cell the line also names the execution (a 36-character msg_id).
  const busy = encodeEvent(sample({ ...typical, execution: MSG_ID }));
  assert.ok(idle.length < 260, `${idle.length} bytes: ${idle}`);
  assert.ok(busy.length < 310, `${busy.length} bytes: ${busy}`);
});

test('a worst-case sample without GPUs stays under 350 bytes', () => {
  // Every optional field, 12 GB RSS, an hour of CPU, 36-character ids.
  const busy = encodeEvent(sample({ execution: MSG_ID }));
  const idle = encodeEvent(sample({}));
  assert.ok(busy.length < 350, `${busy.length} bytes: ${busy}`);
  assert.ok(idle.length < 300, `${idle.length} bytes: ${idle}`);
});

test('each GPU adds one compact entry to the line', () => {
  const gpu = {
    index: 0,
    utilizationPercent: 100,
    memoryUsedBytes: 20_780_679_168,
    powerWatts: 631.95,
    treeMemoryBytes: 16_452_157_440
  };
  const without = encodeEvent(sample({ execution: MSG_ID })).length;
  const one = encodeEvent(sample({ execution: MSG_ID, gpus: [gpu] })).length;
  const two = encodeEvent(
    sample({ execution: MSG_ID, gpus: [gpu, { ...gpu, index: 1 }] })
  ).length;
  assert.ok(one - without < 160, `${one - without} bytes for one GPU`);
  assert.ok(two - one < 130, `${two - one} bytes for the second GPU`);
});

test('GPU entries are written in events.ts field order', () => {
  const line = encodeEvent(
    sample({
      gpus: [{ powerWatts: 50.5, utilizationPercent: 3, index: 1 }]
    })
  );
  assert.match(
    line,
    /"gpus":\[\{"index":1,"utilizationPercent":3,"powerWatts":50\.5\}\]/
  );
  const [event] = decodeJournal(line).events;
  assert.deepEqual((event as IResourceSampleEvent).gpus, [
    { index: 1, utilizationPercent: 3, powerWatts: 50.5 }
  ]);
});

test('a GPU entry with a wrong field is reported with its position', () => {
  const check = checkEvent(
    sample({ gpus: [{ index: 0 }, { index: 1, powerWatts: -3 }] })
  );
  assert.equal(check.ok, false);
  assert.equal(
    check.ok ? '' : check.detail,
    'gpus[1].powerWatts: not a finite non-negative number'
  );
});

test('NaN and Infinity are refused, not written as null', () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => encodeEvent(sample({ cpuPercent: bad })), /cpuPercent/);
  }
});
