import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROV,
  ProvDocument,
  XSD,
  serializeProvJson,
  toProvJson
} from '../../../src/core/prov/index.js';
import { EX, T0, T1, everyKindDocument } from '../fixtures/documents.js';

test('the prefix block declares exactly the prefixes used, sorted', () => {
  const json = toProvJson(everyKindDocument());
  assert.deepEqual(json.prefix, {
    ex: 'https://example.org/ns#',
    prov: 'http://www.w3.org/ns/prov#',
    xsd: 'http://www.w3.org/2001/XMLSchema#'
  });
});

test('record kinds are written in the submission order', () => {
  const json = toProvJson(everyKindDocument());
  assert.deepEqual(Object.keys(json), [
    'prefix',
    'entity',
    'activity',
    'agent',
    'wasGeneratedBy',
    'used',
    'wasInformedBy',
    'wasStartedBy',
    'wasEndedBy',
    'wasDerivedFrom',
    'wasAttributedTo',
    'wasAssociatedWith',
    'actedOnBehalfOf',
    'specializationOf',
    'hadMember'
  ]);
});

test('typed literals and names are value objects with a string "$"', () => {
  const json = toProvJson(everyKindDocument());
  assert.deepEqual(json.entity?.['ex:e1'], {
    'prov:type': [
      { $: 'ex:Thing', type: 'xsd:QName' },
      { $: 'prov:Plan', type: 'xsd:QName' }
    ],
    'ex:ok': true,
    'ex:size': 12,
    'ex:when': { $: T0, type: 'xsd:dateTime' }
  });
});

test('activity times and relation times are bare xsd:dateTime strings', () => {
  const json = toProvJson(everyKindDocument());
  assert.deepEqual(json.activity?.['ex:a1'], {
    'prov:startTime': T0,
    'prov:endTime': T1,
    'prov:label': 'first'
  });
  assert.deepEqual(json.used?.['ex:u1'], {
    'prov:activity': 'ex:a1',
    'prov:entity': 'ex:e1',
    'prov:time': T0
  });
});

test('relations without an id get blank node ids numbered in record order', () => {
  const json = toProvJson(everyKindDocument());
  assert.deepEqual(Object.keys(json.wasGeneratedBy ?? {}), ['_:b1']);
  assert.deepEqual(Object.keys(json.wasEndedBy ?? {}), ['_:b10']);
  assert.deepEqual(json.wasAssociatedWith?.['_:b2'], {
    'prov:activity': 'ex:a1',
    'prov:agent': 'ex:bot',
    'prov:plan': 'ex:e1'
  });
});

test('the text is the object form, two-space indented, newline-terminated', () => {
  const d = everyKindDocument();
  const text = serializeProvJson(d);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(JSON.parse(text), toProvJson(d));
  assert.equal(serializeProvJson(d, { indent: 0 }).split('\n').length, 2);
});

test('the same records give the same bytes, whatever the attribute order', () => {
  const a = new ProvDocument([EX]);
  a.entity(EX.qn('e'), [
    [EX.qn('z'), 1],
    [PROV.qn('type'), EX.qn('T')],
    [EX.qn('a'), 'x']
  ]);
  const b = new ProvDocument([EX]);
  b.entity(EX.qn('e'), [
    [EX.qn('a'), 'x'],
    [EX.qn('z'), 1],
    [PROV.qn('type'), EX.qn('T')]
  ]);
  assert.equal(serializeProvJson(a), serializeProvJson(b));
  assert.deepEqual(Object.keys(toProvJson(a).entity?.['ex:e'] ?? {}), [
    'prov:type',
    'ex:a',
    'ex:z'
  ]);
});

test('an empty document still declares prov', () => {
  assert.deepEqual(toProvJson(new ProvDocument()), {
    prefix: { prov: 'http://www.w3.org/ns/prov#' }
  });
  assert.equal(XSD.prefix, 'xsd');
});
