/**
 * Cell lineage (issue 5): what a cell reads and writes, by static analysis
 * of its source (`cell-analysis.ts` is the contract; `python/` the Python
 * analyser, IPython syntax included).
 */
export * from './cell-analysis.js';
export { analyzePython, MAX_ANALYSED_LENGTH } from './python/analyze.js';
