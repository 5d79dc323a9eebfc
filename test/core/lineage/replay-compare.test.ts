import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ExecutionStatus,
  IExecutionFinishedEvent,
  IExecutionOutputEvent,
  JournalEventOf,
  Sha256Hex
} from '../../../src/core/journal/events.js';
import {
  compareExecutions,
  textDiff
} from '../../../src/core/lineage/replay-compare.js';
import { finished, output, sha256 } from '../fixtures/journals.js';

interface IRun {
  outputs: Map<number, IExecutionOutputEvent>;
  finished: IExecutionFinishedEvent;
}

/** A run with outputs `[type, text, stream?]`; streams also get whole digests. */
function run(
  outputs: [IExecutionOutputEvent['outputType'], string, string?][],
  status: ExecutionStatus = 'ok',
  error?: { ename: string; evalue: string }
): IRun {
  const events = outputs.map(
    ([type, text, stream], i) =>
      output(1, 'e', i, type, text, {
        stream
      }) as JournalEventOf<'execution.output'>
  );
  const whole = new Map<string, string>();
  for (const [type, text, stream] of outputs) {
    if (type === 'stream' && stream) {
      whole.set(stream, (whole.get(stream) ?? '') + text);
    }
  }
  const end = finished(2, 'e', status, { error }) as IExecutionFinishedEvent;
  return {
    outputs: new Map(events.map(e => [e.index, e])),
    finished: {
      ...end,
      ...(whole.size > 0
        ? {
            streams: [...whole].map(([name, text]) => ({
              name,
              byteSize: Buffer.byteLength(text),
              sha256: sha256(text) as Sha256Hex
            }))
          }
        : {})
    }
  };
}

test('the same outputs, streams split differently, reproduce', () => {
  const result = compareExecutions(
    run([
      ['stream', 'loss 0.5\nloss 0.4\n', 'stdout'],
      ['execute_result', '0.4']
    ]),
    run([
      ['stream', 'loss 0.5\n', 'stdout'],
      ['execute_result', '0.4'],
      ['stream', 'loss 0.4\n', 'stdout']
    ])
  );
  assert.equal(result.verdict, 'reproduced');
  assert.deepEqual(result.differences, []);
});

test('a changed result differs, and says which output, with both previews', () => {
  const result = compareExecutions(
    run([
      ['stream', 'seed\n', 'stdout'],
      ['execute_result', '0.137']
    ]),
    run([
      ['stream', 'seed\n', 'stdout'],
      ['execute_result', '0.912']
    ])
  );
  assert.equal(result.verdict, 'differs');
  assert.deepEqual(result.differences, [
    {
      output: '0 (execute_result)',
      change: 'changed',
      recordedPreview: '0.137',
      replayedPreview: '0.912'
    }
  ]);
});

test('printed text that changed differs by stream; a missing stream too', () => {
  const result = compareExecutions(
    run([
      ['stream', 'a\n', 'stdout'],
      ['stream', 'warn\n', 'stderr']
    ]),
    run([['stream', 'b\n', 'stdout']])
  );
  assert.deepEqual(
    result.differences.map(d => [d.output, d.change]),
    [
      ['stdout', 'changed'],
      ['stderr', 'missing']
    ]
  );
});

test('an execution that now fails is failed; the same error reproduces', () => {
  const boom = { ename: 'FileNotFoundError', evalue: 'data.csv' };
  assert.equal(
    compareExecutions(run([]), run([['error', 'Cell In[3] …']], 'error', boom))
      .verdict,
    'failed'
  );
  const again = compareExecutions(
    run([['error', 'Cell In[3] …']], 'error', boom),
    run([['error', 'Cell In[1] …']], 'error', boom)
  );
  assert.equal(
    again.verdict,
    'reproduced',
    'the traceback names another count'
  );
  assert.equal(
    compareExecutions(
      run([['error', 'x']], 'error', boom),
      run([['error', 'y']], 'error', { ename: 'KeyError', evalue: 'k' })
    ).verdict,
    'differs'
  );
});

test('a recording without whole-stream digests compares messages, and says so', () => {
  const old = run([['stream', 'a\n', 'stdout']]);
  const result = compareExecutions(
    { outputs: old.outputs, finished: { ...old.finished, streams: undefined } },
    run([['stream', 'a\n', 'stdout']])
  );
  assert.equal(result.verdict, 'reproduced');
  assert.match(result.caveat ?? '', /predates whole-stream digests/);
});

test('a text diff marks removed and added lines', () => {
  assert.equal(
    textDiff('epoch 1\nacc 0.91\n', 'epoch 1\nacc 0.87\n'),
    ' epoch 1\n-acc 0.91\n+acc 0.87'
  );
});
