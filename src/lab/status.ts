import { formatBytes } from '../core/format.js';
import { Widget } from '@lumino/widgets';
import type { IResourceSampleEvent } from '../core/journal/index.js';
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

  /**
   * Shows the state and, while the agent streams, the kernel's latest
   * figures: CPU in % of one core and resident memory of its whole tree.
   */
  setState(
    state: RecordingState | null,
    sample?: IResourceSampleEvent | undefined
  ): void {
    const live = state === 'agent' ? sample : undefined;
    this.node.textContent = state
      ? LABELS[state] +
        (live
          ? ` · CPU ${Math.round(live.cpuPercent)}% · ${formatBytes(live.rssBytes)}`
          : '')
      : '';
    this.node.dataset.state = state ?? 'none';
    this.node.title = live
      ? `Kernel process tree at ${new Date(live.t).toLocaleTimeString()}: ` +
        `${live.processCount} process(es), ${live.threads} thread(s)`
      : '';
  }
}
