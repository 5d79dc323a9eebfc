import { URLExt } from '@jupyterlab/coreutils';
import { Contents, ServerConnection } from '@jupyterlab/services';
import {
  decodeJournal,
  encodeEvent,
  type IDecodedJournal,
  type JournalEvent
} from '../core/journal/index.js';
import { utf8ByteLength } from '../core/hash.js';
import type { IJournalTail } from './journal-history.js';

/** What was found on disk when a notebook was opened. */
export interface ILoadedJournal extends IDecodedJournal {
  /** False when the notebook has no journal yet. */
  readonly exists: boolean;
}

/** How long appended events wait to be written together. */
const APPEND_DELAY_MS = 300;
/** Retry delays after a failed write, doubling up to the cap. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * How writes reach the file. Jupyter Server's default LargeFileManager
 * appends every chunk after the first; other contents managers answer a
 * chunk with 400, or ignore `chunk` and overwrite the file, and then the
 * journal is rewritten whole (read, append, save) instead.
 */
type WriteMode = 'append' | 'rewrite';

/**
 * A notebook's sidecar journal, written through the Jupyter contents API.
 *
 * Writes are batched (one request per batch, not per event: a request per
 * execution measurably slowed trivial cells), serialised, and checked: a
 * failed write keeps its lines queued and is retried with backoff, so
 * nothing recorded is dropped while the page lives.
 */
export class SidecarJournal {
  /**
   * `appends`, when given, takes the appends to a journal that exists on
   * the server's own drive: a contents manager nothing listens to. Every
   * save through JupyterLab's own manager tells the file browser, which
   * lists the folder again; with a batch written every few hundred
   * milliseconds while a cell prints, that was a listing of the user's
   * folder (on a cluster, often a big home on a network file system) three
   * times a second. Creating, renaming and rewriting the file still go
   * through `_contents`, so the browser shows the journal when it appears.
   */
  constructor(
    private readonly _contents: Contents.IManager,
    path: string,
    private readonly _onWriteError: (error: unknown) => void,
    private readonly _appends?: Contents.IManager
  ) {
    this._path = path;
  }

  /** The journal's path, relative to the server root. */
  get path(): string {
    return this._path;
  }

  /** Reads and decodes the journal; an absent file is an empty journal. */
  async load(): Promise<ILoadedJournal> {
    const text = await this._read();
    if (text === undefined) {
      this._knownText = '';
      return { exists: false, events: [], problems: [] };
    }
    this._exists = true;
    // Kept until the first append is verified, to repair a contents
    // manager that overwrote the file instead of appending.
    this._knownText = text;
    // A torn last line must not swallow the first line we append.
    this._needsLeadingNewline = text.length > 0 && !text.endsWith('\n');
    return { exists: true, ...decodeJournal(text) };
  }

  /**
   * Forgets the text `load` kept to check the first append: a page that
   * leaves the writing to the kernel-side agent must not hold a long
   * journal's text for nothing. Should this page write after all, its
   * first write rewrites the file whole (safe whatever the contents
   * manager does with chunks), and the write after it is checked.
   */
  releaseLoadedText(): void {
    if (this._knownText !== null) {
      this._knownText = null;
      this._checkByRewrite = true;
    }
  }

  /**
   * The file's last `bytes` bytes, or all of it, `undefined` when there is
   * none. A ranged GET of the server's `/files/` (the contents API has no
   * ranges); where that is not served ranged (another drive, a contents
   * manager with its own files handler) the file comes whole.
   */
  async readTail(bytes: number): Promise<IJournalTail | undefined> {
    if (!this._onServerDrive()) {
      const text = await this._read();
      return text === undefined ? undefined : { text, whole: true };
    }
    const settings = this._contents.serverSettings;
    const url = URLExt.join(
      settings.baseUrl,
      'files',
      URLExt.encodeParts(this._path)
    );
    const response = await ServerConnection.makeRequest(
      url,
      { headers: { Range: `bytes=-${bytes}` }, cache: 'no-store' },
      settings
    );
    if (response.status === 404) {
      return undefined;
    }
    if (response.status === 416) {
      // An empty file has no last bytes.
      return { text: '', whole: true };
    }
    if (!response.ok) {
      throw new ServerConnection.ResponseError(response);
    }
    const text = new TextDecoder().decode(await response.arrayBuffer());
    return {
      text,
      whole: response.status !== 206 || rangeStart(response) === 0
    };
  }

  /** Queues events; they are written within a few hundred milliseconds. */
  append(events: readonly JournalEvent[]): void {
    for (const event of events) {
      this._queue.push(encodeEvent(event));
    }
    this._schedule(APPEND_DELAY_MS);
  }

  /**
   * Writes everything queued so far. Resolves `true` when it is all on disk,
   * `false` when a write failed (the lines stay queued and are retried).
   */
  flush(): Promise<boolean> {
    this._cancelTimer();
    // Chained so that writes never overlap and stay in order.
    const written = this._writing.then(() => this._writeQueued());
    this._writing = written.then(() => undefined);
    return written;
  }

  /** Lines recorded but not yet on disk. */
  get pendingLines(): number {
    return this._queue.length;
  }

  /**
   * Follows the notebook to a new path: the journal file is renamed with it,
   * after everything queued is written. When there is no journal yet, only
   * the path changes. Throws (and keeps the old path) when the rename fails.
   */
  async moveTo(newPath: string): Promise<void> {
    if (newPath === this._path) {
      return;
    }
    await this.flush();
    if ((await this._read()) !== undefined) {
      await this._contents.rename(this._path, newPath);
    }
    this._path = newPath;
  }

  private _schedule(delay: number): void {
    if (this._timer === null && this._queue.length > 0) {
      this._timer = setTimeout(() => {
        this._timer = null;
        void this.flush();
      }, delay);
    }
  }

  private _cancelTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private async _writeQueued(): Promise<boolean> {
    if (this._queue.length === 0) {
      return true;
    }
    const lines = this._queue.splice(0, this._queue.length);
    const text = (this._needsLeadingNewline ? '\n' : '') + lines.join('');
    try {
      await this._write(text);
      this._needsLeadingNewline = false;
      this._retryDelay = RETRY_FIRST_MS;
      return true;
    } catch (error) {
      this._queue.unshift(...lines);
      this._onWriteError(error);
      this._schedule(this._retryDelay);
      this._retryDelay = Math.min(this._retryDelay * 2, RETRY_MAX_MS);
      return false;
    }
  }

  private async _write(text: string): Promise<void> {
    if (this._mode === 'rewrite') {
      await this._rewrite(text);
      return;
    }
    if (this._checkByRewrite) {
      // The loaded text is gone (releaseLoadedText): this write knows the
      // whole file, which checks the next append.
      this._knownText = await this._rewrite(text);
      this._checkByRewrite = false;
      return;
    }
    let model: Contents.IModel;
    try {
      model = await this._appendsManager().save(this._path, {
        type: 'file',
        format: 'text',
        content: text,
        chunk: 2
      });
      this._exists = true;
    } catch (error) {
      if (statusOf(error) !== 400) {
        throw error;
      }
      this._mode = 'rewrite';
      await this._rewrite(text);
      return;
    }
    if (this._knownText !== null) {
      // First append of this page: check that it appended.
      const expected = utf8ByteLength(this._knownText) + utf8ByteLength(text);
      if (typeof model.size === 'number' && model.size < expected) {
        // The manager ignored `chunk` and replaced the file with this
        // batch: put back what was there, and rewrite from now on.
        this._mode = 'rewrite';
        await this._save(this._knownText + text);
      }
      this._knownText = null;
    }
  }

  /** Reads the file, saves it with `text` after it; resolves what was saved. */
  private async _rewrite(text: string): Promise<string> {
    const existing = (await this._read()) ?? '';
    await this._save(existing + text);
    return existing + text;
  }

  private async _save(content: string): Promise<void> {
    await this._contents.save(this._path, {
      type: 'file',
      format: 'text',
      content
    });
    this._exists = true;
  }

  /** Where an append goes: quietly once the file exists on the server's drive. */
  private _appendsManager(): Contents.IManager {
    return this._appends !== undefined && this._exists && this._onServerDrive()
      ? this._appends
      : this._contents;
  }

  /**
   * Whether the journal is on the server's own drive, where `/files/` and
   * a second contents manager reach it (not on a drive a plugin added).
   */
  private _onServerDrive(): boolean {
    return this._contents.driveName(this._path) === '';
  }

  /** The file's text, or `undefined` when it does not exist. */
  private async _read(): Promise<string | undefined> {
    try {
      const model = await this._contents.get(this._path, {
        type: 'file',
        format: 'text',
        content: true
      });
      return typeof model.content === 'string' ? model.content : '';
    } catch (error) {
      if (statusOf(error) === 404) {
        return undefined;
      }
      throw error;
    }
  }

  private _path: string;
  private _queue: string[] = [];
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _writing: Promise<void> = Promise.resolve();
  private _needsLeadingNewline = false;
  private _mode: WriteMode = 'append';
  /** The file's text as loaded, until the first append is verified. */
  private _knownText: string | null = null;
  /** The loaded text was released before the first append was verified. */
  private _checkByRewrite = false;
  private _retryDelay = RETRY_FIRST_MS;
  /** The file is known to exist (loaded, or written by this page). */
  private _exists = false;
}

/** Where a ranged answer starts in the file (`Content-Range: bytes a-b/n`). */
function rangeStart(response: Response): number | undefined {
  const range = /^bytes (\d+)-/.exec(
    response.headers.get('Content-Range') ?? ''
  );
  return range ? Number(range[1]) : undefined;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ServerConnection.ResponseError
    ? error.response.status
    : undefined;
}
