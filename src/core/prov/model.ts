/**
 * A small typed W3C PROV model (PROV-DM), cut like the Python `prov`
 * package: namespaces and qualified names, literal values, records, and a
 * document that holds them. Serializers live one per format beside it
 * (`provjson.ts`).
 *
 * The document is strict where PROV-JSON readers are lenient: the Python
 * `prov` package silently drops names with undeclared prefixes and null
 * values, so every such mistake is refused here, when the record is added.
 */

/** Thrown when a record or value would make the document invalid. */
export class ProvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvError';
  }
}

// PROV-JSON's schema allows `^[a-zA-Z0-9_\-]+$`; a leading letter also keeps
// the prefix a valid PROV-N / XML NCName prefix.
const PREFIX_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;
// An absolute IRI: a scheme, then no characters RFC 3987 forbids.
const IRI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/;
// A subset of PROV-N's PN_LOCAL (PROV-N section 3.7.1) that also reads as
// a URI path in the W3C schema's `format: uri` checks.
const LOCAL_RE = /^[A-Za-z0-9_][A-Za-z0-9_.@~%+/-]*$/;
// xsd:dateTime with a mandatory timezone, as PROV-MAPPING.md requires.
const DATETIME_RE =
  /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A namespace: a prefix bound to an absolute IRI. */
export class Namespace {
  readonly prefix: string;
  readonly uri: string;

  constructor(prefix: string, uri: string) {
    if (!PREFIX_RE.test(prefix)) {
      throw new ProvError(
        `Invalid namespace prefix '${prefix}': use a letter followed by ` +
          'letters, digits, "_" or "-".'
      );
    }
    if (!IRI_RE.test(uri)) {
      throw new ProvError(
        `Namespace '${prefix}' needs an absolute IRI, got '${uri}'.`
      );
    }
    this.prefix = prefix;
    this.uri = uri;
    Object.freeze(this);
  }

  /** The qualified name `prefix:localPart` in this namespace. */
  qn(localPart: string): QualifiedName {
    return new QualifiedName(this, localPart);
  }
}

/** A qualified name (PROV-DM 5.7.1): a namespace and a local part. */
export class QualifiedName {
  readonly namespace: Namespace;
  readonly localPart: string;

  constructor(namespace: Namespace, localPart: string) {
    if (!LOCAL_RE.test(localPart) || localPart.endsWith('.')) {
      throw new ProvError(
        `Invalid local part '${localPart}' in namespace ` +
          `'${namespace.prefix}': percent-encode characters other than ` +
          'letters, digits and _ . @ ~ % + / -.'
      );
    }
    this.namespace = namespace;
    this.localPart = localPart;
    Object.freeze(this);
  }

  /** The PROV-N / PROV-JSON text, `prefix:localPart`. */
  toString(): string {
    return `${this.namespace.prefix}:${this.localPart}`;
  }

  /** The full IRI this name stands for. */
  get uri(): string {
    return this.namespace.uri + this.localPart;
  }

  equals(other: QualifiedName): boolean {
    return (
      this.localPart === other.localPart &&
      this.namespace.prefix === other.namespace.prefix &&
      this.namespace.uri === other.namespace.uri
    );
  }
}

/** The PROV namespace; implicitly used by every record's formal attributes. */
export const PROV = new Namespace('prov', 'http://www.w3.org/ns/prov#');
/** XML Schema datatypes (note `2001`). */
export const XSD = new Namespace('xsd', 'http://www.w3.org/2001/XMLSchema#');

/** A literal with an explicit datatype, e.g. `{value, datatype: xsd:dateTime}`. */
export class TypedLiteral {
  readonly value: string;
  readonly datatype: QualifiedName;

  constructor(value: string, datatype: QualifiedName) {
    if (typeof value !== 'string') {
      throw new ProvError('A typed literal value must be a string.');
    }
    if (datatype.equals(XSD.qn('dateTime'))) {
      assertDateTime(value, 'typed literal');
    }
    this.value = value;
    this.datatype = datatype;
    Object.freeze(this);
  }
}

/** An `xsd:dateTime` typed literal (timezone required). */
export function dateTimeLiteral(value: string): TypedLiteral {
  return new TypedLiteral(value, XSD.qn('dateTime'));
}

/**
 * One attribute value: a string, a finite number, a boolean, a typed literal
 * or a qualified name (written as an `xsd:QName` value).
 */
export type LiteralValue =
  string | number | boolean | TypedLiteral | QualifiedName;

/** A value or a non-empty list of values; never null, `[]`, or an object. */
export type AttributeValue =
  LiteralValue | readonly [LiteralValue, ...LiteralValue[]];

/** Attributes as (name, value) pairs, the shape the Python package takes. */
export type Attributes = ReadonlyArray<
  readonly [QualifiedName, AttributeValue]
>;

/** A point in time: `xsd:dateTime` text with a timezone. */
export type ProvTime = string;

/** The PROV element kinds. */
export type ElementKind = 'entity' | 'activity' | 'agent';

/** The PROV relation kinds this model supports (PROV-JSON key names). */
export type RelationKind =
  | 'used'
  | 'wasGeneratedBy'
  | 'wasAssociatedWith'
  | 'wasInformedBy'
  | 'wasAttributedTo'
  | 'actedOnBehalfOf'
  | 'specializationOf'
  | 'wasDerivedFrom'
  | 'hadMember'
  | 'wasStartedBy'
  | 'wasEndedBy';

export type RecordKind = ElementKind | RelationKind;

interface IRecordInitBase {
  readonly attributes?: Attributes;
}

interface IRelationInitBase extends IRecordInitBase {
  /** Omitted: the serializer writes a blank node id `_:...`. */
  readonly id?: QualifiedName;
}

export interface IEntityInit extends IRecordInitBase {
  readonly kind: 'entity';
  readonly id: QualifiedName;
}

export interface IActivityInit extends IRecordInitBase {
  readonly kind: 'activity';
  readonly id: QualifiedName;
  readonly startTime?: ProvTime;
  readonly endTime?: ProvTime;
}

export interface IAgentInit extends IRecordInitBase {
  readonly kind: 'agent';
  readonly id: QualifiedName;
}

export interface IUsedInit extends IRelationInitBase {
  readonly kind: 'used';
  readonly activity: QualifiedName;
  readonly entity?: QualifiedName;
  readonly time?: ProvTime;
}

export interface IWasGeneratedByInit extends IRelationInitBase {
  readonly kind: 'wasGeneratedBy';
  readonly entity: QualifiedName;
  readonly activity?: QualifiedName;
  readonly time?: ProvTime;
}

export interface IWasAssociatedWithInit extends IRelationInitBase {
  readonly kind: 'wasAssociatedWith';
  readonly activity: QualifiedName;
  readonly agent?: QualifiedName;
  readonly plan?: QualifiedName;
}

export interface IWasInformedByInit extends IRelationInitBase {
  readonly kind: 'wasInformedBy';
  readonly informed: QualifiedName;
  readonly informant: QualifiedName;
}

export interface IWasAttributedToInit extends IRelationInitBase {
  readonly kind: 'wasAttributedTo';
  readonly entity: QualifiedName;
  readonly agent: QualifiedName;
}

export interface IActedOnBehalfOfInit extends IRelationInitBase {
  readonly kind: 'actedOnBehalfOf';
  readonly delegate: QualifiedName;
  readonly responsible: QualifiedName;
  readonly activity?: QualifiedName;
}

export interface ISpecializationOfInit extends IRelationInitBase {
  readonly kind: 'specializationOf';
  readonly specificEntity: QualifiedName;
  readonly generalEntity: QualifiedName;
}

export interface IWasDerivedFromInit extends IRelationInitBase {
  readonly kind: 'wasDerivedFrom';
  readonly generatedEntity: QualifiedName;
  readonly usedEntity: QualifiedName;
  readonly activity?: QualifiedName;
  readonly generation?: QualifiedName;
  readonly usage?: QualifiedName;
}

export interface IHadMemberInit extends IRelationInitBase {
  readonly kind: 'hadMember';
  readonly collection: QualifiedName;
  readonly entity: QualifiedName;
}

export interface IWasStartedByInit extends IRelationInitBase {
  readonly kind: 'wasStartedBy';
  readonly activity: QualifiedName;
  readonly trigger?: QualifiedName;
  readonly starter?: QualifiedName;
  readonly time?: ProvTime;
}

export interface IWasEndedByInit extends IRelationInitBase {
  readonly kind: 'wasEndedBy';
  readonly activity: QualifiedName;
  readonly trigger?: QualifiedName;
  readonly ender?: QualifiedName;
  readonly time?: ProvTime;
}

/** What `ProvDocument.add` takes: one record, discriminated by `kind`. */
export type ProvRecordInit =
  | IEntityInit
  | IActivityInit
  | IAgentInit
  | IUsedInit
  | IWasGeneratedByInit
  | IWasAssociatedWithInit
  | IWasInformedByInit
  | IWasAttributedToInit
  | IActedOnBehalfOfInit
  | ISpecializationOfInit
  | IWasDerivedFromInit
  | IHadMemberInit
  | IWasStartedByInit
  | IWasEndedByInit;

/** A formal (PROV-defined) attribute: a reference or a time. */
export interface IFormalAttributeSpec {
  /** The property of the init object. */
  readonly field: string;
  /** The PROV-JSON key, e.g. `prov:activity`. */
  readonly key: string;
  readonly type: 'ref' | 'time';
  readonly required: boolean;
}

function ref(field: string, required = false): IFormalAttributeSpec {
  return { field, key: `prov:${field}`, type: 'ref', required };
}

function time(field: string): IFormalAttributeSpec {
  return { field, key: `prov:${field}`, type: 'time', required: false };
}

/**
 * The formal attributes of each record kind, in the order of the PROV-DM
 * definitions (and of the PROV-JSON submission's examples); the serializer
 * writes them in this order.
 */
export const FORMAL_ATTRIBUTES: {
  readonly [K in RecordKind]: readonly IFormalAttributeSpec[];
} = {
  entity: [],
  activity: [time('startTime'), time('endTime')],
  agent: [],
  used: [ref('activity', true), ref('entity'), time('time')],
  wasGeneratedBy: [ref('entity', true), ref('activity'), time('time')],
  wasAssociatedWith: [ref('activity', true), ref('agent'), ref('plan')],
  wasInformedBy: [ref('informed', true), ref('informant', true)],
  wasAttributedTo: [ref('entity', true), ref('agent', true)],
  actedOnBehalfOf: [
    ref('delegate', true),
    ref('responsible', true),
    ref('activity')
  ],
  specializationOf: [ref('specificEntity', true), ref('generalEntity', true)],
  wasDerivedFrom: [
    ref('generatedEntity', true),
    ref('usedEntity', true),
    ref('activity'),
    ref('generation'),
    ref('usage')
  ],
  hadMember: [ref('collection', true), ref('entity', true)],
  wasStartedBy: [
    ref('activity', true),
    ref('trigger'),
    ref('starter'),
    time('time')
  ],
  wasEndedBy: [
    ref('activity', true),
    ref('trigger'),
    ref('ender'),
    time('time')
  ]
};

/** Element kinds first, then relations, in the submission's order. */
export const RECORD_KINDS: readonly RecordKind[] = [
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
];

const ELEMENT_KINDS: ReadonlySet<RecordKind> = new Set([
  'entity',
  'activity',
  'agent'
]);

/** A formal attribute's value: a reference (name) or a time (text). */
export type FormalValue = QualifiedName | ProvTime;

/** A record as the document holds it: validated, normalized, frozen. */
export interface IProvRecord {
  readonly kind: RecordKind;
  readonly id: QualifiedName | undefined;
  /** Formal attributes present, in `FORMAL_ATTRIBUTES` order. */
  readonly formal: ReadonlyArray<readonly [IFormalAttributeSpec, FormalValue]>;
  /**
   * Other attributes, `prov:` ones (type, label, role) first, then sorted
   * by name text, so that two records that differ only in the order their
   * attributes were given are the same record.
   */
  readonly attributes: ReadonlyArray<
    readonly [QualifiedName, readonly LiteralValue[]]
  >;
}

/** Whether a kind is an element (entity, activity, agent). */
export function isElementKind(kind: RecordKind): kind is ElementKind {
  return ELEMENT_KINDS.has(kind);
}

function assertDateTime(value: unknown, where: string): void {
  if (
    typeof value !== 'string' ||
    !DATETIME_RE.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new ProvError(
      `${where}: '${String(value)}' is not an xsd:dateTime with a timezone ` +
        '(e.g. 2026-11-24T10:00:00.000Z).'
    );
  }
}

/**
 * A PROV document: one bundle of records with its namespaces.
 *
 * One record per id, across all kinds: adding a record whose id is already
 * taken is accepted only when the new record is identical (same kind, same
 * formal and other attributes, attribute order aside), and then does
 * nothing. This lets a projection state a fact twice (a cell seen in two
 * executions) while any disagreement about a record is an error, never a
 * silent merge. PROV-DM allows one id to be described by several
 * statements; we do not, so each id maps to exactly one JSON object.
 */
export class ProvDocument {
  private readonly _namespaces = new Map<string, Namespace>();
  private readonly _records: IProvRecord[] = [];
  private readonly _byId = new Map<string, IProvRecord>();
  private readonly _used = new Set<string>([PROV.prefix]);

  constructor(namespaces: Iterable<Namespace> = []) {
    this.addNamespace(PROV);
    this.addNamespace(XSD);
    for (const ns of namespaces) {
      this.addNamespace(ns);
    }
  }

  /**
   * Declares a namespace. Declaring the same prefix twice is fine only with
   * the same IRI: one prefix must mean one thing in the output.
   */
  addNamespace(namespace: Namespace): Namespace {
    const known = this._namespaces.get(namespace.prefix);
    if (known && known.uri !== namespace.uri) {
      throw new ProvError(
        `Prefix '${namespace.prefix}' is already bound to '${known.uri}'; ` +
          `cannot bind it to '${namespace.uri}'.`
      );
    }
    this._namespaces.set(namespace.prefix, known ?? namespace);
    return known ?? namespace;
  }

  /** Declared namespaces, in declaration order. */
  get namespaces(): readonly Namespace[] {
    return [...this._namespaces.values()];
  }

  /**
   * Prefixes used anywhere in the records (ids, attribute names, name
   * values, datatypes), sorted; `prov` always, as every formal key uses it.
   */
  get usedNamespaces(): readonly Namespace[] {
    return [...this._used]
      .sort()
      .map(prefix => this._namespaces.get(prefix) as Namespace);
  }

  /** All records, in the order they were first added. */
  get records(): readonly IProvRecord[] {
    return this._records;
  }

  /** Records of one kind, in the order they were first added. */
  recordsOf(kind: RecordKind): readonly IProvRecord[] {
    return this._records.filter(r => r.kind === kind);
  }

  /** The record with this id, if any. */
  get(id: QualifiedName | string): IProvRecord | undefined {
    return this._byId.get(String(id));
  }

  entity(id: QualifiedName, attributes?: Attributes): IProvRecord {
    return this.add({ kind: 'entity', id, attributes });
  }

  activity(
    id: QualifiedName,
    startTime?: ProvTime,
    endTime?: ProvTime,
    attributes?: Attributes
  ): IProvRecord {
    return this.add({ kind: 'activity', id, startTime, endTime, attributes });
  }

  agent(id: QualifiedName, attributes?: Attributes): IProvRecord {
    return this.add({ kind: 'agent', id, attributes });
  }

  /**
   * Adds a record. Throws `ProvError` for an undeclared prefix, an invalid
   * value, a missing required reference, an end before a start, or an id
   * already held by a different record.
   */
  add(init: ProvRecordInit): IProvRecord {
    const record = this._normalize(init);
    if (record.id) {
      const key = String(record.id);
      const existing = this._byId.get(key);
      if (existing) {
        // Compared only on a repeated id: the canonical text is the single
        // largest cost of adding a record.
        if (canonicalText(existing) === canonicalText(record)) {
          return existing;
        }
        throw new ProvError(
          `Record '${key}' is already in the document with different ` +
            `content (${existing.kind}); one id names one record.`
        );
      }
      this._byId.set(key, record);
    }
    this._records.push(record);
    for (const prefix of prefixesOf(record)) {
      this._used.add(prefix);
    }
    return record;
  }

  private _normalize(init: ProvRecordInit): IProvRecord {
    const kind = init.kind;
    const specs = FORMAL_ATTRIBUTES[kind];
    if (!specs) {
      throw new ProvError(`Unknown PROV record kind '${String(kind)}'.`);
    }
    const where = `${kind} ${init.id ? String(init.id) : '(no id)'}`;
    if (isElementKind(kind) && !(init.id instanceof QualifiedName)) {
      throw new ProvError(`${where}: an element needs a qualified name id.`);
    }
    if (init.id !== undefined) {
      this._checkName(init.id, `${where}, id`);
    }
    const fields = init as unknown as Readonly<Record<string, unknown>>;
    const formal: Array<readonly [IFormalAttributeSpec, FormalValue]> = [];
    for (const spec of specs) {
      const value = fields[spec.field];
      if (value === undefined) {
        if (spec.required) {
          throw new ProvError(`${where}: '${spec.key}' is required.`);
        }
        continue;
      }
      if (spec.type === 'ref') {
        if (!(value instanceof QualifiedName)) {
          throw new ProvError(
            `${where}: '${spec.key}' must be a qualified name.`
          );
        }
        this._checkName(value, `${where}, ${spec.key}`);
        formal.push([spec, value]);
      } else {
        assertDateTime(value, `${where}, ${spec.key}`);
        formal.push([spec, value as string]);
      }
    }
    if (kind === 'activity') {
      const start = fields.startTime as string | undefined;
      const end = fields.endTime as string | undefined;
      if (start && end && Date.parse(end) < Date.parse(start)) {
        throw new ProvError(
          `${where}: ends (${end}) before it starts (${start}).`
        );
      }
    }
    const attributes = new Map<
      string,
      readonly [QualifiedName, LiteralValue[]]
    >();
    for (const pair of init.attributes ?? []) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new ProvError(`${where}: attributes are (name, value) pairs.`);
      }
      const [name, value] = pair as readonly [unknown, unknown];
      if (!(name instanceof QualifiedName)) {
        throw new ProvError(`${where}: an attribute name must be a QName.`);
      }
      const key = String(name);
      this._checkName(name, `${where}, attribute name`);
      if (name.namespace.prefix === PROV.prefix && isFormalKey(kind, key)) {
        throw new ProvError(
          `${where}: '${key}' is a formal attribute; pass it as a field.`
        );
      }
      if (attributes.has(key)) {
        throw new ProvError(
          `${where}: attribute '${key}' given twice; pass a list of values.`
        );
      }
      attributes.set(key, [name, this._checkValues(value, `${where}, ${key}`)]);
    }
    const sorted = [...attributes.keys()].sort(compareAttributeKeys);
    const record: IProvRecord = {
      kind,
      id: init.id,
      formal: Object.freeze(formal),
      attributes: Object.freeze(
        sorted.map(
          key => attributes.get(key) as [QualifiedName, LiteralValue[]]
        )
      )
    };
    return Object.freeze(record);
  }

  private _checkValues(value: unknown, where: string): LiteralValue[] {
    if (Array.isArray(value)) {
      if (value.length === 0) {
        throw new ProvError(`${where}: an empty list is not a PROV value.`);
      }
      return Object.freeze(
        value.map(item => this._checkValue(item, where))
      ) as LiteralValue[];
    }
    return Object.freeze([this._checkValue(value, where)]) as LiteralValue[];
  }

  private _checkValue(value: unknown, where: string): LiteralValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) {
          throw new ProvError(`${where}: ${value} is not a finite number.`);
        }
        return value;
      case 'object':
        if (value instanceof QualifiedName) {
          this._checkName(value, where);
          return value;
        }
        if (value instanceof TypedLiteral) {
          this._checkName(value.datatype, `${where}, datatype`);
          return value;
        }
        break;
      default:
        break;
    }
    throw new ProvError(
      `${where}: ${value === null ? 'null' : typeof value} is not a PROV ` +
        'value; use a string, number, boolean, typed literal or qualified ' +
        'name (serialize structured values to a JSON string).'
    );
  }

  private _checkName(name: QualifiedName, where: string): void {
    const declared = this._namespaces.get(name.namespace.prefix);
    if (!declared) {
      throw new ProvError(
        `${where}: prefix '${name.namespace.prefix}' of '${String(name)}' ` +
          'is not declared; call addNamespace first.'
      );
    }
    if (declared.uri !== name.namespace.uri) {
      throw new ProvError(
        `${where}: '${String(name)}' uses prefix ` +
          `'${name.namespace.prefix}' with IRI '${name.namespace.uri}', but ` +
          `the document binds it to '${declared.uri}'.`
      );
    }
  }
}

/** `prov:` attributes first, then the rest, each group by name. */
function compareAttributeKeys(a: string, b: string): number {
  const provPrefix = `${PROV.prefix}:`;
  const byRank =
    (a.startsWith(provPrefix) ? 0 : 1) - (b.startsWith(provPrefix) ? 0 : 1);
  if (byRank !== 0) {
    return byRank;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function isFormalKey(kind: RecordKind, key: string): boolean {
  return FORMAL_ATTRIBUTES[kind].some(spec => spec.key === key);
}

function prefixesOf(record: IProvRecord): string[] {
  const prefixes: string[] = [];
  const add = (name: QualifiedName): void => {
    prefixes.push(name.namespace.prefix);
  };
  if (record.id) {
    add(record.id);
  }
  for (const [, value] of record.formal) {
    if (value instanceof QualifiedName) {
      add(value);
    }
  }
  for (const [name, values] of record.attributes) {
    add(name);
    for (const value of values) {
      if (value instanceof QualifiedName) {
        // A name value is written as `{"$": "...", "type": "xsd:QName"}`.
        add(value);
        add(XSD.qn('QName'));
      } else if (value instanceof TypedLiteral) {
        add(value.datatype);
      }
    }
  }
  return prefixes;
}

/** A text that is equal for two records exactly when they are the same. */
function canonicalText(record: IProvRecord): string {
  const value = (v: LiteralValue): unknown => {
    if (v instanceof QualifiedName) {
      return { qname: v.uri };
    }
    if (v instanceof TypedLiteral) {
      return { literal: v.value, datatype: v.datatype.uri };
    }
    return v;
  };
  return JSON.stringify([
    record.kind,
    record.id?.uri ?? null,
    record.formal.map(([spec, v]) => [
      spec.key,
      v instanceof QualifiedName ? v.uri : v
    ]),
    record.attributes.map(([name, values]) => [name.uri, values.map(value)])
  ]);
}
