import type { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import type { NotebookProvenance } from './notebook-provenance.js';

/** The provenance recorders of the open notebooks, for other plugins. */
export interface IProvenanceRegistry {
  /** The recorder following a notebook, if it is open and tracked. */
  get(panel: NotebookPanel): NotebookProvenance | undefined;
}

export const IProvenanceRegistry = new Token<IProvenanceRegistry>(
  'jupyterlab-provenance:IProvenanceRegistry',
  'The provenance recorders of the open notebooks.'
);
