/**
 * A code cell's nbformat outputs, built from the iopub messages of its
 * execution the way nbclient (`NotebookClient.process_message`) and
 * JupyterLab's `OutputAreaModel` build them:
 *
 * - `stream`: appended to the previous output when that is a stream of the
 *   same name (JupyterLab; nbclient's `coalesce_streams`), with text that a
 *   `\r` or `\b` overwrites removed, so a progress bar leaves its last state
 *   and not every frame;
 * - `display_data`, `execute_result` (with its `execution_count`), `error`;
 * - `clear_output`: at once, or with `wait: true` just before the next
 *   output arrives;
 * - `update_display_data` and any output with a `transient.display_id`:
 *   every earlier output with that display id, in this cell or an earlier
 *   one, gets the new data and metadata (`DisplayIndex` spans the notebook).
 *
 * Pure: messages in, outputs out; no I/O.
 */

import type {
  ExecutionCount,
  IDisplayData,
  IError,
  IExecuteResult,
  IMimeBundle,
  IOutput,
  IStream,
  OutputMetadata,
  StreamType
} from '@jupyterlab/nbformat';

type IDisplayOutput = IDisplayData | IExecuteResult;

/** The outputs that carry a display id, across the whole notebook. */
export class DisplayIndex {
  /** Remembers that `output` shows `displayId`. */
  add(displayId: string, output: IDisplayOutput): void {
    const outputs = this._byId.get(displayId) ?? [];
    outputs.push(output);
    this._byId.set(displayId, outputs);
  }

  /** Gives every output showing `displayId` new data and metadata. */
  update(displayId: string, data: IMimeBundle, metadata: OutputMetadata): void {
    for (const output of this._byId.get(displayId) ?? []) {
      output.data = data;
      output.metadata = metadata;
    }
  }

  /** Outputs that were cleared are no longer updated. */
  forget(outputs: readonly IOutput[]): void {
    const gone = new Set<IOutput>(outputs);
    for (const [id, shown] of this._byId) {
      this._byId.set(
        id,
        shown.filter(output => !gone.has(output))
      );
    }
  }

  private readonly _byId = new Map<string, IDisplayOutput[]>();
}

/** The outputs of one execution of one code cell. */
export class CellOutputs {
  constructor(displays: DisplayIndex = new DisplayIndex()) {
    this._displays = displays;
  }

  /** The outputs so far, in nbformat's shape (text not split into lines). */
  get outputs(): readonly IOutput[] {
    return this._outputs;
  }

  /** The cell's prompt number, from `execute_input` or the reply. */
  get executionCount(): ExecutionCount {
    return this._executionCount;
  }

  set executionCount(value: ExecutionCount) {
    this._executionCount = value;
  }

  /** The first error output, if any. */
  get error(): IError | undefined {
    return this._outputs.find((o): o is IError => o.output_type === 'error');
  }

  /**
   * Takes one iopub message of this execution; messages that make no
   * output (`status`, `execute_input`, comms, unknown types) change nothing
   * but the execution count.
   */
  handle(msgType: string, content: Readonly<Record<string, unknown>>): void {
    if (typeof content.execution_count === 'number') {
      this._executionCount = content.execution_count;
    }
    const displayId = displayIdOf(content);
    switch (msgType) {
      case 'stream':
        this._stream(
          content.name === 'stderr' ? 'stderr' : 'stdout',
          typeof content.text === 'string' ? content.text : ''
        );
        return;
      case 'display_data':
      case 'execute_result': {
        const output: IDisplayOutput =
          msgType === 'execute_result'
            ? {
                output_type: 'execute_result',
                execution_count: this._executionCount,
                data: bundle(content.data),
                metadata: bundle(content.metadata) as OutputMetadata
              }
            : {
                output_type: 'display_data',
                data: bundle(content.data),
                metadata: bundle(content.metadata) as OutputMetadata
              };
        if (displayId !== undefined) {
          // The new output joins the index after the others are updated.
          this._displays.update(displayId, output.data, output.metadata);
        }
        this._append(output);
        if (displayId !== undefined) {
          this._displays.add(displayId, output);
        }
        return;
      }
      case 'update_display_data':
        if (displayId !== undefined) {
          this._displays.update(
            displayId,
            bundle(content.data),
            bundle(content.metadata) as OutputMetadata
          );
        }
        return;
      case 'error':
        this._append({
          output_type: 'error',
          ename: String(content.ename ?? ''),
          evalue: String(content.evalue ?? ''),
          traceback: Array.isArray(content.traceback)
            ? content.traceback.map(String)
            : []
        });
        return;
      case 'clear_output':
        if (content.wait === true) {
          this._clearBeforeNext = true;
        } else {
          this._clear();
        }
        return;
      default:
        return;
    }
  }

  /** Adds a note of the runner's own, as stderr text (input() answered…). */
  note(text: string): void {
    this._stream('stderr', text);
  }

  private _stream(name: StreamType, text: string): void {
    this._flushPendingClear();
    const last = this._outputs[this._outputs.length - 1];
    if (last?.output_type === 'stream' && (last as IStream).name === name) {
      const stream = last as IStream;
      stream.text = removeOverwrittenChars(String(stream.text) + text);
      return;
    }
    this._outputs.push({
      output_type: 'stream',
      name,
      text: removeOverwrittenChars(text)
    });
  }

  private _append(output: IOutput): void {
    this._flushPendingClear();
    this._outputs.push(output);
  }

  private _flushPendingClear(): void {
    if (this._clearBeforeNext) {
      this._clearBeforeNext = false;
      this._clear();
    }
  }

  private _clear(): void {
    this._displays.forget(this._outputs);
    this._outputs = [];
  }

  private readonly _displays: DisplayIndex;
  private _outputs: IOutput[] = [];
  private _executionCount: ExecutionCount = null;
  private _clearBeforeNext = false;
}

/**
 * Text as a terminal would leave it: a character followed by `\b` is
 * erased, and a line's text before a `\r` that is not part of `\r\n` is
 * overwritten (nbclient's `_RGX_BACKSPACE` and `_RGX_CARRIAGERETURN`).
 */
export function removeOverwrittenChars(text: string): string {
  let previous: string;
  let current = text;
  do {
    previous = current;
    current = current.replace(/[^\n][\b]/g, '');
  } while (current.length < previous.length);
  return current.replace(/[^\n]*\r(?=[^\n])/g, '');
}

function displayIdOf(
  content: Readonly<Record<string, unknown>>
): string | undefined {
  const transient = content.transient;
  if (typeof transient !== 'object' || transient === null) {
    return undefined;
  }
  const id = (transient as { display_id?: unknown }).display_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function bundle(value: unknown): IMimeBundle {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as IMimeBundle)
    : {};
}
