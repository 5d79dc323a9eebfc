import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { KernelMessage } from '@jupyterlab/services';
import type {
  JournalEvent,
  JournalEventOf
} from '../../../src/core/journal/index.js';
import {
  Recorder,
  type IObservedMessage
} from '../../../src/core/recorder/index.js';
import {
  FIXED_NOW,
  SESSION,
  harness,
  loadFixture,
  record,
  requestId,
  type FixtureName
} from './fixtures.js';

function kinds(events: JournalEvent[]): string[] {
  return events.map(e => e.kind);
}

function only<K extends JournalEvent['kind']>(
  events: JournalEvent[],
  kind: K
): JournalEventOf<K>[] {
  return events.filter((e): e is JournalEventOf<K> => e.kind === kind);
}

/** ipykernel's microsecond date cut to milliseconds, as the journal keeps it. */
function dateOf(
  name: FixtureName,
  msgType: string,
  where: (m: IObservedMessage) => boolean = () => true
): string {
  const found = loadFixture(name).find(
    m => m.msg.header.msg_type === msgType && where(m)
  );
  assert.ok(found, `${name} has a ${msgType}`);
  return found.msg.header.date.slice(0, 23) + 'Z';
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const isIdle = (m: IObservedMessage) =>
  (m.msg.content as { execution_state?: string }).execution_state === 'idle';

test('x = 1 is requested, started and finished ok with kernel times', () => {
  const { events, errors } = record('ok');
  const id = requestId(loadFixture('ok'));
  assert.deepEqual(errors, []);
  assert.deepEqual(events, [
    {
      v: 1,
      t: FIXED_NOW.toISOString(),
      kind: 'execution.requested',
      session: SESSION,
      execution: id,
      source: 'x = 1',
      sourceSha256: sha256('x = 1')
    },
    {
      v: 1,
      t: FIXED_NOW.toISOString(),
      kind: 'execution.started',
      execution: id,
      executionCount: 1,
      kernelTime: dateOf('ok', 'execute_input')
    },
    {
      v: 1,
      t: FIXED_NOW.toISOString(),
      kind: 'execution.finished',
      execution: id,
      status: 'ok',
      executionCount: 1,
      kernelStarted:
        (
          loadFixture('ok').find(m => m.msg.header.msg_type === 'execute_reply')
            ?.msg.metadata.started as string
        ).slice(0, 23) + 'Z',
      kernelTime: dateOf('ok', 'status', isIdle)
    }
  ]);
});

test('print produces one stream output hashed as its text', () => {
  const { events } = record('print');
  assert.deepEqual(kinds(events), [
    'execution.requested',
    'execution.started',
    'execution.output',
    'execution.finished'
  ]);
  const [output] = only(events, 'execution.output');
  assert.equal(output.index, 0);
  assert.equal(output.outputType, 'stream');
  assert.equal(output.streamName, 'stdout');
  assert.deepEqual(output.mimeTypes, ['text/plain']);
  assert.equal(output.byteSize, 6);
  assert.equal(output.sha256, sha256('hello\n'));
  assert.equal(output.preview, 'hello\n');
  assert.equal(output.kernelTime, dateOf('print', 'stream'));
});

test('display_data lists its sorted mime types and previews text/plain', () => {
  const [output] = only(record('display').events, 'execution.output');
  assert.equal(output.outputType, 'display_data');
  assert.deepEqual(output.mimeTypes, ['text/html', 'text/plain']);
  assert.equal(output.byteSize, '<b>a table</b>'.length + 'a table'.length);
  assert.equal(
    output.sha256,
    sha256(
      `text/html\t${sha256('<b>a table</b>')}\ntext/plain\t${sha256('a table')}\n`
    )
  );
  assert.equal(output.preview, 'a table');
  assert.equal(output.streamName, undefined);
});

test('execute_result is an output and the count comes from the reply', () => {
  const { events } = record('result');
  const [output] = only(events, 'execution.output');
  assert.equal(output.outputType, 'execute_result');
  assert.deepEqual(output.mimeTypes, ['text/plain']);
  assert.equal(output.preview, '42');
  const [finished] = only(events, 'execution.finished');
  assert.equal(finished.status, 'ok');
  assert.equal(finished.executionCount, 4);
});

test('an exception finishes as error with ename and evalue', () => {
  const { events } = record('error');
  const [output] = only(events, 'execution.output');
  assert.equal(output.outputType, 'error');
  assert.equal(output.preview, 'ZeroDivisionError: division by zero');
  const [finished] = only(events, 'execution.finished');
  assert.equal(finished.status, 'error');
  assert.deepEqual(finished.error, {
    ename: 'ZeroDivisionError',
    evalue: 'division by zero'
  });
});

test('a KeyboardInterrupt from an interrupt finishes as interrupted', () => {
  const [finished] = only(record('interrupt').events, 'execution.finished');
  assert.equal(finished.status, 'interrupted');
  assert.deepEqual(finished.error, { ename: 'KeyboardInterrupt', evalue: '' });
});

test('metadata.cellId of the request is carried as cellId', () => {
  const [requested] = only(
    record('cell-metadata').events,
    'execution.requested'
  );
  assert.equal(requested.cellId, 'abc-123');
});

test('a request without metadata.cellId has no cellId', () => {
  const [requested] = only(record('ok').events, 'execution.requested');
  assert.equal('cellId' in requested, false);
});

test('a silent execution and all its iopub traffic are ignored', () => {
  const { recorder, events, errors } = record('silent');
  assert.deepEqual(events, []);
  assert.deepEqual(errors, []);
  assert.equal(recorder.pendingCount, 0);
});

test('a request aborted after an error finishes aborted, never started', () => {
  const messages = loadFixture('aborted');
  const { events, recorder } = record('aborted');
  const second = requestId(messages, 1);
  const ofSecond = events.filter(
    e => 'execution' in e && e.execution === second
  );
  assert.deepEqual(kinds(ofSecond), [
    'execution.requested',
    'execution.finished'
  ]);
  assert.equal(
    (ofSecond[1] as JournalEventOf<'execution.finished'>).status,
    'aborted'
  );
  assert.equal(only(events, 'execution.finished').length, 2);
  assert.equal(recorder.pendingCount, 0);
});

test('idle before the reply finishes once, when the reply comes', () => {
  const messages = loadFixture('ok');
  const reply = messages.findIndex(
    m => m.msg.header.msg_type === 'execute_reply'
  );
  const idle = messages.findIndex(isIdle);
  assert.ok(reply < idle, 'ipykernel sent the reply first');
  const swapped = [...messages];
  [swapped[reply], swapped[idle]] = [swapped[idle], swapped[reply]];
  const h = harness();
  swapped.forEach((m, i) => {
    h.recorder.handle(m);
    if (i === reply) {
      // The idle (now at the reply's place) alone must not finish it.
      assert.equal(only(h.events, 'execution.finished').length, 0);
    }
  });
  const finished = only(h.events, 'execution.finished');
  assert.equal(finished.length, 1);
  assert.equal(finished[0].status, 'ok');
  assert.equal(finished[0].kernelTime, dateOf('ok', 'status', isIdle));
});

test('reply before idle finishes once, when idle comes', () => {
  const h = harness();
  for (const m of loadFixture('ok')) {
    h.recorder.handle(m);
    if (m.msg.header.msg_type === 'execute_reply') {
      assert.equal(only(h.events, 'execution.finished').length, 0);
    }
  }
  // A repeated idle or reply (a tap that sees a message twice) changes nothing.
  for (const m of loadFixture('ok').slice(-2)) {
    h.recorder.handle(m);
  }
  assert.equal(only(h.events, 'execution.finished').length, 1);
});

test('started is emitted once even when a kernel sends no execute_input', () => {
  const h = harness();
  for (const m of loadFixture('print')) {
    if (m.msg.header.msg_type !== 'execute_input') {
      h.recorder.handle(m);
    }
  }
  const started = only(h.events, 'execution.started');
  assert.equal(started.length, 1);
  // Taken from `status: busy`, the first sign of the kernel working on it.
  assert.equal(
    started[0].kernelTime,
    dateOf('print', 'status', m => !isIdle(m))
  );
  assert.deepEqual(kinds(h.events).slice(0, 3), [
    'execution.requested',
    'execution.started',
    'execution.output'
  ]);
});

test('recordCode off leaves the source out but keeps its sha256', () => {
  const [requested] = only(
    record('ok', { recordCode: false }).events,
    'execution.requested'
  );
  assert.equal('source' in requested, false);
  assert.equal(requested.sourceSha256, sha256('x = 1'));
});

test('previews off leaves every preview out', () => {
  for (const name of ['print', 'display', 'result', 'error'] as const) {
    const [output] = only(
      record(name, { recordOutputPreviews: false }).events,
      'execution.output'
    );
    assert.equal('preview' in output, false, name);
  }
});

test('setOptions applies from the next message on', () => {
  const h = harness();
  h.recorder.setOptions({ recordCode: false });
  for (const m of loadFixture('ok')) {
    h.recorder.handle(m);
  }
  assert.equal(only(h.events, 'execution.requested')[0].source, undefined);
  assert.equal(h.recorder.options.recordOutputPreviews, true);
});

test('a preview longer than maxPreviewChars is cut and ends with …', () => {
  const [output] = only(
    record('print', { maxPreviewChars: 3 }).events,
    'execution.output'
  );
  assert.equal(output.preview, 'hel…');
});

test('outputs of one execution are indexed from 0 in arrival order', () => {
  const messages = loadFixture('print');
  const stream = messages.findIndex(m => m.msg.header.msg_type === 'stream');
  const twice = [
    ...messages.slice(0, stream + 1),
    messages[stream],
    ...messages.slice(stream + 1)
  ];
  const h = harness();
  twice.forEach(m => h.recorder.handle(m));
  assert.deepEqual(
    only(h.events, 'execution.output').map(o => o.index),
    [0, 1]
  );
});

test('each stream is also hashed whole, however the kernel chunked it', () => {
  const messages = loadFixture('print');
  const at = messages.findIndex(m => m.msg.header.msg_type === 'stream');
  const streamOf = (name: string, text: string): IObservedMessage =>
    ({
      ...messages[at],
      msg: { ...messages[at].msg, content: { name, text } }
    }) as IObservedMessage;
  const run = (chunks: IObservedMessage[]) => {
    const h = harness();
    [...messages.slice(0, at), ...chunks, ...messages.slice(at + 1)].forEach(
      m => h.recorder.handle(m)
    );
    return only(h.events, 'execution.finished')[0].streams;
  };
  const whole = run([
    streamOf('stdout', 'epoch 1\nepoch 2\n'),
    streamOf('stderr', 'warning\n')
  ]);
  const split = run([
    streamOf('stdout', 'epoch 1\nep'),
    streamOf('stderr', 'warning\n'),
    streamOf('stdout', 'och 2\n')
  ]);
  assert.deepEqual(whole, [
    { name: 'stdout', byteSize: 16, sha256: sha256('epoch 1\nepoch 2\n') },
    { name: 'stderr', byteSize: 8, sha256: sha256('warning\n') }
  ]);
  assert.deepEqual(split, whole);
  const silent = harness();
  loadFixture('ok').forEach(m => silent.recorder.handle(m));
  assert.equal(only(silent.events, 'execution.finished')[0].streams, undefined);
});

test('a 50 MB stream produces one event under 2 KB with the right hash', () => {
  const messages = loadFixture('print');
  const text = 'all work and no play makes jack a dull boy\n'.repeat(
    Math.ceil((50 * 1024 * 1024) / 43)
  );
  const huge = messages.map(m =>
    m.msg.header.msg_type === 'stream'
      ? { ...m, msg: { ...m.msg, content: { name: 'stdout', text } } }
      : m
  ) as IObservedMessage[];
  const h = harness();
  const started = performance.now();
  huge.forEach(m => h.recorder.handle(m));
  const ms = performance.now() - started;
  const [output] = only(h.events, 'execution.output');
  assert.ok(JSON.stringify(output).length < 2048);
  assert.equal(output.byteSize, text.length);
  assert.equal(output.sha256, sha256(text));
  assert.equal(output.preview, text.slice(0, 200) + '…');
  console.log(
    `# recorded a ${(text.length / 2 ** 20).toFixed(1)} MiB stream in ${ms.toFixed(0)} ms`
  );
});

test('endSession(died) finishes a pending execution as died', () => {
  const h = harness();
  const messages = loadFixture('interrupt');
  // The sleep is running: requested, busy, execute_input, nothing more.
  messages.slice(0, 3).forEach(m => h.recorder.handle(m));
  h.recorder.endSession('died');
  assert.deepEqual(kinds(h.events), [
    'execution.requested',
    'execution.started',
    'execution.finished',
    'session.ended'
  ]);
  const [finished] = only(h.events, 'execution.finished');
  assert.equal(finished.status, 'died');
  assert.deepEqual(only(h.events, 'session.ended')[0], {
    v: 1,
    t: FIXED_NOW.toISOString(),
    kind: 'session.ended',
    session: SESSION,
    reason: 'died'
  });
  assert.equal(h.recorder.pendingCount, 0);
  assert.equal(h.recorder.session, undefined);
});

test('endSession(restart) finishes a pending execution as died', () => {
  const h = harness();
  loadFixture('interrupt')
    .slice(0, 3)
    .forEach(m => h.recorder.handle(m));
  h.recorder.endSession('restart');
  assert.equal(only(h.events, 'execution.finished')[0].status, 'died');
});

test('endSession(shutdown) finishes a pending execution as aborted', () => {
  const h = harness();
  loadFixture('interrupt')
    .slice(0, 3)
    .forEach(m => h.recorder.handle(m));
  h.recorder.endSession('shutdown');
  assert.equal(only(h.events, 'execution.finished')[0].status, 'aborted');
});

test('endSession keeps the reply status of an execution that only lacked idle', () => {
  const h = harness();
  const messages = loadFixture('error');
  messages.filter(m => !isIdle(m)).forEach(m => h.recorder.handle(m));
  h.recorder.endSession('died');
  const [finished] = only(h.events, 'execution.finished');
  assert.equal(finished.status, 'error');
  assert.equal(finished.kernelTime, dateOf('error', 'execute_reply'));
});

test('startSession emits session.started with the tap and kernel', () => {
  const events: JournalEvent[] = [];
  const recorder = new Recorder({
    tap: 'frontend',
    emit: e => events.push(e),
    now: () => FIXED_NOW,
    options: {
      recordCode: true,
      recordOutputPreviews: true,
      maxPreviewChars: 9
    }
  });
  recorder.startSession({
    session: SESSION,
    kernel: { id: 'k', name: 'python3', language: 'python' },
    host: 'node042'
  });
  assert.deepEqual(events, [
    {
      v: 1,
      t: FIXED_NOW.toISOString(),
      kind: 'session.started',
      session: SESSION,
      tap: 'frontend',
      kernel: { id: 'k', name: 'python3', language: 'python' },
      host: 'node042'
    }
  ]);
  assert.equal(recorder.session, SESSION);
});

test('iopub traffic of another client’s execution is ignored', () => {
  const h = harness();
  loadFixture('print')
    .filter(m => m.direction === 'recv')
    .forEach(m => h.recorder.handle(m));
  assert.deepEqual(h.events, []);
  assert.deepEqual(h.errors, []);
});

test('an execute_request before startSession is reported, not recorded', () => {
  const events: JournalEvent[] = [];
  const errors: Error[] = [];
  const recorder = new Recorder({
    tap: 'agent',
    emit: e => events.push(e),
    options: {
      recordCode: true,
      recordOutputPreviews: true,
      maxPreviewChars: 9
    },
    onError: e => errors.push(e)
  });
  loadFixture('ok').forEach(m => recorder.handle(m));
  assert.deepEqual(events, []);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /before startSession/);
});

test('malformed messages do not throw and are reported via onError', () => {
  const h = harness();
  const [request, busy] = loadFixture('ok');
  h.recorder.handle(request);
  const broken: unknown[] = [
    undefined,
    { direction: 'recv' },
    { direction: 'recv', msg: { ...busy.msg, header: undefined } },
    { direction: 'recv', msg: { ...busy.msg, parent_header: undefined } },
    { direction: 'recv', msg: { ...busy.msg, content: undefined } },
    { direction: 'send', msg: { ...request.msg, content: undefined } },
    {
      direction: 'recv',
      msg: {
        ...busy.msg,
        header: { ...busy.msg.header, msg_type: 'stream' },
        content: { name: 'stdout' }
      }
    }
  ];
  for (const observed of broken) {
    assert.doesNotThrow(() =>
      h.recorder.handle(observed as unknown as IObservedMessage)
    );
  }
  assert.equal(h.errors.length, broken.length);
  // The recorder keeps working afterwards.
  loadFixture('ok')
    .slice(1)
    .forEach(m => h.recorder.handle(m));
  assert.equal(only(h.events, 'execution.finished').length, 1);
});

test('an emit that throws is reported and the execution is still forgotten', () => {
  const errors: Error[] = [];
  let fail = false;
  const recorder = new Recorder({
    tap: 'agent',
    emit: () => {
      if (fail) {
        throw new Error('disk full');
      }
    },
    options: {
      recordCode: true,
      recordOutputPreviews: true,
      maxPreviewChars: 9
    },
    onError: e => errors.push(e)
  });
  recorder.startSession({ session: SESSION, kernel: { id: 'k', name: 'p' } });
  fail = true;
  assert.doesNotThrow(() => loadFixture('ok').forEach(m => recorder.handle(m)));
  assert.ok(errors.length > 0);
  assert.equal(errors[0].message, 'disk full');
  assert.equal(recorder.pendingCount, 0);
});

/** The print fixture, renamed to execution `id`. */
function printAs(id: string): IObservedMessage[] {
  return loadFixture('print').map(m =>
    m.direction === 'send'
      ? { ...m, msg: { ...m.msg, header: { ...m.msg.header, msg_id: id } } }
      : {
          ...m,
          msg: {
            ...m.msg,
            parent_header: { ...m.msg.parent_header, msg_id: id }
          }
        }
  ) as IObservedMessage[];
}

test('an execution whose idle was dropped finishes when the next one starts', () => {
  const h = harness();
  const first = printAs('first').filter(m => !isIdle(m));
  const second = printAs('second');
  h.recorder.handle(first[0]);
  h.recorder.handle(second[0]);
  first.slice(1).forEach(m => h.recorder.handle(m));
  assert.equal(only(h.events, 'execution.finished').length, 0);
  // `busy` of the second: the first's idle is not coming any more.
  h.recorder.handle(second[1]);
  const [finished] = only(h.events, 'execution.finished');
  assert.equal(finished.execution, 'first');
  assert.equal(finished.kernelTime, dateOf('print', 'execute_reply'));
  second.slice(2).forEach(m => h.recorder.handle(m));
  assert.equal(only(h.events, 'execution.finished').length, 2);
  assert.equal(h.recorder.pendingCount, 0);
});

test('a reply arriving after the next execution started finishes at once', () => {
  const h = harness();
  const first = printAs('first');
  const reply = first.find(m => m.msg.header.msg_type === 'execute_reply')!;
  const second = printAs('second');
  h.recorder.handle(first[0]);
  h.recorder.handle(second[0]);
  first
    .slice(1)
    .filter(m => m !== reply && !isIdle(m))
    .forEach(m => h.recorder.handle(m));
  h.recorder.handle(second[1]);
  assert.equal(only(h.events, 'execution.finished').length, 0);
  h.recorder.handle(reply);
  assert.deepEqual(
    only(h.events, 'execution.finished').map(f => f.execution),
    ['first']
  );
});

test('memory does not grow with the number of executions', () => {
  const h = harness();
  const messages = loadFixture('print');
  for (let i = 0; i < 1000; i++) {
    const id = `req-${i}`;
    for (const m of messages) {
      const msg: KernelMessage.IMessage =
        m.direction === 'send'
          ? { ...m.msg, header: { ...m.msg.header, msg_id: id } }
          : {
              ...m.msg,
              parent_header: { ...m.msg.header, msg_id: id }
            };
      h.recorder.handle({ direction: m.direction, msg });
    }
  }
  assert.equal(only(h.events, 'execution.finished').length, 1000);
  assert.equal(h.recorder.pendingCount, 0);
});

/** An iopub message of the print fixture's execution with another type. */
function iopubLike(
  template: IObservedMessage,
  msgType: string,
  content: Record<string, unknown>
): IObservedMessage {
  return {
    ...template,
    msg: {
      ...template.msg,
      header: { ...template.msg.header, msg_type: msgType, msg_id: msgType },
      content
    }
  } as IObservedMessage;
}

test('update_display_data is recorded as an output; clear_output is not', () => {
  const h = harness();
  const messages = printAs('upd');
  const stream = messages.find(m => m.msg.header.msg_type === 'stream')!;
  const update = iopubLike(stream, 'update_display_data', {
    data: { 'text/plain': 'step 2 of 10' },
    metadata: {},
    transient: { display_id: 'progress' }
  });
  const clear = iopubLike(stream, 'clear_output', { wait: true });
  const at = messages.indexOf(stream) + 1;
  const all = [...messages.slice(0, at), clear, update, ...messages.slice(at)];
  all.forEach(m => h.recorder.handle(m));
  const outputs = only(h.events, 'execution.output');
  assert.deepEqual(
    outputs.map(o => [o.index, o.outputType]),
    [
      [0, 'stream'],
      [1, 'update_display_data']
    ]
  );
  assert.equal(outputs[1].preview, 'step 2 of 10');
  assert.equal(only(h.events, 'execution.finished').length, 1);
});
