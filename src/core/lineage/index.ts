/** Cell lineage: what each execution read and wrote, and the graph of it (DESIGN.md). */

export * from './cell-analysis.js';
export * from './versions.js';
export * from './graph.js';
export * from './query.js';
export * from './replay-compare.js';
