import { Contents, ServerConnection } from '@jupyterlab/services';
import {
  decodeJournal,
  encodeEvent,
  type IDecodedJournal,
  type JournalEvent
} from '../core/journal/index.js';

/** What was found on disk when a notebook was opened. */
export interface ILoadedJournal extends IDecodedJournal {
  /** False when the notebook has no journal yet. */
  readonly exists: boolean;
}

/** How long appended events wait to be written together. */
const APPEND_DELAY_MS = 300;

/**
 * A notebook's sidecar journal, written through the Jupyter contents API.
 *
 * Appends use the contents API's chunked upload (`chunk` > 1 appends to the
 * file in Jupyter Server's LargeFileManager), so a long session costs one
 * small request per batch rather than a rewrite of the whole journal. Writes
 * are serialised; a failed write keeps its lines queued for the next try, so
 * nothing recorded is dropped while the page lives.
 */
export class SidecarJournal {
  constructor(
    private readonly _contents: Contents.IManager,
    readonly path: string,
    private readonly _onWriteError: (error: unknown) => void
  ) {}

  /** Reads and decodes the journal; an absent file is an empty journal. */
  async load(): Promise<ILoadedJournal> {
    let text: string;
    try {
      const model = await this._contents.get(this.path, {
        type: 'file',
        format: 'text',
        content: true
      });
      text = typeof model.content === 'string' ? model.content : '';
    } catch (error) {
      if (isNotFound(error)) {
        return { exists: false, events: [], problems: [] };
      }
      throw error;
    }
    // A torn last line must not swallow the first line we append.
    this._needsLeadingNewline = text.length > 0 && !text.endsWith('\n');
    return { exists: true, ...decodeJournal(text) };
  }

  /** Queues events; they are written within a few hundred milliseconds. */
  append(events: readonly JournalEvent[]): void {
    for (const event of events) {
      this._queue.push(encodeEvent(event));
    }
    if (this._timer === null) {
      this._timer = setTimeout(() => {
        this._timer = null;
        void this.flush();
      }, APPEND_DELAY_MS);
    }
  }

  /** Writes everything queued so far; resolves when it is on disk. */
  async flush(): Promise<void> {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    // Chain so that writes never overlap and stay in order.
    this._writing = this._writing.then(() => this._writeQueued());
    return this._writing;
  }

  /** Lines waiting to be written (for status and tests). */
  get pendingLines(): number {
    return this._queue.length;
  }

  private async _writeQueued(): Promise<void> {
    if (this._queue.length === 0) {
      return;
    }
    const lines = this._queue.splice(0, this._queue.length);
    const text = (this._needsLeadingNewline ? '\n' : '') + lines.join('');
    try {
      await this._appendText(text);
      this._needsLeadingNewline = false;
    } catch (error) {
      this._queue.unshift(...lines);
      this._onWriteError(error);
    }
  }

  private async _appendText(text: string): Promise<void> {
    try {
      await this._contents.save(this.path, {
        type: 'file',
        format: 'text',
        content: text,
        chunk: 2
      });
    } catch (error) {
      if (!isBadRequest(error)) {
        throw error;
      }
      // Contents managers other than Jupyter Server's LargeFileManager may
      // not support chunked appends: fall back to rewriting the file.
      const loaded = await this._contents
        .get(this.path, { type: 'file', format: 'text', content: true })
        .then(m => (typeof m.content === 'string' ? m.content : ''))
        .catch(e => (isNotFound(e) ? '' : Promise.reject(e)));
      await this._contents.save(this.path, {
        type: 'file',
        format: 'text',
        content: loaded + text
      });
    }
  }

  private _queue: string[] = [];
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _writing: Promise<void> = Promise.resolve();
  private _needsLeadingNewline = false;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ServerConnection.ResponseError
    ? error.response.status
    : undefined;
}

function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

function isBadRequest(error: unknown): boolean {
  return statusOf(error) === 400;
}
