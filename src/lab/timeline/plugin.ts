import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  MainAreaWidget,
  Notification,
  ToolbarButton,
  WidgetTracker
} from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { UUID } from '@lumino/coreutils';
import { IProvenanceRegistry } from '../tokens.js';
import { TimelineData } from './timeline-data.js';
import { TimelineView } from './timeline-view.js';

export namespace TimelineCommandIDs {
  export const open = 'provenance:open-timeline';
  export const savePicture = 'provenance:save-timeline-picture';
}

/** The timeline's panel, which knows the notebook it follows. */
class TimelineWidget extends MainAreaWidget<TimelineView> {
  constructor(content: TimelineView, notebook: NotebookPanel) {
    super({ content });
    this._notebook = notebook;
  }

  /** The notebook's path now (it follows renames). */
  get notebookPath(): string {
    return this._notebook.context.path;
  }

  private readonly _notebook: NotebookPanel;
}

/**
 * The timeline beside the notebook: opened from the notebook's toolbar, the
 * command palette and the View menu, split to the right of the notebook it
 * follows (one per notebook), restored with the layout.
 */
export const timelinePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-provenance:timeline',
  description: 'A live timeline of executions and resources beside a notebook.',
  autoStart: true,
  requires: [INotebookTracker, IProvenanceRegistry],
  optional: [ICommandPalette, ILayoutRestorer, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    registry: IProvenanceRegistry,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    themeManager: IThemeManager | null
  ): void => {
    const tracker = new WidgetTracker<TimelineWidget>({
      namespace: 'provenance-timeline'
    });
    const findNotebook = (path: string | undefined) =>
      path === undefined
        ? notebooks.currentWidget
        : notebooks.find(panel => panel.context.path === path);

    const open = async (path: string | undefined): Promise<void> => {
      await notebooks.restored;
      const panel = findNotebook(path);
      if (!panel) {
        return;
      }
      const existing = tracker.find(w => w.notebookPath === panel.context.path);
      if (existing) {
        app.shell.activateById(existing.id);
        return;
      }
      // Not awaiting the notebook's context: while the layout is restored it
      // is not ready until the restore ends, which waits for this command.
      const provenance = registry.get(panel);
      if (!provenance) {
        Notification.warning(
          `No provenance is recorded for ${panel.context.path}.`,
          { autoClose: 5000 }
        );
        return;
      }
      const view = new TimelineView({
        notebook: panel,
        source: new TimelineData(
          provenance.timeline,
          // bench/browser/timeline.spec.ts compares with raw points this way.
          localStorage.getItem('jupyterlab-provenance:timeline-raw') !== '1'
        ),
        themeManager
      });
      const widget = new TimelineWidget(view, panel);
      widget.id = `provenance-timeline-${UUID.uuid4()}`;
      widget.title.label = `Timeline: ${panel.title.label}`;
      widget.title.caption = `Provenance timeline of ${panel.context.path}`;
      widget.title.closable = true;
      widget.addClass('jp-provenance-timeline-panel');
      addToolbar(widget, view);
      const onPathChanged = () => {
        widget.title.label = `Timeline: ${panel.title.label}`;
        void tracker.save(widget);
      };
      // The timeline follows its notebook: it goes when the notebook goes.
      const onNotebookDisposed = () => widget.dispose();
      panel.context.pathChanged.connect(onPathChanged);
      panel.disposed.connect(onNotebookDisposed);
      // A closed timeline is not kept alive by the notebook's signals.
      widget.disposed.connect(() => {
        panel.context.pathChanged.disconnect(onPathChanged);
        panel.disposed.disconnect(onNotebookDisposed);
      });
      app.shell.add(widget, 'main', { mode: 'split-right', ref: panel.id });
      await tracker.add(widget);
    };

    app.commands.addCommand(TimelineCommandIDs.open, {
      label: 'Show Provenance Timeline',
      caption:
        'Open the timeline of executions and resources beside the notebook',
      isEnabled: () => notebooks.currentWidget !== null,
      execute: args =>
        open(typeof args.path === 'string' ? args.path : undefined)
    });
    app.commands.addCommand(TimelineCommandIDs.savePicture, {
      label: args =>
        `Save Provenance Timeline as ${args.format === 'svg' ? 'SVG' : 'PNG'}`,
      isEnabled: () => currentTimeline(app, tracker) !== null,
      execute: async args => {
        const widget = currentTimeline(app, tracker);
        if (!widget) {
          return;
        }
        const format = args.format === 'svg' ? 'svg' : 'png';
        await savePicture(app, widget, format);
      }
    });
    if (palette) {
      const category = 'Provenance';
      palette.addItem({ command: TimelineCommandIDs.open, category });
      for (const format of ['png', 'svg']) {
        palette.addItem({
          command: TimelineCommandIDs.savePicture,
          args: { format },
          category
        });
      }
    }
    if (restorer) {
      void restorer.restore(tracker, {
        command: TimelineCommandIDs.open,
        args: widget => ({ path: widget.notebookPath }),
        name: widget => widget.notebookPath
      });
    }
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (panel: NotebookPanel) => {
        const button = new ToolbarButton({
          label: 'Timeline',
          tooltip: 'Show the provenance timeline beside this notebook',
          className: 'jp-provenance-timeline-button',
          onClick: () =>
            void app.commands.execute(TimelineCommandIDs.open, {
              path: panel.context.path
            })
        });
        panel.toolbar.insertItem(10, 'provenanceTimeline', button);
        return button;
      }
    });
  }
};

function currentTimeline(
  app: JupyterFrontEnd,
  tracker: WidgetTracker<TimelineWidget>
): TimelineWidget | null {
  const current = tracker.currentWidget;
  return current && !current.isDisposed ? current : null;
}

function addToolbar(widget: TimelineWidget, view: TimelineView): void {
  const order = new ToolbarButton({
    label: 'By cell',
    tooltip:
      'Rows: cells in notebook order, or executions in the order they ran',
    className: 'jp-provenance-timeline-order',
    onClick: () => {
      view.order = view.order === 'cell' ? 'execution' : 'cell';
      const label = order.node.querySelector(
        '.jp-ToolbarButtonComponent-label'
      );
      if (label) {
        label.textContent = view.order === 'cell' ? 'By cell' : 'By execution';
      }
    }
  });
  widget.toolbar.addItem('order', order);
  const idle = new ToolbarButton({
    label: 'Compress idle time',
    tooltip:
      'Cut idle gaps longer than 10 minutes from the time axis (marked in grey)',
    className: 'jp-provenance-timeline-idle',
    pressed: false,
    onClick: () => {
      view.compressIdle = !view.compressIdle;
      idle.pressed = view.compressIdle;
    }
  });
  widget.toolbar.addItem('compressIdle', idle);
}

/** Writes the picture beside the notebook: `train.timeline.png` / `.svg`. */
async function savePicture(
  app: JupyterFrontEnd,
  widget: TimelineWidget,
  format: 'png' | 'svg'
): Promise<void> {
  const picture = await widget.content.picture(format);
  const path =
    widget.notebookPath.replace(/\.ipynb$/, '') + `.timeline.${format}`;
  await app.serviceManager.contents.save(path, {
    type: 'file',
    format: format === 'png' ? 'base64' : 'text',
    content:
      format === 'png'
        ? picture.replace(/^data:image\/png;base64,/, '')
        : picture
  });
  Notification.success(`Timeline saved to ${path}.`, { autoClose: 5000 });
}
