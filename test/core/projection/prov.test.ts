import { test } from 'node:test';
import assert from 'node:assert/strict';
import { journalToProv } from '../../../src/core/projection/index.js';
import {
  ProvError,
  serializeProvJson,
  toProvJson
} from '../../../src/core/prov/index.js';
import type {
  ProvJsonDocument,
  ProvJsonRecord
} from '../../../src/core/prov/index.js';
import type { JournalEvent } from '../../../src/core/journal/events.js';
import {
  JOURNALS,
  JOURNAL_ID,
  LOAD,
  TRAIN,
  TRAIN_EDITED,
  at,
  created,
  emptyJournal,
  finished,
  oneSessionJournal,
  requested,
  restartJournal,
  sessionStarted,
  sha256,
  started
} from '../fixtures/journals.js';

function project(events: JournalEvent[]): ProvJsonDocument {
  return toProvJson(journalToProv(events));
}

function record(
  json: ProvJsonDocument,
  kind: keyof ProvJsonDocument,
  id: string
): ProvJsonRecord {
  const found = (json[kind] as Record<string, ProvJsonRecord> | undefined)?.[
    id
  ];
  assert.ok(found, `${String(kind)} ${id} is missing`);
  return found;
}

function qname(text: string): { $: string; type: string } {
  return { $: text, type: 'xsd:QName' };
}

/** Relations of a kind as [formal key, value] lists, ids aside. */
function relations(
  json: ProvJsonDocument,
  kind: keyof ProvJsonDocument
): ProvJsonRecord[] {
  return Object.values((json[kind] ?? {}) as Record<string, ProvJsonRecord>);
}

test('the run prefix is the journal id as a urn:uuid', () => {
  const json = project(oneSessionJournal());
  assert.equal(json.prefix.run, `urn:uuid:${JOURNAL_ID}#`);
  assert.equal(json.prefix.nbprov, 'https://w3id.org/nbprov/ns#');
  assert.equal(json.prefix.xsd, 'http://www.w3.org/2001/XMLSchema#');
});

test('an execution is a CellExecution with kernel-clock times, count, status and msg_id', () => {
  const exec = record(project(oneSessionJournal()), 'activity', 'run:exec-1');
  assert.deepEqual(exec, {
    'prov:startTime': at(10.01),
    'prov:endTime': at(11.4),
    'prov:type': qname('nbprov:CellExecution'),
    'nbprov:cellId': 'c-load',
    'nbprov:clock': 'kernel',
    'nbprov:executionCount': 1,
    'nbprov:msgId': 'msg-1',
    'nbprov:session': qname('run:session-1'),
    'nbprov:status': 'ok'
  });
});

test('the kernel start falls back to execute_reply metadata.started', () => {
  const events = [
    created(),
    sessionStarted(1, 's'),
    requested(10, 's', 'm', LOAD, 'c'),
    started(10.5, 'm', 1),
    finished(12, 'm', 'ok', { kernelStarted: 10.2, kernelEnd: 11.8 })
  ];
  const exec = record(project(events), 'activity', 'run:exec-1');
  assert.equal(exec['prov:startTime'], at(10.2));
  assert.equal(exec['prov:endTime'], at(11.8));
  assert.equal(exec['nbprov:clock'], 'kernel');
});

test('a failed execution carries the error name and message', () => {
  const exec = record(project(oneSessionJournal()), 'activity', 'run:exec-2');
  assert.equal(exec['nbprov:status'], 'error');
  assert.equal(exec['nbprov:errorName'], 'NameError');
  assert.equal(exec['nbprov:errorMessage'], "name 'fit' is not defined");
});

test('an interrupted execution is exported with its status', () => {
  const exec = record(project(oneSessionJournal()), 'activity', 'run:exec-4');
  assert.equal(exec['nbprov:status'], 'interrupted');
  assert.equal(exec['nbprov:errorName'], 'KeyboardInterrupt');
  assert.equal(exec['nbprov:errorMessage'], '');
});

test('an execution with no finish is running: a start and no end', () => {
  const exec = record(project(oneSessionJournal()), 'activity', 'run:exec-5');
  assert.equal(exec['nbprov:status'], 'running');
  assert.equal(exec['prov:startTime'], at(60.01));
  assert.equal(exec['prov:endTime'], undefined);
});

test('without the kernel end, both times come from the recorder clock', () => {
  const json = project(restartJournal());
  const died = record(json, 'activity', 'run:exec-2');
  assert.equal(died['nbprov:clock'], 'recorder');
  assert.equal(died['prov:startTime'], at(20.1));
  assert.equal(died['prov:endTime'], at(25));
  assert.equal(died['nbprov:status'], 'died');
});

test('an execution aborted in the queue spans its request to its finish', () => {
  const aborted = record(project(restartJournal()), 'activity', 'run:exec-5');
  assert.equal(aborted['nbprov:status'], 'aborted');
  assert.equal(aborted['prov:startTime'], at(43.1));
  assert.equal(aborted['prov:endTime'], at(50.1));
});

test('an end before the start is clamped to the start, and says so', () => {
  const skewed = record(project(restartJournal()), 'activity', 'run:exec-6');
  assert.equal(skewed['prov:startTime'], at(61));
  assert.equal(skewed['prov:endTime'], at(61));
  assert.equal(skewed['nbprov:endTimeClamped'], true);
  assert.deepEqual(skewed['nbprov:reportedEndTime'], {
    $: at(60.6),
    type: 'xsd:dateTime'
  });
});

test('the code that ran is a CellVersion and Plan, a specialization of its cell', () => {
  const json = project(oneSessionJournal());
  assert.deepEqual(record(json, 'entity', 'run:cell-c-load@v1'), {
    'prov:type': [qname('nbprov:CellVersion'), qname('prov:Plan')],
    'nbprov:cellId': 'c-load',
    'nbprov:sha256': sha256(LOAD),
    'nbprov:source': LOAD,
    'nbprov:version': 1
  });
  assert.deepEqual(record(json, 'entity', 'run:cell-c-load'), {
    'prov:type': qname('nbprov:Cell'),
    'nbprov:cellId': 'c-load'
  });
  assert.deepEqual(
    record(
      json,
      'specializationOf',
      'run:specializationOf.cell-c-load@v1.cell-c-load'
    ),
    {
      'prov:specificEntity': 'run:cell-c-load@v1',
      'prov:generalEntity': 'run:cell-c-load'
    }
  );
});

test('an edited cell gets a new version derived from the previous one', () => {
  const json = project(oneSessionJournal());
  assert.equal(
    record(json, 'entity', 'run:cell-c-train@v1')['nbprov:source'],
    TRAIN
  );
  assert.equal(
    record(json, 'entity', 'run:cell-c-train@v2')['nbprov:source'],
    TRAIN_EDITED
  );
  assert.deepEqual(relations(json, 'wasDerivedFrom'), [
    {
      'prov:generatedEntity': 'run:cell-c-train@v2',
      'prov:usedEntity': 'run:cell-c-train@v1',
      'prov:type': qname('prov:Revision')
    }
  ]);
});

test('re-running unchanged code reuses its version', () => {
  const json = project(restartJournal());
  assert.equal(
    record(json, 'entity', 'run:cell-c-load@v1')['nbprov:version'],
    1
  );
  assert.equal(json.entity?.['run:cell-c-load@v2'], undefined);
  const plans = relations(json, 'used').map(u => u['prov:entity']);
  assert.equal(plans.filter(p => p === 'run:cell-c-load@v1').length, 2);
});

test('source is left out when it was not recorded, its hash never', () => {
  const version = record(
    project(restartJournal()),
    'entity',
    'run:cell-c-train@v2'
  );
  assert.equal(version['nbprov:source'], undefined);
  assert.equal(version['nbprov:sha256'], sha256(TRAIN_EDITED));
});

test('code sent without a cell is a Plan named by its hash', () => {
  const json = project(restartJournal());
  const id = `run:code-${sha256('df.shape').slice(0, 16)}`;
  assert.deepEqual(record(json, 'entity', id)['prov:type'], [
    qname('nbprov:Code'),
    qname('prov:Plan')
  ]);
  assert.equal(
    record(json, 'activity', 'run:exec-6')['nbprov:cellId'],
    undefined
  );
});

test('the execution used its cell version and is associated with the kernel under that plan', () => {
  const json = project(oneSessionJournal());
  assert.deepEqual(record(json, 'used', 'run:used.exec-3.cell-c-train@v2'), {
    'prov:activity': 'run:exec-3',
    'prov:entity': 'run:cell-c-train@v2',
    'prov:time': at(30.005)
  });
  assert.deepEqual(
    record(json, 'wasAssociatedWith', 'run:wasAssociatedWith.exec-3.kernel-1'),
    {
      'prov:activity': 'run:exec-3',
      'prov:agent': 'run:kernel-1',
      'prov:plan': 'run:cell-c-train@v2'
    }
  );
});

test('outputs are Output entities generated by their execution', () => {
  const json = project(oneSessionJournal());
  const figure = record(json, 'entity', 'run:out-3-1');
  assert.deepEqual(figure, {
    'prov:type': qname('nbprov:Output'),
    'nbprov:byteSize': 21,
    'nbprov:index': 1,
    'nbprov:mimeTypes': 'image/png, text/plain',
    'nbprov:outputType': 'display_data',
    'nbprov:preview': '<Figure size 640x480>',
    'nbprov:sha256': sha256('<Figure size 640x480>')
  });
  assert.deepEqual(
    record(json, 'wasGeneratedBy', 'run:wasGeneratedBy.out-3-1.exec-3'),
    {
      'prov:entity': 'run:out-3-1',
      'prov:activity': 'run:exec-3',
      'prov:time': at(39.95)
    }
  );
  assert.equal(
    record(json, 'entity', 'run:out-1-0')['nbprov:streamName'],
    'stdout'
  );
});

test('a generation time outside its execution is left out', () => {
  const json = project(restartJournal());
  assert.deepEqual(
    record(json, 'wasGeneratedBy', 'run:wasGeneratedBy.out-6-0.exec-6'),
    {
      'prov:entity': 'run:out-6-0',
      'prov:activity': 'run:exec-6'
    }
  );
});

test('agents: the person, the kernel acting for them, the recorder', () => {
  const json = toProvJson(
    journalToProv(oneSessionJournal(), { recorderVersion: '9.9.9' })
  );
  assert.deepEqual(record(json, 'agent', 'run:person-alice'), {
    'prov:type': qname('prov:Person'),
    'nbprov:userName': 'alice'
  });
  const kernel = record(json, 'agent', 'run:kernel-1');
  assert.deepEqual(kernel['prov:type'], [
    qname('prov:SoftwareAgent'),
    qname('nbprov:Kernel')
  ]);
  assert.equal(kernel['nbprov:kernelName'], 'python3');
  assert.equal(kernel['nbprov:language'], 'python');
  assert.equal(kernel['nbprov:implementation'], 'ipython');
  assert.equal(kernel['nbprov:host'], 'gpu-node-07');
  assert.deepEqual(relations(json, 'actedOnBehalfOf'), [
    { 'prov:delegate': 'run:kernel-1', 'prov:responsible': 'run:person-alice' }
  ]);
  const recorder = record(json, 'agent', 'run:recorder');
  assert.equal(recorder['nbprov:version'], '0.1.0');
  assert.equal(recorder['nbprov:exporterVersion'], '9.9.9');
  assert.equal(recorder['nbprov:tap'], 'frontend');
});

test('a journal with no user has one anonymous person', () => {
  const json = project(emptyJournal());
  assert.deepEqual(Object.keys(json.agent ?? {}), [
    'run:person',
    'run:recorder'
  ]);
});

test('the notebook has its cells as members and is attributed to the person', () => {
  const json = project(oneSessionJournal());
  assert.deepEqual(record(json, 'entity', 'run:notebook'), {
    'prov:type': [qname('nbprov:Notebook'), qname('prov:Collection')],
    'nbprov:format': '4.5',
    'nbprov:journalId': JOURNAL_ID,
    'nbprov:path': 'experiments/train.ipynb'
  });
  assert.deepEqual(
    relations(json, 'hadMember').map(m => m['prov:entity']),
    [
      'run:cell-c-load',
      'run:cell-c-train',
      'run:cell-c-plot',
      'run:cell-c-sleep'
    ]
  );
  assert.deepEqual(relations(json, 'wasAttributedTo'), [
    { 'prov:entity': 'run:notebook', 'prov:agent': 'run:person-alice' }
  ]);
});

test('kernel sessions are activities with kernel id and end reason', () => {
  const json = project(restartJournal());
  assert.deepEqual(record(json, 'activity', 'run:session-1'), {
    'prov:startTime': at(1),
    'prov:endTime': at(26),
    'prov:type': qname('nbprov:KernelSession'),
    'nbprov:endReason': 'restart',
    'nbprov:kernelId': 'a3f9c1d2-0000-4000-8000-00000000k001',
    'nbprov:sessionId': 'sess-1',
    'nbprov:tap': 'agent'
  });
  assert.equal(
    record(json, 'activity', 'run:session-2')['nbprov:endReason'],
    'shutdown'
  );
  assert.deepEqual(
    record(json, 'activity', 'run:exec-3')['nbprov:session'],
    qname('run:session-2')
  );
  assert.deepEqual(
    record(
      json,
      'wasAssociatedWith',
      'run:wasAssociatedWith.session-2.kernel-2'
    ),
    { 'prov:activity': 'run:session-2', 'prov:agent': 'run:kernel-2' }
  );
});

test('consecutive executions of one session are linked, never across a restart', () => {
  const json = project(restartJournal());
  assert.deepEqual(
    relations(json, 'wasInformedBy').map(r => [
      r['prov:informed'],
      r['prov:informant']
    ]),
    [
      ['run:exec-2', 'run:exec-1'],
      ['run:exec-4', 'run:exec-3'],
      ['run:exec-5', 'run:exec-4'],
      ['run:exec-6', 'run:exec-5']
    ]
  );
});

test('events about executions the journal never requested are ignored', () => {
  const json = project(restartJournal());
  const execs = Object.values(json.activity ?? {}).filter(
    a => (a['prov:type'] as { $: string }).$ === 'nbprov:CellExecution'
  );
  assert.equal(execs.length, 6);
  assert.ok(!JSON.stringify(json).includes('msg-stray'));
});

test('a journal without journal.created is refused with a reason', () => {
  assert.throws(
    () => journalToProv(oneSessionJournal().slice(1)),
    (error: unknown) =>
      error instanceof ProvError && /journal\.created/.test(error.message)
  );
});

test('the same journal always gives byte-identical PROV-JSON', () => {
  for (const journal of Object.values(JOURNALS)) {
    const a = serializeProvJson(journalToProv(journal()));
    const b = serializeProvJson(journalToProv(journal()));
    assert.equal(a, b);
  }
});

test('the projection does not change the events it reads', () => {
  const events = Object.freeze(oneSessionJournal().map(e => Object.freeze(e)));
  assert.doesNotThrow(() => journalToProv(events));
});

/** Causality (PROV-CONSTRAINTS): starts before ends, uses and generations inside. */
for (const [name, journal] of Object.entries(JOURNALS)) {
  test(`causality holds in the ${name} journal's document`, () => {
    const json = project(journal());
    const ms = (t: unknown): number => Date.parse(t as string);
    const activities = (json.activity ?? {}) as Record<string, ProvJsonRecord>;
    for (const [id, a] of Object.entries(activities)) {
      if (a['prov:endTime'] !== undefined) {
        assert.ok(ms(a['prov:startTime']) <= ms(a['prov:endTime']), id);
      }
    }
    for (const kind of ['used', 'wasGeneratedBy'] as const) {
      for (const r of relations(json, kind)) {
        if (r['prov:time'] === undefined) {
          continue;
        }
        const a = activities[r['prov:activity'] as string];
        assert.ok(ms(a['prov:startTime']) <= ms(r['prov:time']), kind);
        if (a['prov:endTime'] !== undefined) {
          assert.ok(ms(r['prov:time']) <= ms(a['prov:endTime']), kind);
        }
      }
    }
    const generated = relations(json, 'wasGeneratedBy').map(
      g => g['prov:entity']
    );
    assert.equal(new Set(generated).size, generated.length, 'generated once');
  });
}

test('cell ids that are not name-safe are percent-encoded in ids', () => {
  const events = [
    created(),
    sessionStarted(1, 's'),
    requested(2, 's', 'm', LOAD, 'a b.c/d')
  ];
  const json = project(events);
  assert.ok(record(json, 'entity', 'run:cell-a%20b%2Ec%2Fd@v1'));
  assert.equal(
    record(json, 'entity', 'run:cell-a%20b%2Ec%2Fd')['nbprov:cellId'],
    'a b.c/d'
  );
});
