/**
 * Projections of a journal: pure functions, data in, data out.
 */

export { RUNNING_STATUS, encodeLocal, journalToProv } from './prov.js';
export type { IJournalToProvOptions } from './prov.js';
export { summarizeJournal } from './summary.js';
export type { ICellTime, IJournalSummary } from './summary.js';
