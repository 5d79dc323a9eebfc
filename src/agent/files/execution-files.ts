/**
 * Which files under the kernel's working folder each execution read or
 * wrote, as the agent can see them (issue 5): files the kernel's process
 * tree holds open while a cell runs (`/proc/<pid>/fd`, polled every
 * `pollMs`), and files new or changed between the folder's state when the
 * previous execution ended and when this one ended. A file opened and
 * closed between two polls is not seen open; the static analysis of the
 * source names most of those. Executions queued together share what the
 * scan after them finds (the lineage graph chains such writes).
 */

import { join, sep } from 'node:path';
import type {
  IFileAccessedEvent,
  Sha256Hex
} from '../../core/journal/index.js';
import { hashFile } from './file-hash.js';
import {
  changedFiles,
  DEFAULT_SNAPSHOT_LIMITS,
  snapshotFolder,
  type IFolderSnapshot,
  type ISnapshotLimits
} from './folder-snapshot.js';
import { collectOpenFiles, type OpenMode } from './open-files.js';

/** A `file.accessed` event's fields, before it is stamped. */
export type IFileAccess = Omit<
  IFileAccessedEvent,
  'v' | 't' | 'kind' | 'execution'
> & { readonly execution: string };

export interface IExecutionFilesOptions {
  /** The kernel's working folder, absolute. */
  readonly root: string;
  /** The kernel's process tree, now. */
  readonly pids: () => readonly number[];
  readonly maxHashBytes: number;
  readonly onAccess: (access: IFileAccess) => void;
  readonly onError: (error: Error) => void;
  readonly pollMs?: number;
  readonly limits?: ISnapshotLimits;
  readonly procRoot?: string;
}

export class ExecutionFiles {
  constructor(private readonly _options: IExecutionFilesOptions) {
    this._work = snapshotFolder(_options.root, this._limits()).then(
      snapshot => {
        this._baseline = snapshot;
      }
    );
  }

  executionStarted(execution: string): void {
    this._since.push(execution);
    this._running = { execution, open: new Map() };
    clearInterval(this._timer);
    this._timer = setInterval(() => this._poll(), this._options.pollMs ?? 250);
    this._timer.unref();
    this._poll();
  }

  executionFinished(execution: string): void {
    if (this._running?.execution !== execution) {
      return;
    }
    this._poll();
    clearInterval(this._timer);
    this._timer = undefined;
    const { open } = this._running;
    this._running = undefined;
    const covered = this._since.splice(0);
    this._work = this._work
      .then(() => this._report(execution, open, covered))
      .catch(e => this._options.onError(e as Error));
  }

  /** Waits for the reports under way (tests, shutdown). */
  settled(): Promise<void> {
    return this._work;
  }

  close(): void {
    clearInterval(this._timer);
    this._closed = true;
  }

  private _poll(): void {
    if (!this._running) {
      return;
    }
    try {
      collectOpenFiles(
        this._options.pids(),
        this._options.root,
        this._running.open,
        this._options.procRoot
      );
    } catch (e) {
      this._options.onError(e as Error);
    }
  }

  private async _report(
    execution: string,
    open: ReadonlyMap<string, OpenMode>,
    covered: readonly string[]
  ): Promise<void> {
    const after = await snapshotFolder(this._options.root, this._limits());
    const changed = this._baseline ? changedFiles(this._baseline, after) : [];
    this._baseline = after;
    if (this._closed) {
      return;
    }
    const prefix = this._options.root.endsWith(sep)
      ? this._options.root
      : this._options.root + sep;
    const written = new Set(changed);
    for (const [absolute, mode] of open) {
      const path = absolute.slice(prefix.length);
      if (mode !== 'read') {
        written.add(path);
      }
    }
    for (const path of written) {
      const state = after.files.get(path);
      const measured = state ? await this._measure(path, state.size) : {};
      // Scanned after queued executions ran: each may be the writer.
      for (const one of covered.length > 0 ? covered : [execution]) {
        this._options.onAccess({
          execution: one,
          path: toPosix(path),
          mode: 'write',
          seen: changed.includes(path) ? 'changed' : 'open',
          ...measured
        });
      }
    }
    for (const [absolute, mode] of open) {
      const path = absolute.slice(prefix.length);
      if (mode === 'write' || written.has(path)) {
        continue;
      }
      const state = after.files.get(path);
      this._options.onAccess({
        execution,
        path: toPosix(path),
        mode: 'read',
        seen: 'open',
        ...(state ? await this._measure(path, state.size) : {})
      });
    }
  }

  private async _measure(
    path: string,
    size: number
  ): Promise<Pick<IFileAccess, 'size' | 'sha256' | 'hashSkipped'>> {
    const digest = await hashFile(
      join(this._options.root, path),
      size,
      this._options.maxHashBytes
    );
    return 'sha256' in digest
      ? { size, sha256: digest.sha256 as Sha256Hex }
      : { size, hashSkipped: digest.skipped };
  }

  private _limits(): ISnapshotLimits {
    return this._options.limits ?? DEFAULT_SNAPSHOT_LIMITS;
  }

  private _baseline: IFolderSnapshot | undefined;
  private _work: Promise<void>;
  private _running:
    | { readonly execution: string; readonly open: Map<string, OpenMode> }
    | undefined;
  private _timer: NodeJS.Timeout | undefined;
  /** Executions started since the last scan. */
  private readonly _since: string[] = [];
  private _closed = false;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
