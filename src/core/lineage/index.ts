/**
 * Cell lineage (issue 5): what a cell reads and writes, by static analysis
 * of its source (`cell-analysis.ts` is the contract; `python/` the Python
 * analyser, IPython syntax included), and the graph of versions the
 * executions of a journal used and generated (`graph.ts`, `query.ts`).
 */
export * from './cell-analysis.js';
export { analyzePython, MAX_ANALYSED_LENGTH } from './python/analyze.js';
export * from './versions.js';
export * from './graph.js';
export * from './query.js';
export * from './replay-compare.js';
export * from './default-options.js';
