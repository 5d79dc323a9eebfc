import type { Contents } from '@jupyterlab/services';
import { provJsonPathFor } from '../core/journal/paths.js';
import { defaultLineageOptions } from '../core/lineage/index.js';
import { journalToProv } from '../core/projection/index.js';
import { serializeProvJson } from '../core/prov/index.js';
import type { ILoadedJournal } from './sidecar-journal.js';

/** What an export wrote, for the message the user sees. */
export interface IExportResult {
  readonly path: string;
  readonly executions: number;
  /** Lines of the journal that could not be read and were left out. */
  readonly skippedLines: number;
}

/** There is nothing to export: the notebook has never been recorded. */
export class NothingRecordedError extends Error {
  constructor(readonly notebookPath: string) {
    super(
      `Nothing has been recorded for ${notebookPath} yet: run a cell with ` +
        'recording on, then export again.'
    );
  }
}

/**
 * Projects a notebook's journal to PROV-JSON and writes it beside the
 * notebook (`train.ipynb` → `train.prov.json`).
 */
export async function exportProvJson(
  contents: Contents.IManager,
  notebookPath: string,
  journal: ILoadedJournal,
  recorderVersion: string
): Promise<IExportResult> {
  if (journal.events.length === 0) {
    throw new NothingRecordedError(notebookPath);
  }
  const document = journalToProv(journal.events, {
    recorderVersion,
    lineage: defaultLineageOptions()
  });
  const path = provJsonPathFor(notebookPath);
  await contents.save(path, {
    type: 'file',
    format: 'text',
    content: serializeProvJson(document)
  });
  return {
    path,
    // Counted by id: a line written twice is one execution.
    executions: new Set(
      journal.events.flatMap(e =>
        e.kind === 'execution.requested' ? [e.execution] : []
      )
    ).size,
    skippedLines: journal.problems.length
  };
}
