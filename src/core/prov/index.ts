/**
 * The PROV model and its serializers: the public face of `core/prov`.
 */

export {
  FORMAL_ATTRIBUTES,
  Namespace,
  PROV,
  ProvDocument,
  ProvError,
  QualifiedName,
  RECORD_KINDS,
  TypedLiteral,
  XSD,
  dateTimeLiteral,
  isElementKind
} from './model.js';
export type {
  IActedOnBehalfOfInit,
  IActivityInit,
  IAgentInit,
  AttributeValue,
  Attributes,
  ElementKind,
  IEntityInit,
  IFormalAttributeSpec,
  FormalValue,
  IHadMemberInit,
  LiteralValue,
  IProvRecord,
  ProvRecordInit,
  ProvTime,
  RecordKind,
  RelationKind,
  ISpecializationOfInit,
  IUsedInit,
  IWasAssociatedWithInit,
  IWasAttributedToInit,
  IWasDerivedFromInit,
  IWasEndedByInit,
  IWasGeneratedByInit,
  IWasInformedByInit,
  IWasStartedByInit
} from './model.js';
export { NBPROV, runNamespace } from './namespaces.js';
export { serializeProvJson, toProvJson } from './provjson.js';
export type {
  ProvJsonAttributeValue,
  ProvJsonDocument,
  IProvJsonOptions,
  ProvJsonRecord,
  IProvJsonTypedValue,
  ProvJsonValue
} from './provjson.js';
