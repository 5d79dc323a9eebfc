import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import {
  INotebookTracker,
  NotebookActions,
  type INotebookModel,
  type NotebookPanel
} from '@jupyterlab/notebook';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { ContentsManager } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { journalPathFor } from '../core/journal/paths.js';
import { RECORDER_VERSION } from '../core/version.js';
import { exportProvJson, NothingRecordedError } from './export.js';
import { NotebookProvenance } from './notebook-provenance.js';
import {
  followSettings,
  readSettings,
  SETTINGS_PLUGIN_ID,
  type IProvenanceSettings
} from './settings.js';
import { SidecarJournal, type ILoadedJournal } from './sidecar-journal.js';
import { lineageMarksPlugin } from './lineage/marks-plugin.js';
import { replayLineagePlugin } from './lineage/replay/replay-plugin.js';
import { timelinePlugin } from './timeline/plugin.js';
import { ProvenanceStatus } from './status.js';
import { IProvenanceRegistry } from './tokens.js';

const PLUGIN_ID = SETTINGS_PLUGIN_ID;

type NotebookContext = DocumentRegistry.IContext<INotebookModel>;

export namespace CommandIDs {
  export const exportProvJson = 'provenance:export-prov-json';
}

/**
 * Records every cell execution of every open notebook into its sidecar
 * journal, and exports it as PROV-JSON.
 */
const plugin: JupyterFrontEndPlugin<IProvenanceRegistry> = {
  id: PLUGIN_ID,
  description:
    'Records every cell execution as W3C PROV and exports it as PROV-JSON.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ICommandPalette, IStatusBar],
  provides: IProvenanceRegistry,
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null
  ): IProvenanceRegistry => {
    const contents = app.serviceManager.contents;
    // Journal appends, unseen by the file browser (see SidecarJournal).
    const journalAppends = new ContentsManager({
      serverSettings: contents.serverSettings
    });
    // One recorder per notebook document, however many views show it.
    const recorders = new Map<NotebookContext, NotebookProvenance>();
    const byModel = new Map<INotebookModel, NotebookProvenance>();
    let settings: IProvenanceSettings = readSettings(null);
    // Nothing is recorded before the user's settings are known: recording
    // may be off.
    const settingsLoaded = followSettings(settingRegistry, loaded => {
      settings = loaded;
      for (const provenance of recorders.values()) {
        provenance.updateSettings(settings);
      }
    });
    const users = app.serviceManager.user;
    const user = users.ready.then(() => users.identity?.username);

    const follow = (panel: NotebookPanel): void => {
      const context = panel.context;
      if (recorders.has(context)) {
        return;
      }
      const journal = new SidecarJournal(
        contents,
        journalPathFor(context.path),
        error => reportWriteError(context.path, error),
        journalAppends
      );
      const provenance = new NotebookProvenance({
        context,
        journal,
        settings,
        recorderVersion: RECORDER_VERSION,
        user,
        onLoaded: loaded => reportDamage(journal.path, loaded),
        onError: error => console.error('jupyterlab-provenance:', error)
      });
      recorders.set(context, provenance);
      context.disposed.connect(() => {
        recorders.delete(context);
        byModel.delete(context.model);
        provenance.dispose();
      });
      void Promise.all([context.ready, settingsLoaded])
        .then(() => {
          byModel.set(context.model, provenance);
          provenance.updateSettings(settings);
          return provenance.start();
        })
        .catch(error =>
          Notification.error(
            `Provenance could not open ${journal.path}: ${String(error)}. ` +
              'This notebook is not being recorded.'
          )
        );
    };
    tracker.widgetAdded.connect((_, panel) => follow(panel));
    tracker.forEach(follow);

    NotebookActions.executionScheduled.connect((_, { notebook }) => {
      if (notebook.model) {
        byModel.get(notebook.model)?.noteCellScheduled();
      }
    });

    app.commands.addCommand(CommandIDs.exportProvJson, {
      label: 'Export Provenance (PROV-JSON)',
      caption:
        "Write the current notebook's provenance beside it as <name>.prov.json",
      isEnabled: () => tracker.currentWidget !== null,
      execute: async () => {
        const panel = tracker.currentWidget;
        if (!panel) {
          return;
        }
        const provenance = recorders.get(panel.context);
        const notebookPath = panel.context.path;
        try {
          const unsaved = (await provenance?.flush()) ?? 0;
          // The journal this notebook records into, which follows renames.
          const journal = new SidecarJournal(
            contents,
            provenance?.journalPath ?? journalPathFor(notebookPath),
            () => undefined
          );
          const loaded = await journal.load();
          const result = await exportProvJson(
            contents,
            notebookPath,
            loaded,
            RECORDER_VERSION
          );
          const skipped =
            (result.skippedLines > 0
              ? ` ${result.skippedLines} damaged journal line(s) were skipped.`
              : '') +
            (unsaved > 0
              ? ` ${unsaved} recent record(s) could not be saved yet and ` +
                'are missing; export again later.'
              : '');
          Notification.success(
            `Provenance of ${result.executions} execution(s) exported to ` +
              `${result.path}.${skipped}`,
            { autoClose: 8000 }
          );
          return result;
        } catch (error) {
          if (error instanceof NothingRecordedError) {
            Notification.info(error.message, { autoClose: 8000 });
          } else {
            Notification.error(
              `Provenance export of ${notebookPath} failed: ${String(error)}`
            );
          }
          return undefined;
        }
      }
    });
    palette?.addItem({
      command: CommandIDs.exportProvJson,
      category: 'Provenance'
    });

    if (statusBar) {
      const status = new ProvenanceStatus();
      let shown: NotebookProvenance | undefined;
      const onState = (): void =>
        status.setState(shown?.state ?? null, shown?.live.latestSample);
      const showCurrent = (): void => {
        shown?.stateChanged.disconnect(onState);
        shown?.live.received.disconnect(onState);
        shown = tracker.currentWidget
          ? recorders.get(tracker.currentWidget.context)
          : undefined;
        shown?.stateChanged.connect(onState);
        shown?.live.received.connect(onState);
        onState();
      };
      tracker.currentChanged.connect(showCurrent);
      tracker.widgetAdded.connect(showCurrent);
      statusBar.registerStatusItem(PLUGIN_ID, {
        item: status,
        align: 'left',
        rank: 5,
        isActive: () => tracker.currentWidget !== null
      });
      showCurrent();
    }

    return { get: panel => recorders.get(panel.context) };
  }
};

function reportDamage(path: string, loaded: ILoadedJournal): void {
  if (loaded.problems.length === 0) {
    return;
  }
  const lines = loaded.problems.map(p => p.line).join(', ');
  Notification.warning(
    `Provenance journal ${path} is damaged: ${loaded.problems.length} ` +
      `unreadable line(s) skipped (line ${lines}); ` +
      `${loaded.events.length} good record(s) kept. ` +
      'New records are appended after them.',
    { autoClose: false }
  );
  console.warn('jupyterlab-provenance: damaged journal', path, loaded.problems);
}

let writeErrorShown = false;
function reportWriteError(notebookPath: string, error: unknown): void {
  console.error('jupyterlab-provenance: journal write failed', error);
  if (!writeErrorShown) {
    writeErrorShown = true;
    Notification.error(
      `Provenance of ${notebookPath} could not be saved (${String(error)}). ` +
        'Records are kept in this page and retried; do not close it.'
    );
  }
}

export default [
  plugin,
  timelinePlugin,
  lineageMarksPlugin,
  replayLineagePlugin
];
export { IProvenanceRegistry } from './tokens.js';
