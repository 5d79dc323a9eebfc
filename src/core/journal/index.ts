/** The journal: event types and the line format (DESIGN.md, "The one idea"). */

export * from './events.js';
export * from './codec.js';
export * from './paths.js';
