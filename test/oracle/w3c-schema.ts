/**
 * The W3C PROV-JSON JSON Schema (../shared/oracles/prov-json.schema.json,
 * draft-04), an oracle we did not write, with its known defects patched on
 * a copy — only ever in the direction of being at least as strict as the
 * submission (see ../shared/oracles/README.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';

type Json = { [key: string]: unknown };

/** The repository root: the nearest folder up from here with package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('package.json not found above the tests');
    }
    dir = parent;
  }
  return dir;
}

/** The published schema with its defects fixed. */
export function patchedW3cSchema(): Json {
  // The workplace's copy when it is beside the repository (as in CI), else
  // the copy kept here so a lone clone can run the tests too.
  const shared = resolve(repoRoot(), '../shared/oracles/prov-json.schema.json');
  const file = existsSync(shared)
    ? shared
    : resolve(repoRoot(), 'test/oracle/prov-json.schema.json');
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

let compiled: ValidateFunction | undefined;

/** A validator for the patched schema, compiled once. */
export function w3cValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(patchedW3cSchema());
  }
  return compiled;
}

/** The schema's complaints about a document; empty when it is valid. */
export function validateAgainstW3cSchema(document: unknown): string[] {
  const validate = w3cValidator();
  if (validate(document)) {
    return [];
  }
  return (validate.errors ?? []).map(
    e => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`
  );
}
