/**
 * The text of an execution's outputs, keyed as the replay comparison names
 * them (core/lineage/replay-compare.ts): each stream by its name, all its
 * text together (`stdout`); every other output by its place among the
 * outputs that are not streams and its type (`0 (execute_result)`). A
 * report diffs two texts where both runs have one under the same key.
 *
 * The same shapes serve both sides: nbformat outputs (the notebook model
 * keeps the cell's latest outputs, the recorded side) and iopub message
 * contents (the replay, as it runs) name their fields alike.
 */

/** Output types the recorder counts as outputs (recorder.ts, OUTPUT_TYPES). */
const COUNTED = new Set([
  'stream',
  'display_data',
  'update_display_data',
  'execute_result',
  'error'
]);

export class OutputTexts {
  /**
   * One output: an nbformat `output_type` or an iopub `msg_type`, and the
   * output (or message content). Other messages are ignored.
   */
  add(type: string, content: unknown): void {
    if (!COUNTED.has(type) || typeof content !== 'object' || !content) {
      return;
    }
    const record = content as Record<string, unknown>;
    if (type === 'stream') {
      const name = typeof record.name === 'string' ? record.name : 'stdout';
      this._texts.set(name, (this._texts.get(name) ?? '') + text(record.text));
      return;
    }
    const key = `${this._displayed++} (${type})`;
    if (type === 'error') {
      this._texts.set(key, `${text(record.ename)}: ${text(record.evalue)}`);
      return;
    }
    const data = record.data;
    if (typeof data === 'object' && data !== null) {
      const plain = (data as Record<string, unknown>)['text/plain'];
      if (plain !== undefined) {
        this._texts.set(key, text(plain));
      }
    }
  }

  /** Key → text, for the outputs that have text. */
  get texts(): ReadonlyMap<string, string> {
    return this._texts;
  }

  private readonly _texts = new Map<string, string>();
  private _displayed = 0;
}

/** The texts of nbformat outputs (`ICodeCellModel.outputs.toJSON()`). */
export function outputTextsOf(
  outputs: readonly { readonly output_type: string }[]
): ReadonlyMap<string, string> {
  const texts = new OutputTexts();
  for (const output of outputs) {
    texts.add(output.output_type, output);
  }
  return texts.texts;
}

/** nbformat multiline strings may be arrays of lines. */
function text(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.filter(v => typeof v === 'string').join('');
  }
  return '';
}
