import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  showErrorMessage
} from '@jupyterlab/apputils';
import type { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { UUID } from '@lumino/coreutils';
import type { JournalId } from '../../../core/journal/index.js';
import {
  buildLineage,
  defaultLineageOptions,
  type ILineageGraph
} from '../../../core/lineage/index.js';
import { foldJournal } from '../../../core/projection/journal-state.js';
import { RECORDER_VERSION } from '../../../core/version.js';
import {
  followSettings,
  readSettings,
  type IProvenanceSettings
} from '../../settings.js';
import { SidecarJournal } from '../../sidecar-journal.js';
import { IProvenanceRegistry } from '../../tokens.js';
import { outputTextsOf } from './output-text.js';
import { planReplay, replayKernelName, type IReplayPlan } from './plan.js';
import { ReplayRun } from './replay-run.js';
import { ReplayView } from './replay-view.js';

export namespace ReplayCommandIDs {
  export const replay = 'provenance:replay-lineage';
}

const TITLE = 'Replay Lineage';

/**
 * "Replay Lineage" on a cell (its context menu, the palette): the upstream
 * slice of the cell's latest execution runs again in a fresh kernel, with
 * progress and Cancel, and a report of what reproduced.
 */
export const replayLineagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-provenance:replay-lineage',
  description:
    "Replays a cell's lineage in a fresh kernel and reports what reproduced.",
  autoStart: true,
  requires: [INotebookTracker, IProvenanceRegistry],
  optional: [ISettingRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    registry: IProvenanceRegistry,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null
  ): void => {
    const options = defaultLineageOptions();
    let settings: IProvenanceSettings = readSettings(null);
    void followSettings(settingRegistry, loaded => (settings = loaded));

    const replay = async (panel: NotebookPanel): Promise<void> => {
      const cell = panel.content.activeCell;
      const provenance = registry.get(panel);
      if (!cell || cell.model.type !== 'code' || !provenance) {
        return;
      }
      const label = cellLabel(panel);
      const notebookPath = panel.context.path;
      await provenance.flush();
      const loaded = await new SidecarJournal(
        app.serviceManager.contents,
        provenance.journalPath,
        () => undefined
      ).load();
      const state = foldJournal(loaded.events);
      if (!loaded.exists || state.executions.size === 0) {
        await showErrorMessage(
          TITLE,
          `Nothing is recorded for ${notebookPath} yet (no journal at ` +
            `${provenance.journalPath}). Run the cells with provenance ` +
            'recording on, then replay a cell’s lineage.'
        );
        return;
      }
      const graph = buildLineage(state, options);
      const planned = planReplay(graph, cell.model.id, label);
      if (!planned.ok) {
        await showErrorMessage(TITLE, planned.reason);
        return;
      }
      const plan = planned.plan;
      const specs = app.serviceManager.kernelspecs;
      await specs.ready.catch(() => undefined);
      const kernelName = replayKernelName(
        plan.target.execution.session?.started.kernel.name,
        panel.sessionContext.session?.kernel?.name,
        specs.specs
      );
      if (kernelName === undefined || state.journalId === undefined) {
        await showErrorMessage(
          TITLE,
          kernelName === undefined
            ? 'No kernel to replay in: the notebook has no kernel and none was recorded.'
            : `The journal ${provenance.journalPath} has no header; it cannot be linked to a replay.`
        );
        return;
      }
      const run = new ReplayRun({
        sessions: app.serviceManager.sessions,
        contents: app.serviceManager.contents,
        notebookPath,
        plan,
        journalId: state.journalId as JournalId,
        kernelName,
        recording: settings,
        recordingEnabled: settings.enabled,
        recorderVersion: RECORDER_VERSION,
        user: app.serviceManager.user.identity?.username,
        recordedTexts: recordedTexts(panel, graph, plan)
      });
      const view = new ReplayView({ run, plan, kernelName, label });
      const widget = new MainAreaWidget({ content: view });
      widget.id = `provenance-replay-${UUID.uuid4()}`;
      widget.title.label = `Replay: ${panel.title.label}`;
      widget.title.caption = `Replay of the lineage of ${label(plan.target.cellId)} in ${notebookPath}`;
      widget.title.closable = true;
      widget.addClass('jp-provenance-replay-panel');
      // Closing it while it runs cancels the replay.
      widget.disposed.connect(() => run.dispose());
      app.shell.add(widget, 'main', { mode: 'split-right', ref: panel.id });
      app.shell.activateById(widget.id);
      await run.run();
    };

    app.commands.addCommand(ReplayCommandIDs.replay, {
      label: TITLE,
      caption:
        "Run the cells this cell's result came from again, as recorded, in a fresh kernel, and report what reproduced",
      isEnabled: () => {
        const panel = notebooks.currentWidget;
        return (
          panel !== null &&
          panel.content.activeCell?.model.type === 'code' &&
          registry.get(panel) !== undefined
        );
      },
      execute: async () => {
        const panel = notebooks.currentWidget;
        if (!panel) {
          return;
        }
        try {
          await replay(panel);
        } catch (error) {
          await showErrorMessage(TITLE, error as Error);
        }
      }
    });
    palette?.addItem({
      command: ReplayCommandIDs.replay,
      category: 'Provenance'
    });
  }
};

/** Names a cell by its place in the notebook, as the user sees it. */
function cellLabel(
  panel: NotebookPanel
): (cellId: string | undefined) => string {
  return cellId => {
    const cells = panel.content.model?.cells;
    if (cellId !== undefined && cells) {
      for (let i = 0; i < cells.length; i++) {
        if (cells.get(i).id === cellId) {
          return `cell ${i + 1}`;
        }
      }
    }
    return cellId === undefined ? 'code not from a cell' : 'a deleted cell';
  };
}

/**
 * The outputs the notebook shows for the plan's executions, where they are
 * those executions' own: the cell's latest run, with the execution count
 * the journal recorded (a cell re-run without recording, or cleared, shows
 * other outputs, which are left out).
 */
function recordedTexts(
  panel: NotebookPanel,
  graph: ILineageGraph,
  plan: IReplayPlan
): Map<number, ReadonlyMap<string, string>> {
  const texts = new Map<number, ReadonlyMap<string, string>>();
  const cells = panel.content.model?.cells;
  if (!cells) {
    return texts;
  }
  for (const step of plan.steps) {
    if (
      step.cellId === undefined ||
      graph.latestByCell.get(step.cellId)?.ordinal !== step.ordinal
    ) {
      continue;
    }
    const count =
      step.recorded.finished?.executionCount ??
      step.recorded.started?.executionCount;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.id !== step.cellId || cell.type !== 'code') {
        continue;
      }
      const code = cell as ICodeCellModel;
      if (count !== undefined && code.executionCount === count) {
        texts.set(step.ordinal, outputTextsOf(code.outputs.toJSON()));
      }
    }
  }
  return texts;
}
