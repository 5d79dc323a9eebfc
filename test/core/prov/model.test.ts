import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Namespace,
  PROV,
  ProvDocument,
  ProvError,
  QualifiedName,
  TypedLiteral,
  XSD,
  dateTimeLiteral
} from '../../../src/core/prov/index.js';
import type { Attributes } from '../../../src/core/prov/index.js';

const EX = new Namespace('ex', 'https://example.org/ns#');
const OTHER = new Namespace('other', 'https://example.org/other#');

function doc(): ProvDocument {
  return new ProvDocument([EX]);
}

/** Runtime values the types forbid, as a caller without types could pass. */
function unchecked(value: unknown): Attributes {
  return [[EX.qn('bad'), value]] as unknown as Attributes;
}

test('a qualified name reads as prefix:local and knows its IRI', () => {
  const name = EX.qn('cell-3f2a@v4');
  assert.equal(String(name), 'ex:cell-3f2a@v4');
  assert.equal(name.uri, 'https://example.org/ns#cell-3f2a@v4');
});

test('namespaces need a plain prefix and an absolute IRI', () => {
  assert.throws(() => new Namespace('1x', 'https://e.org/#'), ProvError);
  assert.throws(() => new Namespace('ex', 'relative/path#'), ProvError);
  assert.throws(() => new Namespace('ex', 'https://e.org/a b#'), ProvError);
});

test('local parts with spaces, quotes or a trailing dot are refused', () => {
  for (const local of ['a b', 'a"b', 'end.', '', '-x', 'a,b']) {
    assert.throws(() => EX.qn(local), ProvError, local);
  }
});

test('a prefix cannot be bound to two IRIs', () => {
  const d = doc();
  assert.throws(
    () => d.addNamespace(new Namespace('ex', 'https://elsewhere.org/#')),
    /already bound/
  );
  assert.doesNotThrow(() => d.addNamespace(EX));
});

test('names with undeclared prefixes are refused everywhere', () => {
  const d = doc();
  assert.throws(() => d.entity(OTHER.qn('e')), /not declared/);
  assert.throws(
    () => d.entity(EX.qn('e'), [[OTHER.qn('a'), 1]]),
    /not declared/
  );
  assert.throws(
    () => d.entity(EX.qn('e'), [[EX.qn('a'), OTHER.qn('v')]]),
    /not declared/
  );
  assert.throws(
    () =>
      d.entity(EX.qn('e'), [
        [EX.qn('a'), new TypedLiteral('1', OTHER.qn('t'))]
      ]),
    /not declared/
  );
  assert.throws(
    () => d.add({ kind: 'used', activity: EX.qn('a'), entity: OTHER.qn('e') }),
    /not declared/
  );
  assert.equal(d.records.length, 0);
});

test('a prefix spelled like a declared one but with another IRI is refused', () => {
  const impostor = new Namespace('ex', 'https://impostor.org/#');
  assert.throws(() => doc().entity(impostor.qn('e')), /binds it to/);
});

test('null, undefined, empty lists and nested objects are refused at run time', () => {
  const d = doc();
  for (const bad of [
    null,
    undefined,
    [],
    {},
    { $: 'x' },
    [[1]],
    NaN,
    Infinity
  ]) {
    assert.throws(() => d.entity(EX.qn('e'), unchecked(bad)), ProvError);
  }
  assert.equal(d.records.length, 0);
});

test('null, empty lists and nested objects are refused by the types', () => {
  const d = doc();
  // Compiled, not run: each line must fail to type-check.
  const typeOnly = (): void => {
    // @ts-expect-error null is not a PROV value
    d.entity(EX.qn('e'), [[EX.qn('a'), null]]);
    // @ts-expect-error undefined is not a PROV value
    d.entity(EX.qn('e'), [[EX.qn('a'), undefined]]);
    // @ts-expect-error an empty list is not a PROV value
    d.entity(EX.qn('e'), [[EX.qn('a'), []]]);
    // @ts-expect-error a nested object is not a PROV value
    d.entity(EX.qn('e'), [[EX.qn('a'), { nested: 1 }]]);
  };
  assert.equal(typeof typeOnly, 'function');
});

test('values may be strings, numbers, booleans, typed literals, names and lists', () => {
  const d = doc();
  const record = d.entity(EX.qn('e'), [
    [EX.qn('s'), ''],
    [EX.qn('n'), 1.5],
    [EX.qn('b'), false],
    [EX.qn('t'), dateTimeLiteral('2026-11-24T10:00:00.000Z')],
    [PROV.qn('type'), [EX.qn('A'), PROV.qn('Plan')]]
  ]);
  assert.equal(record.attributes.length, 5);
});

test('one id names one record: an identical repeat is a no-op', () => {
  const d = doc();
  const first = d.entity(EX.qn('e'), [
    [EX.qn('a'), 1],
    [EX.qn('b'), 'x']
  ]);
  const again = d.entity(EX.qn('e'), [
    [EX.qn('b'), 'x'],
    [EX.qn('a'), 1]
  ]);
  assert.equal(again, first);
  assert.equal(d.records.length, 1);
});

test('one id names one record: a different record with that id is an error', () => {
  const d = doc();
  d.entity(EX.qn('e'), [[EX.qn('a'), 1]]);
  assert.throws(() => d.entity(EX.qn('e'), [[EX.qn('a'), 2]]), /different/);
  assert.throws(() => d.agent(EX.qn('e'), [[EX.qn('a'), 1]]), /different/);
  assert.throws(() =>
    d.add({ kind: 'used', id: EX.qn('e'), activity: EX.qn('x') })
  );
});

test('relations without ids are never merged', () => {
  const d = doc();
  d.add({ kind: 'used', activity: EX.qn('a'), entity: EX.qn('e') });
  d.add({ kind: 'used', activity: EX.qn('a'), entity: EX.qn('e') });
  assert.equal(d.recordsOf('used').length, 2);
});

test('an activity cannot end before it starts', () => {
  assert.throws(
    () =>
      doc().activity(
        EX.qn('a'),
        '2026-11-24T10:00:01.000Z',
        '2026-11-24T10:00:00.000Z'
      ),
    /before it starts/
  );
});

test('times need a timezone', () => {
  assert.throws(
    () => doc().activity(EX.qn('a'), '2026-11-24T10:00:00'),
    /timezone/
  );
  assert.throws(() => dateTimeLiteral('yesterday'), /timezone/);
  assert.throws(
    () =>
      doc().add({
        kind: 'wasGeneratedBy',
        entity: EX.qn('e'),
        time: '2026-13-45T99:00:00Z'
      }),
    ProvError
  );
});

test('required references must be given', () => {
  const missing = {
    kind: 'wasInformedBy',
    informed: EX.qn('a')
  } as unknown as {
    kind: 'wasInformedBy';
    informed: QualifiedName;
    informant: QualifiedName;
  };
  assert.throws(() => doc().add(missing), /prov:informant' is required/);
});

test('formal attributes cannot be smuggled in as other attributes', () => {
  assert.throws(
    () =>
      doc().add({
        kind: 'used',
        activity: EX.qn('a'),
        attributes: [[PROV.qn('entity'), EX.qn('e')]]
      }),
    /formal attribute/
  );
});

test('an attribute given twice is an error, not a silent merge', () => {
  assert.throws(
    () =>
      doc().entity(EX.qn('e'), [
        [EX.qn('a'), 1],
        [EX.qn('a'), 2]
      ]),
    /given twice/
  );
});

test('used prefixes are tracked: prov always, others when they appear', () => {
  const d = new ProvDocument([EX, OTHER]);
  assert.deepEqual(
    d.usedNamespaces.map(ns => ns.prefix),
    ['prov']
  );
  d.entity(EX.qn('e'), [[PROV.qn('type'), EX.qn('T')]]);
  assert.deepEqual(
    d.usedNamespaces.map(ns => ns.prefix),
    ['ex', 'prov', 'xsd']
  );
  assert.ok(!d.usedNamespaces.includes(OTHER));
  assert.equal(XSD.uri, 'http://www.w3.org/2001/XMLSchema#');
});
