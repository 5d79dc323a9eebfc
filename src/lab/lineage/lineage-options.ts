import type { ILineageOptions } from '../../core/lineage/index.js';

/**
 * The analyser the lab's lineage uses (marks and replay). Until the Python
 * analyser lands in core, no source is analysed: every execution stands
 * alone (no upstream, no downstream), and only edits make a cell stale.
 */
export function lineageOptions(): ILineageOptions {
  return { analyze: () => undefined };
}
