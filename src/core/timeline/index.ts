/**
 * The timeline of a journal, as data (issue 4): bars and resource lanes
 * (`model.ts`), idle-time compression (`compress.ts`), per-pixel-column
 * downsampling (`downsample.ts`). Pure; the vega view lives in `lab/`.
 */

export * from './series.js';
export * from './downsample.js';
export * from './compress.js';
export * from './ticks.js';
export * from './model.js';
