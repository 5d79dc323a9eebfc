/**
 * Lineage options whose analyses outlive one graph build. `buildLineage`
 * analyses each distinct source once per build; a notebook's graph is
 * rebuilt after every recorded batch, so without this every rebuild would
 * parse every source again. Keyed by language and the source text itself:
 * the same identity as the journal's `sourceSha256`, without hashing again.
 */

import type {
  ICellAnalysis,
  ILineageOptions
} from '../../core/lineage/index.js';

/** Sources analysed at most; past it the oldest are forgotten. */
const MAX_ENTRIES = 5_000;

export function cachingLineageOptions(
  options: ILineageOptions
): ILineageOptions {
  const cache = new Map<string, ICellAnalysis | undefined>();
  return {
    ...options,
    analyze: (source, language) => {
      const key = `${language ?? ''}\u0000${source}`;
      if (cache.has(key)) {
        return cache.get(key);
      }
      const analysis = options.analyze(source, language);
      if (cache.size >= MAX_ENTRIES) {
        cache.delete(cache.keys().next().value as string);
      }
      cache.set(key, analysis);
      return analysis;
    }
  };
}
