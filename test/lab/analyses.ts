/**
 * Hand-written cell analyses for the lab's lineage tests: what a cell reads
 * and assigns, nothing else (the Python analyser has its own tests).
 */
import type { ICellAnalysis } from '../../src/core/lineage/cell-analysis.js';

export function analysisOf(
  reads: readonly string[],
  writes: readonly string[]
): ICellAnalysis {
  return {
    parsed: true,
    reads,
    writes: writes.map(name => ({ name, kind: 'assigned' })),
    functions: [],
    calls: [],
    assignments: [],
    files: [],
    magics: [],
    wildcards: [],
    pathConstants: []
  };
}
