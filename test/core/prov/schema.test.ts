/**
 * The serializer's output against the W3C PROV-JSON schema (draft-04), an
 * oracle we did not write. The schema has known defects
 * (../shared/oracles/README.md); they are patched here, on a copy, and
 * only in the direction of being at least as strict as the submission.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv-draft-04';
import { journalToProv } from '../../../src/core/projection/index.js';
import { toProvJson } from '../../../src/core/prov/index.js';
import { everyKindDocument } from '../fixtures/documents.js';
import { JOURNALS } from '../fixtures/journals.js';

type Json = { [key: string]: unknown };

/** The repository root: the nearest folder up from here with package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json'))) {
    const parent = dirname(dir);
    assert.notEqual(parent, dir, 'package.json not found above the tests');
    dir = parent;
  }
  return dir;
}

/** The published schema with its defects fixed. */
function patchedSchema(): Json {
  const file = resolve(repoRoot(), '../shared/oracles/prov-json.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const definitions = schema.definitions as Json;
  // Defect 1: the key is misspelled `wasEndedby` while the root and bundles
  // forbid other keys, so a correct `wasEndedBy` would be rejected.
  for (const container of [schema, definitions.bundle as Json]) {
    const properties = container.properties as Json;
    properties.wasEndedBy = properties.wasEndedby;
    delete properties.wasEndedby;
  }
  // Defect 2: `used` reuses the generation shape, which requires
  // prov:entity; a usage requires prov:activity (PROV-DM 5.1.4).
  const generation = definitions.generation as Json;
  definitions.usage = { ...generation, required: ['prov:activity'] };
  // Defect 3: the activity's start and end times sit beside `properties`,
  // so they are never checked; put them where they apply.
  const activity = definitions.activity as Json;
  activity.properties = {
    'prov:startTime': activity['prov:startTime'],
    'prov:endTime': activity['prov:endTime']
  };
  delete activity['prov:startTime'];
  delete activity['prov:endTime'];
  // Not patched: `format: uri` on references rejects `_:` blank nodes, and
  // we never refer to a blank node; `date-time` needs a timezone, as we do.
  return schema;
}

function validator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(patchedSchema());
}

const validate = validator();

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
