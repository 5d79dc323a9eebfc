import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CellOutputs,
  DisplayIndex,
  removeOverwrittenChars
} from '../../src/agent/runner/outputs.js';
import {
  FIXTURE_NAMES,
  loadFixture,
  type FixtureName
} from '../core/recorder/fixtures.js';

/** Feeds a captured ipykernel sequence's iopub messages to a CellOutputs. */
function fromFixture(name: FixtureName): CellOutputs {
  const cell = new CellOutputs();
  for (const { msg } of loadFixture(name)) {
    if (msg.channel === 'iopub') {
      cell.handle(msg.header.msg_type, msg.content as Record<string, unknown>);
    }
  }
  return cell;
}

test('print output of a real kernel becomes one stdout stream', () => {
  assert.ok(FIXTURE_NAMES.includes('print'));
  const cell = fromFixture('print');
  assert.equal(cell.outputs.length, 1);
  assert.equal(cell.outputs[0].output_type, 'stream');
  assert.equal(cell.outputs[0].name, 'stdout');
  assert.equal(typeof cell.outputs[0].text, 'string');
  assert.equal(typeof cell.executionCount, 'number');
});

test('an execute_result keeps its data and the execution count', () => {
  const cell = fromFixture('result');
  assert.equal(cell.outputs.length, 1);
  const [result] = cell.outputs;
  assert.equal(result.output_type, 'execute_result');
  assert.equal(result.execution_count, cell.executionCount);
  assert.ok('text/plain' in (result.data as object));
});

test('display_data keeps data and metadata', () => {
  const cell = fromFixture('display');
  assert.deepEqual(cell.outputs, [
    {
      output_type: 'display_data',
      data: { 'text/plain': 'a table', 'text/html': '<b>a table</b>' },
      metadata: {}
    }
  ]);
});

test('an error keeps ename, evalue and traceback and is the cell’s error', () => {
  const cell = fromFixture('error');
  const error = cell.error;
  assert.ok(error !== undefined);
  assert.equal(error.output_type, 'error');
  assert.ok(error.ename.length > 0);
  assert.ok(Array.isArray(error.traceback) && error.traceback.length > 0);
  assert.equal(cell.outputs[cell.outputs.length - 1], error);
});

test('consecutive streams of one name merge; another name starts a new output', () => {
  const cell = new CellOutputs();
  cell.handle('stream', { name: 'stdout', text: 'a\n' });
  cell.handle('stream', { name: 'stdout', text: 'b\n' });
  cell.handle('stream', { name: 'stderr', text: 'warn\n' });
  cell.handle('stream', { name: 'stdout', text: 'c\n' });
  assert.deepEqual(cell.outputs, [
    { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
    { output_type: 'stream', name: 'stderr', text: 'warn\n' },
    { output_type: 'stream', name: 'stdout', text: 'c\n' }
  ]);
});

test('a progress bar drawn with \\r leaves its last state only', () => {
  const cell = new CellOutputs();
  cell.handle('stream', { name: 'stdout', text: '10%' });
  cell.handle('stream', { name: 'stdout', text: '\r50%' });
  cell.handle('stream', { name: 'stdout', text: '\r100%\ndone\n' });
  assert.equal(cell.outputs[0].text, '100%\ndone\n');
});

test('overwritten characters: \\b erases, \\r rewrites the line, \\r\\n stays', () => {
  assert.equal(removeOverwrittenChars('abc\b\bd'), 'ad');
  assert.equal(removeOverwrittenChars('x\ry\nz'), 'y\nz');
  assert.equal(removeOverwrittenChars('a\r\nb'), 'a\r\nb');
  assert.equal(removeOverwrittenChars('line\n\bnext'), 'line\n\bnext');
});

test('clear_output clears at once', () => {
  const cell = new CellOutputs();
  cell.handle('stream', { name: 'stdout', text: 'old\n' });
  cell.handle('clear_output', { wait: false });
  assert.deepEqual(cell.outputs, []);
  cell.handle('stream', { name: 'stdout', text: 'new\n' });
  assert.deepEqual(cell.outputs, [
    { output_type: 'stream', name: 'stdout', text: 'new\n' }
  ]);
});

test('clear_output with wait clears just before the next output', () => {
  const cell = new CellOutputs();
  cell.handle('stream', { name: 'stdout', text: 'frame 1\n' });
  cell.handle('clear_output', { wait: true });
  assert.equal(cell.outputs.length, 1, 'kept until something replaces it');
  cell.handle('status', { execution_state: 'busy' });
  assert.equal(cell.outputs.length, 1, 'a status is not an output');
  cell.handle('display_data', { data: { 'text/plain': 'frame 2' } });
  assert.deepEqual(cell.outputs, [
    {
      output_type: 'display_data',
      data: { 'text/plain': 'frame 2' },
      metadata: {}
    }
  ]);
});

test('update_display_data updates every output with that display id, across cells', () => {
  const displays = new DisplayIndex();
  const first = new CellOutputs(displays);
  first.handle('display_data', {
    data: { 'text/plain': 'one' },
    metadata: {},
    transient: { display_id: 'd1' }
  });
  first.handle('display_data', {
    data: { 'text/plain': 'other' },
    transient: { display_id: 'd2' }
  });
  const second = new CellOutputs(displays);
  second.handle('update_display_data', {
    data: { 'text/plain': 'two' },
    metadata: { width: 3 },
    transient: { display_id: 'd1' }
  });
  assert.deepEqual(second.outputs, [], 'an update is not an output');
  assert.deepEqual(first.outputs[0].data, { 'text/plain': 'two' });
  assert.deepEqual(first.outputs[0].metadata, { width: 3 });
  assert.deepEqual(first.outputs[1].data, { 'text/plain': 'other' });
});

test('a new display with a known id updates the earlier ones too', () => {
  const cell = new CellOutputs();
  cell.handle('display_data', {
    data: { 'text/plain': 'a' },
    transient: { display_id: 'd' }
  });
  cell.handle('display_data', {
    data: { 'text/plain': 'b' },
    transient: { display_id: 'd' }
  });
  assert.deepEqual(
    cell.outputs.map(o => o.data),
    [{ 'text/plain': 'b' }, { 'text/plain': 'b' }]
  );
});

test('cleared outputs are no longer updated by their display id', () => {
  const cell = new CellOutputs();
  cell.handle('display_data', {
    data: { 'text/plain': 'a' },
    transient: { display_id: 'd' }
  });
  const cleared = cell.outputs[0];
  cell.handle('clear_output', {});
  cell.handle('update_display_data', {
    data: { 'text/plain': 'b' },
    transient: { display_id: 'd' }
  });
  assert.deepEqual(cleared.data, { 'text/plain': 'a' });
});

test('execute_input sets the count; unknown message types change nothing', () => {
  const cell = new CellOutputs();
  cell.handle('execute_input', { code: 'x', execution_count: 7 });
  cell.handle('nbprov_event', { protocol: 1, events: [] });
  cell.handle('comm_msg', { data: {} });
  assert.equal(cell.executionCount, 7);
  assert.deepEqual(cell.outputs, []);
});

test('a note of the runner is stderr text of the cell', () => {
  const cell = new CellOutputs();
  cell.note('nbprov run: input("x") was answered with an empty string.\n');
  assert.equal(cell.outputs[0].output_type, 'stream');
  assert.equal(cell.outputs[0].name, 'stderr');
});
