/** Files each execution read and wrote, as the agent sees them. */

import type { ProcfsReader } from '../sampler/index.js';

export * from './execution-files.js';
export * from './folder-snapshot.js';
export * from './open-files.js';
export * from './file-hash.js';

/** `root` and every process below it, now. */
export function processTree(procfs: ProcfsReader, root: number): number[] {
  const pids = [root];
  for (let i = 0; i < pids.length && pids.length < 4096; i++) {
    pids.push(...procfs.children(pids[i]));
  }
  return pids;
}
