/**
 * Reading and writing `.ipynb` files as nbformat does (nbformat/v4/rwbase.py
 * and nbjson.py): multi-line text is joined on reading and split into lines
 * on writing, keys are sorted, one space of indent, a final newline, so an
 * executed notebook diffs like one saved by Jupyter.
 *
 * Cell ids (nbformat 4.5): cells without one get a fresh one, the way
 * nbformat's validator does (eight hex digits of a uuid4), and the notebook
 * becomes 4.5; the ids are kept in the written notebook, so the journal's
 * cell ids name cells of the file.
 */

import type {
  ICell,
  ICodeCell,
  INotebookContent,
  IOutput
} from '@jupyterlab/nbformat';
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Parses notebook JSON; throws with what is wrong. */
export function parseNotebook(
  text: string,
  source = 'notebook'
): INotebookContent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON: ${(e as Error).message}`);
  }
  const nb = value as Partial<INotebookContent> | null;
  if (
    typeof nb !== 'object' ||
    nb === null ||
    !Array.isArray(nb.cells) ||
    nb.nbformat !== 4
  ) {
    throw new Error(
      `${source} is not a version 4 notebook (nbformat 4 with a cells list); convert it with \`jupyter nbconvert --to notebook\`.`
    );
  }
  for (const cell of nb.cells) {
    cell.source = joined(cell.source);
    if (cell.cell_type === 'code') {
      for (const output of (cell as ICodeCell).outputs ?? []) {
        rejoinOutput(output);
      }
    }
  }
  return nb as INotebookContent;
}

export async function readNotebook(path: string): Promise<INotebookContent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(
      `Cannot read the notebook ${path}: ${(e as Error).message}`
    );
  }
  return parseNotebook(text, path);
}

/**
 * Gives every cell without an id a fresh one (and the notebook format 4.5,
 * the first that has ids); returns the number of ids added.
 */
export function ensureCellIds(
  nb: INotebookContent,
  newId: () => string = () => randomUUID().replace(/-/g, '').slice(0, 8)
): number {
  const taken = new Set(
    nb.cells.map(cell => cell.id).filter(id => typeof id === 'string')
  );
  let added = 0;
  for (const cell of nb.cells) {
    if (typeof cell.id !== 'string' || cell.id === '') {
      let id = newId();
      while (taken.has(id)) {
        id = newId();
      }
      taken.add(id);
      (cell as ICell).id = id;
      added++;
    }
  }
  if (added > 0 && nb.nbformat_minor < 5) {
    nb.nbformat_minor = 5;
  }
  return added;
}

/** The notebook as nbformat writes it. */
export function serializeNotebook(nb: INotebookContent): string {
  const copy = JSON.parse(JSON.stringify(nb)) as INotebookContent;
  for (const cell of copy.cells) {
    cell.source = splitLines(joined(cell.source));
    if (cell.cell_type === 'code') {
      for (const output of (cell as ICodeCell).outputs ?? []) {
        splitOutput(output);
      }
    }
  }
  return JSON.stringify(sortKeys(copy), null, 1) + '\n';
}

/**
 * Writes the notebook by replacing the file (a temporary file beside it,
 * then a rename), so a run killed while writing never leaves half a
 * notebook; an existing file's mode is kept.
 */
export async function writeNotebook(
  path: string,
  nb: INotebookContent
): Promise<void> {
  const mode = await stat(path).then(
    s => s.mode & 0o777,
    () => 0o644
  );
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.nbprov-tmp`
  );
  try {
    await writeFile(temporary, serializeNotebook(nb), { mode });
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true });
    throw new Error(
      `Cannot write the notebook ${path}: ${(e as Error).message}`
    );
  }
}

/** Python's `str.splitlines(True)` for the `\n`-terminated lines nbformat writes. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function joined(value: unknown): string {
  return Array.isArray(value) ? value.join('') : String(value ?? '');
}

/** nbformat: JSON mime types are left as they are. */
function isJsonMime(mime: string): boolean {
  return (
    mime === 'application/json' ||
    (mime.startsWith('application/') && mime.endsWith('+json'))
  );
}

/** nbformat splits text/* and these two into lines. */
const SPLIT_MIMES = new Set(['application/javascript', 'image/svg+xml']);

/**
 * Applies `change` to every text of an output nbformat splits into lines:
 * a stream's text, and the bundle entries of `mimes` (display data).
 */
function mapOutputText(
  output: IOutput,
  mimes: (mime: string) => boolean,
  change: (value: unknown) => unknown
): void {
  if (
    output.output_type === 'execute_result' ||
    output.output_type === 'display_data'
  ) {
    const data = (output.data ?? {}) as Record<string, unknown>;
    for (const [mime, value] of Object.entries(data)) {
      if (mimes(mime)) {
        data[mime] = change(value);
      }
    }
  } else if (output.output_type === 'stream') {
    output.text = change(output.text) as string | string[];
  }
}

function rejoinOutput(output: IOutput): void {
  mapOutputText(
    output,
    mime => !isJsonMime(mime),
    value =>
      Array.isArray(value) && value.every(line => typeof line === 'string')
        ? value.join('')
        : value
  );
}

function splitOutput(output: IOutput): void {
  mapOutputText(
    output,
    mime => mime.startsWith('text/') || SPLIT_MIMES.has(mime),
    value => (typeof value === 'string' ? splitLines(value) : value)
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(key => [key, sortKeys((value as Record<string, unknown>)[key])])
    );
  }
  return value;
}
