/**
 * PROV-JSON serializer (W3C member submission "PROV-JSON", 2013).
 *
 * Deterministic: the same document gives byte-identical text. Keys are
 * written in a fixed order: `prefix` first (prefixes sorted), then record
 * kinds in the submission's order, records in the order they were added to
 * the document, formal attributes in PROV-DM order and other attributes
 * sorted by name.
 */

import {
  ProvDocument,
  QualifiedName,
  RECORD_KINDS,
  TypedLiteral,
  XSD
} from './model.js';
import type { LiteralValue, IProvRecord, RecordKind } from './model.js';

/** A value object (submission section 3.1.2); `$` is always a string. */
export interface IProvJsonTypedValue {
  readonly $: string;
  readonly type: string;
}

export type ProvJsonValue = string | number | boolean | IProvJsonTypedValue;

export type ProvJsonAttributeValue = ProvJsonValue | readonly ProvJsonValue[];

/** One record's JSON object: attribute key → value. */
export type ProvJsonRecord = { readonly [key: string]: ProvJsonAttributeValue };

/** A PROV-JSON document: `prefix` and one object per record kind present. */
export type ProvJsonDocument = {
  readonly prefix: { readonly [prefix: string]: string };
} & {
  readonly [K in RecordKind]?: { readonly [id: string]: ProvJsonRecord };
};

export interface IProvJsonOptions {
  /** Spaces per indentation level; 0 writes one line. Default 2. */
  readonly indent?: number;
}

/**
 * The PROV-JSON object of a document. Relations added without an id get a
 * blank node id `_:b<n>`, numbered in record order; readers such as the
 * Python `prov` package renumber blank nodes, so give an id to any
 * relation that must keep its name through a round trip.
 */
export function toProvJson(doc: ProvDocument): ProvJsonDocument {
  const prefix: Record<string, string> = {};
  for (const namespace of doc.usedNamespaces) {
    prefix[namespace.prefix] = namespace.uri;
  }
  const blankIds = new Map<IProvRecord, string>();
  let blank = 0;
  for (const record of doc.records) {
    if (!record.id) {
      blank += 1;
      blankIds.set(record, `_:b${blank}`);
    }
  }
  const out: Record<string, unknown> = { prefix };
  for (const kind of RECORD_KINDS) {
    const records = doc.recordsOf(kind);
    if (records.length === 0) {
      continue;
    }
    const group: Record<string, ProvJsonRecord> = {};
    for (const record of records) {
      const id = record.id
        ? String(record.id)
        : (blankIds.get(record) as string);
      group[id] = recordJson(record);
    }
    out[kind] = group;
  }
  return out as ProvJsonDocument;
}

/** The PROV-JSON text of a document, ending with a newline. */
export function serializeProvJson(
  doc: ProvDocument,
  options: IProvJsonOptions = {}
): string {
  const indent = options.indent ?? 2;
  return JSON.stringify(toProvJson(doc), null, indent || undefined) + '\n';
}

function recordJson(record: IProvRecord): ProvJsonRecord {
  const json: Record<string, ProvJsonAttributeValue> = {};
  for (const [spec, value] of record.formal) {
    // The submission writes references as bare names and times as bare
    // xsd:dateTime strings (its examples, and the schema's `date-time`).
    json[spec.key] = String(value);
  }
  for (const [name, values] of record.attributes) {
    const encoded = values.map(valueJson);
    json[String(name)] = encoded.length === 1 ? encoded[0] : encoded;
  }
  return json;
}

function valueJson(value: LiteralValue): ProvJsonValue {
  if (value instanceof QualifiedName) {
    // Section 3.1.2 types a qualified name value as xsd:QName; `prov`
    // reads it back as a name, not a string.
    return { $: String(value), type: String(XSD.qn('QName')) };
  }
  if (value instanceof TypedLiteral) {
    return { $: value.value, type: String(value.datatype) };
  }
  return value;
}
