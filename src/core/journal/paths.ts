/**
 * Where a notebook's provenance lives, relative to the notebook.
 *
 * The journal is a sidecar file beside the notebook, never inside the
 * `.ipynb`: provenance must not churn the notebook's git diff. It is not a
 * hidden file because Jupyter Server refuses hidden paths through its
 * contents API unless `ContentsManager.allow_hidden` is set.
 *
 *   analysis/train.ipynb  →  analysis/train.provenance.jsonl  (journal)
 *                         →  analysis/train.prov.json         (PROV-JSON export)
 *
 * Paths use `/` as the Jupyter contents API does, on every platform.
 */

export const JOURNAL_SUFFIX = '.provenance.jsonl';
export const PROV_JSON_SUFFIX = '.prov.json';

/** The notebook path without its extension (`a/b.ipynb` → `a/b`). */
export function notebookStem(notebookPath: string): string {
  const slash = notebookPath.lastIndexOf('/');
  const dot = notebookPath.lastIndexOf('.');
  return dot > slash + 1 ? notebookPath.slice(0, dot) : notebookPath;
}

/** The sidecar journal of a notebook. */
export function journalPathFor(notebookPath: string): string {
  return notebookStem(notebookPath) + JOURNAL_SUFFIX;
}

/** Where "Export Provenance (PROV-JSON)" writes. */
export function provJsonPathFor(notebookPath: string): string {
  return notebookStem(notebookPath) + PROV_JSON_SUFFIX;
}
