/** Resource figures derived from the journal's samples (pure, runs anywhere). */

export * from './aggregate.js';
