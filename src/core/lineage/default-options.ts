/**
 * The lineage options every projection uses: the Python analyser for
 * Python kernels (and for sessions whose language was not recorded), and
 * the kernel's own account of names where the agent journaled one.
 */

import type { ICellAnalysis } from './cell-analysis.js';
import type { ILineageOptions } from './graph.js';
import { analyzePython } from './python/analyze.js';

/** Static analysis for a kernel language; undefined where there is none. */
export function analyzeSource(
  source: string,
  language: string | undefined
): ICellAnalysis | undefined {
  return language === undefined || language.toLowerCase() === 'python'
    ? analyzePython(source)
    : undefined;
}

export function defaultLineageOptions(): ILineageOptions {
  return {
    analyze: analyzeSource,
    observe: execution =>
      execution.names ? { rebound: execution.names.rebound } : undefined
  };
}
