/**
 * What "Replay Lineage" plans and reports, without a kernel: the slice and
 * its refusals, the kernelspec chosen, output texts keyed as the comparison
 * names outputs, and the report and `replay.finished` made from a recorded
 * and a replayed journal.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ExecutionId,
  IsoTime,
  JournalEvent,
  JournalId,
  SessionId
} from '../../src/core/journal/events.js';
import { buildLineage } from '../../src/core/lineage/graph.js';
import type { ICellAnalysis } from '../../src/core/lineage/cell-analysis.js';
import { foldJournal } from '../../src/core/projection/journal-state.js';
import {
  OutputTexts,
  outputTextsOf
} from '../../src/lab/lineage/replay/output-text.js';
import {
  planReplay,
  replayKernelName,
  type IReplayPlan
} from '../../src/lab/lineage/replay/plan.js';
import {
  buildReport,
  replayFinishedEvent
} from '../../src/lab/lineage/replay/report.js';
import {
  at,
  created,
  finished,
  output,
  requested,
  sessionStarted,
  sha256,
  started
} from '../core/fixtures/journals.js';
import { analysisOf } from './analyses.js';

const label = (cellId: string | undefined) => `cell ${cellId ?? '?'}`;

const SOURCES = {
  seed: 'x = 2',
  draw: 'import random\nr = random.random() * x',
  show: 'print(r)'
};

const ANALYSES = new Map<string, ICellAnalysis>([
  [SOURCES.seed, analysisOf([], ['x'])],
  [SOURCES.draw, analysisOf(['x'], ['random', 'r'])],
  [SOURCES.show, analysisOf(['r'], [])],
  ['y = 1', analysisOf([], ['y'])]
]);

/** Finished with the whole-stream digest the recorder writes. */
function finishedPrinting(
  seconds: number,
  execution: string,
  count: number,
  stdout: string
): JournalEvent {
  return {
    ...finished(seconds, execution, 'ok', { executionCount: count }),
    streams: [
      {
        name: 'stdout',
        byteSize: Buffer.byteLength(stdout),
        sha256: sha256(stdout)
      }
    ]
  } as JournalEvent;
}

/** seed, an unrelated cell, draw, show (printing `printed`). */
function recordedJournal(options: { recordCode?: boolean } = {}) {
  const code = options.recordCode ?? true;
  return [
    created(),
    sessionStarted(0, 's1'),
    requested(1, 's1', 'r1', SOURCES.seed, 'seed', code),
    started(1.1, 'r1', 1),
    finished(1.2, 'r1', 'ok', { executionCount: 1 }),
    requested(2, 's1', 'r2', 'y = 1', 'other'),
    started(2.1, 'r2', 2),
    finished(2.2, 'r2', 'ok', { executionCount: 2 }),
    requested(3, 's1', 'r3', SOURCES.draw, 'draw'),
    started(3.1, 'r3', 3),
    finished(3.2, 'r3', 'ok', { executionCount: 3 }),
    requested(4, 's1', 'r4', SOURCES.show, 'show'),
    started(4.1, 'r4', 4),
    output(4.2, 'r4', 0, 'stream', '0.7\n', { stream: 'stdout' }),
    finishedPrinting(4.3, 'r4', 4, '0.7\n')
  ];
}

function planOf(events: JournalEvent[], cell: string) {
  const graph = buildLineage(foldJournal(events), {
    analyze: source => ANALYSES.get(source)
  });
  return planReplay(graph, cell, label);
}

function okPlan(events: JournalEvent[], cell: string): IReplayPlan {
  const result = planOf(events, cell);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.plan;
}

test('a replay runs the upstream slice of the cell’s latest execution, in recorded order, with the recorded code', () => {
  const plan = okPlan(recordedJournal(), 'show');
  assert.deepEqual(
    plan.steps.map(s => [s.cellId, s.source]),
    [
      ['seed', SOURCES.seed],
      ['draw', SOURCES.draw],
      ['show', SOURCES.show]
    ]
  );
  assert.equal(plan.target.execution.requested.execution, 'r4');
});

test('a cell that never ran cannot be replayed, and says so', () => {
  const result = planOf(recordedJournal(), 'never');
  assert.ok(!result.ok);
  assert.match(result.reason, /^Cell never has no recorded execution/);
});

test('a lineage whose code was not recorded cannot be replayed, naming the executions', () => {
  const result = planOf(recordedJournal({ recordCode: false }), 'show');
  assert.ok(!result.ok);
  assert.match(result.reason, /cell seed \(\[1\]\)/);
  assert.match(result.reason, /Record code/);
});

test('code that could not be analysed makes the replay run everything its session ran up to the cell', () => {
  const graph = buildLineage(foldJournal(recordedJournal()), {
    analyze: () => undefined
  });
  const result = planReplay(graph, 'show', label);
  assert.ok(result.ok);
  assert.equal(result.plan.wholeSession, true);
  assert.deepEqual(
    result.plan.steps.map(s => s.cellId),
    ['seed', 'other', 'draw', 'show']
  );
  assert.equal(okPlan(recordedJournal(), 'show').wholeSession, false);
});

test('the replay kernel is the recorded kernelspec, or the notebook’s when it wraps it', () => {
  const specs = {
    default: 'python3',
    kernelspecs: {
      python3: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python',
        argv: [],
        resources: {}
      },
      'python3-provenance': {
        name: 'python3-provenance',
        display_name: 'Python 3 (provenance)',
        language: 'python',
        argv: [],
        resources: {},
        metadata: { nbprov: { agent: true, protocol: 1, wraps: 'python3' } }
      },
      r: {
        name: 'r',
        display_name: 'R',
        language: 'R',
        argv: [],
        resources: {}
      }
    }
  };
  assert.equal(replayKernelName('python3', 'python3', specs), 'python3');
  assert.equal(
    replayKernelName('python3', 'python3-provenance', specs),
    'python3-provenance'
  );
  assert.equal(replayKernelName('python3', 'r', specs), 'python3');
  assert.equal(replayKernelName(undefined, 'r', specs), 'r');
  assert.equal(replayKernelName(undefined, undefined, specs), 'python3');
});

test('output texts are keyed as the comparison names outputs: streams whole by name, others by place and type', () => {
  const texts = new OutputTexts();
  texts.add('status', { execution_state: 'busy' });
  texts.add('stream', { name: 'stdout', text: 'a\n' });
  texts.add('execute_result', {
    data: { 'text/plain': '42', 'text/html': '<b>42</b>' }
  });
  texts.add('stream', { name: 'stdout', text: 'b\n' });
  texts.add('error', { ename: 'ValueError', evalue: 'bad', traceback: [] });
  assert.deepEqual(Object.fromEntries(texts.texts), {
    stdout: 'a\nb\n',
    '0 (execute_result)': '42',
    '1 (error)': 'ValueError: bad'
  });
  // nbformat keeps multiline strings as lists of lines.
  assert.deepEqual(
    Object.fromEntries(
      outputTextsOf([
        { output_type: 'stream', name: 'stdout', text: ['1\n', '2\n'] } as {
          output_type: string;
        }
      ])
    ),
    { stdout: '1\n2\n' }
  );
});

/** The replay's own journal: the plan's steps run again as `p1`, `p2`, …; `show` prints `printed`. */
function replayedJournal(printed: string, stopAfter?: number): JournalEvent[] {
  const events: JournalEvent[] = [created(10), sessionStarted(10, 'rs')];
  const steps: [string, string][] = [
    ['seed', SOURCES.seed],
    ['draw', SOURCES.draw],
    ['show', SOURCES.show]
  ];
  steps.slice(0, stopAfter).forEach(([cell, source], i) => {
    const id = `p${i + 1}`;
    events.push(
      requested(11 + i, 'rs', id, source, cell),
      started(11.1 + i, id, i + 1)
    );
    if (cell === 'show') {
      events.push(
        output(11.2 + i, id, 0, 'stream', printed, { stream: 'stdout' }),
        finishedPrinting(11.3 + i, id, i + 1, printed)
      );
    } else {
      events.push(finished(11.3 + i, id, 'ok', { executionCount: i + 1 }));
    }
  });
  return events;
}

function ids(count: number): Map<number, ExecutionId> {
  // Ordinals of seed, draw, show in the recorded journal: 1, 3, 4.
  return new Map(
    [1, 3, 4].slice(0, count).map((o, i) => [o, `p${i + 1}` as ExecutionId])
  );
}

test('a replay that prints what was recorded reproduces', () => {
  const plan = okPlan(recordedJournal(), 'show');
  const report = buildReport({
    steps: plan.steps,
    replayed: foldJournal(replayedJournal('0.7\n')),
    replayedIds: ids(3),
    recordedTexts: new Map(),
    replayedTexts: new Map()
  });
  assert.equal(report.verdict, 'reproduced');
  assert.deepEqual(
    report.rows.map(r => [r.run, r.verdict]),
    [
      ['[1]', 'reproduced'],
      ['[3]', 'reproduced'],
      ['[4]', 'reproduced']
    ]
  );
});

test('a replay that prints another number differs, naming the output, with a line diff where both texts are known', () => {
  const plan = okPlan(recordedJournal(), 'show');
  const report = buildReport({
    steps: plan.steps,
    replayed: foldJournal(replayedJournal('0.3\n')),
    replayedIds: ids(3),
    recordedTexts: new Map([[4, new Map([['stdout', '0.7\n']])]]),
    replayedTexts: new Map([[4, new Map([['stdout', '0.3\n']])]])
  });
  assert.equal(report.verdict, 'differs');
  const show = report.rows[2];
  assert.equal(show.verdict, 'differs');
  assert.equal(show.differences.length, 1);
  assert.equal(show.differences[0].output, 'stdout');
  assert.equal(show.differences[0].change, 'changed');
  assert.equal(show.differences[0].diff, '-0.7\n+0.3');
  assert.equal(report.rows[0].verdict, 'reproduced');
});

test('without the recorded text, a difference shows the previews the journal kept and the replayed text', () => {
  const plan = okPlan(recordedJournal(), 'show');
  const report = buildReport({
    steps: plan.steps,
    replayed: foldJournal(replayedJournal('0.3\n')),
    replayedIds: ids(3),
    recordedTexts: new Map(),
    replayedTexts: new Map([[4, new Map([['stdout', '0.3\n']])]])
  });
  const difference = report.rows[2].differences[0];
  assert.equal(difference.diff, undefined);
  assert.equal(difference.recordedPreview, '0.7\n');
  assert.equal(difference.replayedPreview, '0.3\n');
});

test('a cancelled replay fails, reporting what ran and what did not', () => {
  const plan = okPlan(recordedJournal(), 'show');
  const report = buildReport({
    steps: plan.steps,
    replayed: foldJournal(replayedJournal('0.7\n', 1)),
    replayedIds: ids(1),
    recordedTexts: new Map(),
    replayedTexts: new Map(),
    stopped: 'the replay was cancelled'
  });
  assert.equal(report.verdict, 'failed');
  assert.equal(report.stopped, 'the replay was cancelled');
  assert.deepEqual(
    report.rows.map(r => [r.verdict, r.note]),
    [
      ['reproduced', undefined],
      ['failed', 'not run: the replay was cancelled'],
      ['failed', 'not run: the replay was cancelled']
    ]
  );
});

test('an execution that errors in the replay but not in the recording failed, with the error', () => {
  const plan = okPlan(recordedJournal(), 'show');
  const replayed = replayedJournal('0.7\n');
  const i = replayed.findIndex(
    e => e.kind === 'execution.finished' && e.execution === 'p2'
  );
  replayed[i] = finished(12.3, 'p2', 'error', {
    executionCount: 2,
    error: { ename: 'NameError', evalue: "name 'x' is not defined" }
  });
  const report = buildReport({
    steps: plan.steps,
    replayed: foldJournal(replayed),
    replayedIds: ids(3),
    recordedTexts: new Map(),
    replayedTexts: new Map()
  });
  assert.equal(report.rows[1].verdict, 'failed');
  assert.equal(
    report.rows[1].note,
    "recorded ok, replayed error (NameError: name 'x' is not defined)"
  );
  assert.equal(report.verdict, 'failed');
});

test('replay.finished links every replayed execution to the one it replayed', () => {
  const plan = okPlan(recordedJournal(), 'show');
  const report = buildReport({
    steps: plan.steps,
    replayed: foldJournal(replayedJournal('0.3\n', 2)),
    replayedIds: ids(2),
    recordedTexts: new Map(),
    replayedTexts: new Map(),
    stopped: 'the replay was cancelled'
  });
  const event = replayFinishedEvent(
    report,
    {
      session: 'rs' as SessionId,
      journal: 'j-1' as JournalId,
      notebookPath: 'experiments/train.ipynb',
      cellId: 'show',
      target: 'r4' as ExecutionId
    },
    at(20) as IsoTime
  );
  assert.deepEqual(event, {
    v: 1,
    t: at(20),
    kind: 'replay.finished',
    session: 'rs',
    of: {
      journal: 'j-1',
      notebookPath: 'experiments/train.ipynb',
      cellId: 'show',
      execution: 'r4'
    },
    verdict: 'failed',
    executions: [
      {
        execution: 'p1',
        replayOf: 'r1',
        replayOfOrdinal: 1,
        verdict: 'reproduced'
      },
      {
        execution: 'p2',
        replayOf: 'r3',
        replayOfOrdinal: 3,
        verdict: 'reproduced'
      },
      { replayOf: 'r4', replayOfOrdinal: 4, verdict: 'failed' }
    ]
  });
});
