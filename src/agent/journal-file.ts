/**
 * The journal on the kernel's host, written by the agent itself.
 *
 * Durability (issue 3): a crash of the agent loses at most one flush
 * interval. Events are appended to memory and written with one `write` and
 * one `fsync` per interval (default 1 s), and at once when an execution
 * finishes, so a finished execution is on disk before the next one starts.
 * The file is append-only, created with mode 0600 (provenance is the user's
 * own), and a torn last line left by an earlier crash is closed with '\n'
 * before anything is appended, so the codec reports one bad line instead of
 * merging it with the next event.
 *
 * Where (documented in the closing note of issue 3): the Jupyter server
 * passes the notebook's path relative to its root in `JPY_SESSION_NAME` and
 * starts the kernel with the notebook's folder as cwd, so the journal is the
 * notebook's sidecar, `<cwd>/<stem>.provenance.jsonl`, the very file the
 * frontend tap uses. Without `JPY_SESSION_NAME` (a console, a kernel started
 * by hand), it is `$XDG_DATA_HOME/nbprov/journals/<kernel id>.jsonl`
 * (`~/.local/share/...` when XDG_DATA_HOME is unset).
 */

import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, writeSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import {
  JOURNAL_FORMAT_VERSION,
  encodeEvent,
  type IsoTime,
  type JournalEvent,
  type JournalId
} from '../core/journal/index.js';
import { journalPathFor } from '../core/journal/paths.js';
import { RECORDER_VERSION } from '../core/version.js';

export interface IJournalLocation {
  readonly path: string;
  /** The notebook path relative to the server root, when known. */
  readonly notebookPath?: string;
}

/** The rule above, as a function of the agent's environment. */
export function journalLocation(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  fallbackName: string
): IJournalLocation {
  const notebookPath = env.JPY_SESSION_NAME;
  if (notebookPath !== undefined && notebookPath !== '') {
    // The server's path uses '/'; the kernel's cwd is the notebook's folder.
    const name = journalPathFor(basename(notebookPath.replace(/\\/g, '/')));
    return { path: join(cwd, name), notebookPath };
  }
  const dataHome =
    env.XDG_DATA_HOME !== undefined && isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : join(env.HOME ?? homedir(), '.local', 'share');
  const safe = fallbackName.replace(/[^A-Za-z0-9._-]/g, '_');
  return { path: join(dataHome, 'nbprov', 'journals', `${safe}.jsonl`) };
}

export interface IJournalFileOptions {
  readonly location: IJournalLocation;
  /** Longest time an event waits in memory; default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** A write failed: reported, never thrown into the relay. */
  readonly onError: (error: Error) => void;
}

export class JournalFile {
  /** Opens (creating with a `journal.created` header) the journal file. */
  static async open(options: IJournalFileOptions): Promise<JournalFile> {
    const { path } = options.location;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // 'a+': append-only writes, and reads to inspect the last byte.
    const handle = await open(path, 'a+', 0o600);
    // An existing file (the frontend's, say) is narrowed to its owner too.
    await handle.chmod(0o600).catch(() => undefined);
    const journal = new JournalFile(handle, options);
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        journal._buffer.push('\n');
      }
    } else {
      journal._buffer.push(
        encodeEvent({
          v: JOURNAL_FORMAT_VERSION,
          t: new Date().toISOString() as IsoTime,
          kind: 'journal.created',
          journal: randomUUID() as JournalId,
          ...(options.location.notebookPath !== undefined
            ? { notebookPath: options.location.notebookPath }
            : {}),
          recorder: { name: 'jupyterlab-provenance', version: RECORDER_VERSION }
        })
      );
    }
    await journal.flush();
    return journal;
  }

  private constructor(handle: FileHandle, options: IJournalFileOptions) {
    this._handle = handle;
    this.path = options.location.path;
    this._interval = options.flushIntervalMs ?? 1000;
    this._onError = options.onError;
  }

  readonly path: string;

  /** Events encoded but not yet on disk (for tests and stats). */
  get pending(): number {
    return this._buffer.length;
  }

  /** Queues one event; it is on disk within the flush interval. */
  append(event: JournalEvent): void {
    if (this._closed) {
      return;
    }
    try {
      this._buffer.push(encodeEvent(event));
    } catch (e) {
      this._onError(e as Error);
      return;
    }
    if (event.kind === 'execution.finished') {
      void this.flush();
    } else {
      this._timer ??= setTimeout(() => void this.flush(), this._interval);
    }
  }

  /** Writes and fsyncs what is queued; resolves once it is durable. */
  flush(): Promise<void> {
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    this._writing = this._writing.then(async () => {
      if (this._buffer.length === 0 || this._handleClosed) {
        return;
      }
      const text = this._buffer.join('');
      this._buffer = [];
      try {
        // After a failed write a torn line may be on disk: start afresh.
        await this._handle.write(this._failed ? '\n' + text : text);
        await this._handle.datasync();
        this._failed = false;
      } catch (e) {
        // Kept, first in line, for the next try (a full disk, an NFS
        // hiccup): lines written twice by a partial write are harmless, the
        // journal's readers keep the first of a repeated event.
        this._buffer.unshift(text);
        this._failed = true;
        this._onError(
          new Error(`Cannot write the journal ${this.path}: ${e as Error}`)
        );
        if (!this._closed) {
          this._timer ??= setTimeout(() => void this.flush(), this._interval);
        }
      }
    });
    return this._writing;
  }

  /** Flushes and closes. */
  async close(): Promise<void> {
    this._closed = true;
    await this.flush();
    if (!this._handleClosed) {
      this._handleClosed = true;
      await this._handle.close();
    }
  }

  /**
   * Last resort on the way out of the process (a signal handler, `exit`):
   * writes what is queued synchronously. A write still in flight may land
   * after this one; events are kept in order within each batch.
   */
  closeSync(): void {
    this._closed = true;
    if (this._handleClosed) {
      return;
    }
    this._handleClosed = true;
    const text = this._buffer.join('');
    this._buffer = [];
    try {
      if (text !== '') {
        writeSync(this._handle.fd, text);
      }
      fsyncSync(this._handle.fd);
      closeSync(this._handle.fd);
    } catch (e) {
      this._onError(e as Error);
    }
  }

  private readonly _handle: FileHandle;
  private readonly _interval: number;
  private readonly _onError: (error: Error) => void;
  private _buffer: string[] = [];
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _writing: Promise<void> = Promise.resolve();
  private _closed = false;
  private _handleClosed = false;
  /** The last write failed; the next starts on a new line. */
  private _failed = false;
}
