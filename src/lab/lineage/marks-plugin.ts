import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { followSettings } from '../settings.js';
import { IProvenanceRegistry } from '../tokens.js';
import { defaultLineageOptions } from '../../core/lineage/index.js';
import { NotebookMarks } from './notebook-marks.js';

export namespace LineageMarksCommandIDs {
  export const toggle = 'provenance:toggle-lineage-marks';
}

/**
 * Lineage marks on the cells of every open notebook (upstream and
 * downstream of the selected cell, stale cells), switched by the
 * `lineageMarks` setting and the View menu's toggle.
 */
export const lineageMarksPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-provenance:lineage-marks',
  description:
    'Marks the cells upstream and downstream of the selected cell, and stale cells.',
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
    const marks = new Map<NotebookPanel, NotebookMarks>();
    let enabled = true;
    let settings: ISettingRegistry.ISettings | null = null;

    const follow = (panel: NotebookPanel): void => {
      void panel.context.ready.then(() => {
        const provenance = registry.get(panel);
        if (!enabled || marks.has(panel) || panel.isDisposed || !provenance) {
          return;
        }
        marks.set(panel, new NotebookMarks(panel, provenance, options));
        panel.disposed.connect(() => {
          marks.get(panel)?.dispose();
          marks.delete(panel);
        });
      });
    };
    const apply = (on: boolean): void => {
      if (on === enabled) {
        return;
      }
      enabled = on;
      if (on) {
        notebooks.forEach(follow);
      } else {
        for (const handler of marks.values()) {
          handler.dispose();
        }
        marks.clear();
      }
      app.commands.notifyCommandChanged(LineageMarksCommandIDs.toggle);
    };
    notebooks.widgetAdded.connect((_, panel) => follow(panel));
    notebooks.forEach(follow);

    void followSettings(settingRegistry, loaded =>
      apply(loaded.lineageMarks)
    ).then(loaded => (settings = loaded));

    app.commands.addCommand(LineageMarksCommandIDs.toggle, {
      label: 'Show Lineage Marks',
      caption:
        'Mark the cells upstream (↑) and downstream (↓) of the selected cell, and stale cells (!)',
      isToggled: () => enabled,
      execute: async () => {
        if (settings) {
          // Kept in the user's settings; `changed` applies it.
          await settings.set('lineageMarks', !enabled);
        } else {
          apply(!enabled);
        }
      }
    });
    palette?.addItem({
      command: LineageMarksCommandIDs.toggle,
      category: 'Provenance'
    });
  }
};
