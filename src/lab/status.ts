import { Widget } from '@lumino/widgets';
import type { RecordingState } from './notebook-provenance.js';

const LABELS: Record<RecordingState, string> = {
  loading: 'Provenance: loading',
  agent: 'Provenance: recording · agent',
  frontend: 'Provenance: recording · frontend only',
  off: 'Provenance: off',
  'no-kernel': 'Provenance: no kernel'
};

/** The status bar item: what the recorder of the current notebook does. */
export class ProvenanceStatus extends Widget {
  constructor() {
    super();
    this.addClass('jp-provenance-status');
    this.node.setAttribute('role', 'status');
    this.setState(null);
  }

  setState(state: RecordingState | null): void {
    this.node.textContent = state ? LABELS[state] : '';
    this.node.dataset.state = state ?? 'none';
  }
}
