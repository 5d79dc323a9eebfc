/**
 * `nbprov export` and `nbprov info`: the journal of a notebook, found from the
 * notebook's path by the rule of core/journal/paths.ts, projected to
 * PROV-JSON or summarised for people.
 */

import { formatBytes } from '../core/format.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  decodeJournal,
  journalPathFor,
  provJsonPathFor,
  type IDecodedJournal
} from '../core/journal/index.js';
import { defaultLineageOptions } from '../core/lineage/index.js';
import { journalToProv, summarizeJournal } from '../core/projection/index.js';
import { serializeProvJson } from '../core/prov/index.js';
import { RECORDER_VERSION } from '../core/version.js';

/** A problem the user can act on: printed without a stack, exit status 1. */
export class JournalCommandError extends Error {}

/** The formats `nbprov export` writes. */
export const EXPORT_FORMATS = ['prov-json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface IExportOptions {
  readonly format?: ExportFormat;
  /** Where to write; `-` for standard output. Default: beside the notebook. */
  readonly output?: string;
}

/** Reads and decodes the journal of a notebook. */
export function readNotebookJournal(notebookPath: string): {
  readonly path: string;
  readonly journal: IDecodedJournal;
} {
  const path = journalPathFor(notebookPath);
  if (!existsSync(path)) {
    throw new JournalCommandError(
      `No provenance journal for ${notebookPath}: expected ${path}. ` +
        'Run the notebook with recording on first.'
    );
  }
  return { path, journal: decodeJournal(readFileSync(path, 'utf8')) };
}

/** Lines about damaged journal lines, for standard error. */
export function damageWarnings(
  path: string,
  journal: IDecodedJournal
): string[] {
  return journal.problems.map(
    p => `warning: ${path}:${p.line}: skipped (${p.why}: ${p.detail})`
  );
}

/**
 * Writes the notebook's provenance; returns where it went (`-` for standard
 * output, in which case `write` received the document).
 */
export function exportNotebook(
  notebookPath: string,
  options: IExportOptions,
  write: (text: string) => void,
  warn: (line: string) => void
): string {
  const format = options.format ?? 'prov-json';
  if (!EXPORT_FORMATS.includes(format)) {
    throw new JournalCommandError(
      `Unknown format "${String(format)}"; known: ${EXPORT_FORMATS.join(', ')}.`
    );
  }
  const { path, journal } = readNotebookJournal(notebookPath);
  damageWarnings(path, journal).forEach(warn);
  if (journal.events.length === 0) {
    throw new JournalCommandError(`${path} holds no readable record.`);
  }
  const text = serializeProvJson(
    journalToProv(journal.events, {
      recorderVersion: RECORDER_VERSION,
      lineage: defaultLineageOptions()
    })
  );
  const output = options.output ?? provJsonPathFor(notebookPath);
  if (output === '-') {
    write(text);
  } else {
    writeFileSync(output, text);
  }
  return output;
}

/** `nbprov info`: a few lines about what the journal holds. */
export function describeNotebook(
  notebookPath: string,
  warn: (line: string) => void
): string[] {
  const { path, journal } = readNotebookJournal(notebookPath);
  damageWarnings(path, journal).forEach(warn);
  const summary = summarizeJournal(journal.events);
  const statuses = Object.entries(summary.byStatus)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const lines = [
    `journal:    ${path}`,
    `notebook:   ${summary.notebookPath ?? notebookPath}`,
    `sessions:   ${summary.sessions}`,
    `executions: ${summary.executions}${statuses ? ` (${statuses})` : ''}`
  ];
  if (summary.firstStart && summary.lastEnd) {
    lines.push(`time span:  ${summary.firstStart} to ${summary.lastEnd}`);
  }
  if (summary.topCells.length > 0) {
    const measured = summary.topCells.some(c => c.cpuSeconds !== undefined);
    const gpu = summary.topCells.some(c => c.gpuSeconds !== undefined);
    lines.push('top cells by wall time:');
    lines.push(
      `  ${'wall s'.padStart(10)}  ${'runs'.padStart(4)}  ` +
        (measured
          ? `${'CPU s'.padStart(10)}  ${'peak mem'.padStart(9)}  `
          : '') +
        (gpu ? `${'GPU s'.padStart(9)}  ` : '') +
        'cell'
    );
    const dash = '–';
    for (const cell of summary.topCells) {
      lines.push(
        `  ${cell.wallSeconds.toFixed(3).padStart(10)}  ` +
          `${String(cell.executions).padStart(4)}  ` +
          (measured
            ? `${(cell.cpuSeconds?.toFixed(3) ?? dash).padStart(10)}  ` +
              `${(cell.peakMemoryBytes !== undefined ? formatBytes(cell.peakMemoryBytes) : dash).padStart(9)}  `
            : '') +
          (gpu
            ? `${(cell.gpuSeconds?.toFixed(3) ?? dash).padStart(9)}  `
            : '') +
          `${cell.cellId ?? '(code without a cell)'}`
      );
    }
  }
  return lines;
}
