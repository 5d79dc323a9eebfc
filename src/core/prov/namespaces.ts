/**
 * The namespaces our documents use (PROV-MAPPING.md, "Namespaces").
 */

import { Namespace } from './model.js';

export { PROV, XSD } from './model.js';

/** Our own classes and attributes. */
export const NBPROV = new Namespace('nbprov', 'https://w3id.org/nbprov/ns#');

/**
 * The namespace of one document's record ids, `urn:uuid:<journal id>#`, so
 * ids from two journals never collide when documents are merged.
 */
export function runNamespace(journalId: string): Namespace {
  return new Namespace('run', `urn:uuid:${journalId}#`);
}
