/**
 * What `nbprov run` says on stderr while it runs.
 *
 * - On a terminal: one line, redrawn every second,
 *   `cell 3/7 [01:05] train(model, epochs=10)…`; failures and notes are
 *   printed above it and stay.
 * - Elsewhere (a batch job's log file): one line per cell when it ends,
 *   `[3/7] ok 65.2s` or `[3/7] error ValueError: bad shape 0.3s`.
 */

/** How a cell's execution ended. */
export type CellStatus = 'ok' | 'error' | 'timeout' | 'interrupted' | 'died';

export interface ICellEnd {
  readonly status: CellStatus;
  /** `ename: evalue` of an error, or what went wrong. */
  readonly detail?: string;
  readonly seconds: number;
}

export interface IProgress {
  cellStarted(index: number, total: number, source: string): void;
  cellFinished(index: number, total: number, end: ICellEnd): void;
  /** A line that stays (a warning, the final summary). */
  note(line: string): void;
  /** Stops redrawing. */
  close(): void;
}

/** `mm:ss`, or `h:mm:ss` from an hour on. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mmss = `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/** The first line of code that is not blank, cut to `width` with `…`. */
export function firstLine(source: string, width: number): string {
  const line =
    source
      .split('\n')
      .map(l => l.trim())
      .find(l => l !== '') ?? '';
  const more = line !== source.trim();
  if (width <= 1) {
    return '';
  }
  if (line.length > width - 1) {
    return line.slice(0, width - 1) + '…';
  }
  return more ? line + '…' : line;
}

/** `[3/7] ok 1.2s`, `[3/7] error ValueError: bad 0.3s`. */
export function formatCellEnd(
  index: number,
  total: number,
  end: ICellEnd
): string {
  const detail = end.detail !== undefined ? ` ${oneLine(end.detail)}` : '';
  return `[${index}/${total}] ${end.status}${detail} ${end.seconds.toFixed(1)}s`;
}

/** The terminal line: `cell 3/7 [01:05] code…`, at most `columns` wide. */
export function formatRunningLine(
  index: number,
  total: number,
  elapsedMs: number,
  source: string,
  columns: number
): string {
  const head = `cell ${index}/${total} [${formatClock(elapsedMs)}] `;
  return head + firstLine(source, columns - head.length - 1);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? line.slice(0, 199) + '…' : line;
}

interface IStream {
  write(text: string): unknown;
  readonly columns?: number;
}

/** One line per cell, for log files. */
export class LineProgress implements IProgress {
  constructor(stream: IStream) {
    this._stream = stream;
  }

  cellStarted(): void {
    // Said when it ends: a log wants one line per cell.
  }

  cellFinished(index: number, total: number, end: ICellEnd): void {
    this._stream.write(formatCellEnd(index, total, end) + '\n');
  }

  note(line: string): void {
    this._stream.write(line + '\n');
  }

  close(): void {
    // Nothing is redrawn.
  }

  private readonly _stream: IStream;
}

/** One line redrawn in place, for a terminal. */
export class TerminalProgress implements IProgress {
  constructor(stream: IStream, now: () => number = Date.now) {
    this._stream = stream;
    this._now = now;
  }

  cellStarted(index: number, total: number, source: string): void {
    this._current = { index, total, source, started: this._now() };
    this._draw();
    if (this._timer === undefined) {
      this._timer = setInterval(() => this._draw(), 1000);
      this._timer.unref();
    }
  }

  cellFinished(index: number, total: number, end: ICellEnd): void {
    this._current = undefined;
    if (end.status !== 'ok') {
      this.note(formatCellEnd(index, total, end));
    }
  }

  note(line: string): void {
    this._stream.write(`\r\x1b[K${line}\n`);
    this._draw();
  }

  close(): void {
    clearInterval(this._timer);
    this._timer = undefined;
    this._current = undefined;
    this._stream.write('\r\x1b[K');
  }

  private _draw(): void {
    const current = this._current;
    if (current === undefined) {
      return;
    }
    this._stream.write(
      '\r\x1b[K' +
        formatRunningLine(
          current.index,
          current.total,
          this._now() - current.started,
          current.source,
          this._stream.columns || 80
        )
    );
  }

  private readonly _stream: IStream;
  private readonly _now: () => number;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _current:
    | { index: number; total: number; source: string; started: number }
    | undefined;
}
