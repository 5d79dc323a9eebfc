import { Widget } from '@lumino/widgets';
import type { ReplayVerdict } from '../../../core/lineage/index.js';
import type { IReplayPlan } from './plan.js';
import type { IReportDifference, IReplayReport } from './report.js';
import type { IReplayProgress, ReplayRun } from './replay-run.js';

export interface IReplayViewOptions {
  readonly run: ReplayRun;
  readonly plan: IReplayPlan;
  readonly kernelName: string;
  /** Names a cell for the user ("cell 3"). */
  readonly label: (cellId: string | undefined) => string;
}

const VERDICT_WORDS: Record<ReplayVerdict, string> = {
  reproduced: 'Reproduced',
  differs: 'Differs',
  failed: 'Failed'
};

/**
 * A replay as it runs (a progress bar, n of m, Cancel), then its report:
 * per execution reproduced / differs / failed, which outputs differ, their
 * previews and a line diff. Cell code and outputs are shown as text only
 * (`textContent`), never as markup.
 */
export class ReplayView extends Widget {
  constructor(options: IReplayViewOptions) {
    super();
    this._options = options;
    this.addClass('jp-provenance-replay');
    this.node.tabIndex = 0;
    const { plan, kernelName, label } = options;
    const target = plan.target;
    append(
      this.node,
      'h2',
      'jp-provenance-replay-title',
      `Replay of the lineage of ${label(target.cellId)}`
    );
    append(
      this.node,
      'p',
      'jp-provenance-replay-intro',
      `${plan.steps.length} execution(s), with the code as it was recorded, ` +
        `in a fresh ${kernelName} kernel. The notebook's own kernel is not touched.`
    );
    if (plan.wholeSession) {
      append(
        this.node,
        'p',
        'jp-provenance-replay-note',
        'Some code of this kernel session could not be analysed for lineage, ' +
          'so everything the session ran up to this cell is replayed.'
      );
    }
    this._progressArea = append(
      this.node,
      'div',
      'jp-provenance-replay-progress'
    );
    this._bar = append(
      this._progressArea,
      'progress',
      ''
    ) as HTMLProgressElement;
    this._bar.max = plan.steps.length;
    this._bar.value = 0;
    this._bar.setAttribute('aria-label', 'Replay progress');
    this._status = append(
      this._progressArea,
      'span',
      'jp-provenance-replay-status'
    );
    this._status.setAttribute('role', 'status');
    this._cancel = append(
      this._progressArea,
      'button',
      'jp-Button jp-mod-styled jp-mod-reject jp-provenance-replay-cancel',
      'Cancel'
    ) as HTMLButtonElement;
    this._cancel.type = 'button';
    this._cancel.addEventListener('click', () => options.run.cancel());
    this._result = append(this.node, 'section', 'jp-provenance-replay-result');
    this._result.setAttribute('aria-live', 'polite');
    options.run.changed.connect(this._render, this);
    this._render(options.run, options.run.progress);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.run.changed.disconnect(this._render, this);
    super.dispose();
  }

  private _render(_: unknown, progress: IReplayProgress): void {
    const { label } = this._options;
    this.node.dataset.phase = progress.phase;
    this._bar.value = progress.done;
    const counted = `${progress.done} of ${progress.total}`;
    switch (progress.phase) {
      case 'starting':
        this._status.textContent = `Starting a ${this._options.kernelName} kernel…`;
        break;
      case 'running':
        this._status.textContent = progress.current
          ? `${counted} · running ${label(progress.current.cellId)}`
          : counted;
        break;
      case 'stopping':
        this._status.textContent = `${counted} · stopping the replay kernel…`;
        break;
      case 'cancelled':
        this._status.textContent = `Cancelled after ${counted}`;
        break;
      case 'done':
        this._status.textContent = `${counted} done`;
        break;
      case 'failed':
        this._status.textContent = 'Failed';
        break;
    }
    const over =
      progress.phase === 'done' ||
      progress.phase === 'cancelled' ||
      progress.phase === 'failed';
    this._cancel.disabled = over || progress.phase === 'stopping';
    this._cancel.hidden = over;
    if (!over || this._shown) {
      return;
    }
    this._shown = true;
    if (progress.error !== undefined) {
      append(this._result, 'p', 'jp-provenance-replay-error', progress.error);
    }
    if (progress.report) {
      this._renderReport(progress.report);
    }
    for (const note of progress.notes) {
      append(this._result, 'p', 'jp-provenance-replay-note', note);
    }
    if (progress.report) {
      append(
        this._result,
        'p',
        'jp-provenance-replay-journal',
        `Recorded in ${progress.journalPath}` +
          (progress.byAgent ? ' (by the kernel-side agent).' : '.')
      );
    }
  }

  private _renderReport(report: IReplayReport): void {
    const { label } = this._options;
    const total = report.rows.length;
    const count = (v: ReplayVerdict) =>
      report.rows.filter(r => r.verdict === v).length;
    const summary = append(
      this._result,
      'p',
      'jp-provenance-replay-verdict',
      `${VERDICT_WORDS[report.verdict]}: ${count('reproduced')} of ${total} ` +
        `reproduced, ${count('differs')} differ, ${count('failed')} failed` +
        (report.stopped ? ` (${report.stopped}).` : '.')
    );
    summary.dataset.verdict = report.verdict;
    const table = append(this._result, 'table', 'jp-provenance-replay-table');
    const head = append(append(table, 'thead', ''), 'tr', '');
    for (const title of ['Cell', 'Run', 'Code', 'Result']) {
      append(head, 'th', '', title).setAttribute('scope', 'col');
    }
    const body = append(table, 'tbody', '');
    for (const row of report.rows) {
      const tr = append(body, 'tr', 'jp-provenance-replay-row');
      tr.dataset.verdict = row.verdict;
      append(tr, 'td', '', label(row.step.cellId));
      append(tr, 'td', '', row.run);
      append(tr, 'td', 'jp-provenance-replay-code', row.firstLine);
      const result = append(tr, 'td', 'jp-provenance-replay-row-verdict');
      append(
        result,
        'span',
        'jp-provenance-replay-badge',
        VERDICT_WORDS[row.verdict]
      );
      if (row.note !== undefined) {
        append(
          result,
          'span',
          'jp-provenance-replay-row-note',
          ` — ${row.note}`
        );
      }
      if (row.differences.length === 0) {
        continue;
      }
      const detail = append(
        append(body, 'tr', 'jp-provenance-replay-details'),
        'td',
        ''
      );
      (detail as HTMLTableCellElement).colSpan = 4;
      for (const difference of row.differences) {
        renderDifference(detail, difference);
      }
    }
  }

  private readonly _options: IReplayViewOptions;
  private readonly _progressArea: HTMLElement;
  private readonly _bar: HTMLProgressElement;
  private readonly _status: HTMLElement;
  private readonly _cancel: HTMLButtonElement;
  private readonly _result: HTMLElement;
  private _shown = false;
}

const CHANGE_WORDS: Record<IReportDifference['change'], string> = {
  changed: 'differs',
  missing: 'is missing from the replay',
  extra: 'is new in the replay'
};

function renderDifference(
  parent: HTMLElement,
  difference: IReportDifference
): void {
  const block = append(parent, 'div', 'jp-provenance-replay-difference');
  block.dataset.output = difference.output;
  append(
    block,
    'p',
    'jp-provenance-replay-difference-title',
    `Output ${difference.output} ${CHANGE_WORDS[difference.change]}`
  );
  if (difference.diff !== undefined) {
    const pre = append(block, 'pre', 'jp-provenance-replay-diff');
    pre.setAttribute('aria-label', 'Line diff: - recorded, + replayed');
    for (const line of difference.diff.split('\n')) {
      const mark = line.charAt(0);
      append(
        pre,
        'span',
        mark === '-'
          ? 'jp-provenance-replay-diff-removed'
          : mark === '+'
            ? 'jp-provenance-replay-diff-added'
            : '',
        `${line}\n`
      );
    }
    return;
  }
  const previews = append(block, 'dl', 'jp-provenance-replay-previews');
  append(previews, 'dt', '', 'Recorded');
  append(previews, 'dd', '', difference.recordedPreview ?? '(no preview)');
  append(previews, 'dt', '', 'Replayed');
  append(previews, 'dd', '', difference.replayedPreview ?? '(no preview)');
}

/** A child element; `text` is set as text, never parsed as markup. */
function append(
  parent: HTMLElement,
  tag: string,
  className: string,
  text?: string
): HTMLElement {
  const child = document.createElement(tag);
  if (className !== '') {
    child.className = className;
  }
  if (text !== undefined) {
    child.textContent = text;
  }
  parent.appendChild(child);
  return child;
}
