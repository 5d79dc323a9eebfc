/**
 * The serializer's output against the W3C PROV-JSON schema (draft-04), an
 * oracle we did not write. The schema has known defects
 * (../shared/oracles/README.md); they are patched here, on a copy, and
 * only in the direction of being at least as strict as the submission.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { journalToProv } from '../../../src/core/projection/index.js';
import { toProvJson } from '../../../src/core/prov/index.js';
import { w3cValidator } from '../../oracle/w3c-schema.js';
import { everyKindDocument } from '../fixtures/documents.js';
import { JOURNALS } from '../fixtures/journals.js';

const validate = w3cValidator();

function assertValid(json: unknown, what: string): void {
  const ok = validate(json);
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors, null, 2)}`);
}

test('the patched schema still rejects what the submission rejects', () => {
  assert.equal(validate({ prefix: {}, wasEndedby: {} }), false);
  assert.equal(
    validate({ activity: { 'ex:a': { 'prov:startTime': '10:00' } } }),
    false
  );
  assert.equal(validate({ used: { _x: { 'prov:entity': 'ex:e' } } }), false);
  assert.equal(
    validate({ entity: { 'ex:e': { 'ex:v': { $: 1, type: 'xsd:int' } } } }),
    false
  );
});

test('every element and relation kind validates against the schema', () => {
  assertValid(toProvJson(everyKindDocument()), 'every kind');
});

for (const [name, journal] of Object.entries(JOURNALS)) {
  test(`the projection of the ${name} journal validates against the schema`, () => {
    assertValid(toProvJson(journalToProv(journal())), name);
  });
}
