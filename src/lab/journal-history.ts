import {
  decodeJournal,
  encodeEvent,
  type JournalEvent
} from '../core/journal/index.js';

/** When to look at the journal file again for a new stream's first event. */
const CATCH_UP_DELAYS_MS = [1_200, 2_500, 5_000, 10_000];

/** How far back an event the stream repeats can lie in what was read. */
const OVERLAP_MS = 60_000;

/**
 * The end of the journal a catch-up reads first. What it looks for lies
 * near the end (the last event taken, and a stream's first events, at
 * most a few seconds old); a long session's journal is tens of megabytes,
 * read whole on every kernel restart before.
 */
const TAIL_FIRST_BYTES = 256 * 1024;

/** The end of the journal file, or all of it. */
export interface IJournalTail {
  /** Its last bytes as text; a cut first line included when not `whole`. */
  readonly text: string;
  /** Whether `text` is the whole file. */
  readonly whole: boolean;
}

export interface IJournalHistoryOptions {
  /** Takes the events, each once, in the order the journal has them. */
  readonly append: (events: readonly JournalEvent[]) => void;
  /**
   * The journal file's last `bytes` bytes, or more (`undefined` when there
   * is no file).
   */
  readonly readTail: (bytes: number) => Promise<IJournalTail | undefined>;
  /** Something went wrong that may leave a gap; reported, never thrown. */
  readonly onGap?: (why: string) => void;
  /** Delays of the catch-up reads (tests make them short). */
  readonly catchUpDelaysMs?: readonly number[];
}

/**
 * A notebook's journal as its live views see it: the events read when the
 * notebook opened, then every event recorded since, each once, in journal
 * order, with no journal text or event list kept.
 *
 * Events recorded since come two ways. The page's own (`recorded`, frontend
 * tap) are written by this page after the read, so they are simply added.
 * The kernel-side agent's (`streamed`) overlap the read at both ends:
 *
 * - an event streamed while the journal is read can be in what was read
 *   too (it would be doubled);
 * - an event the agent recorded just before this page subscribed, but wrote
 *   after the read (the agent writes within a second), reached neither (it
 *   would be lost), and so can the first events of a restarted agent,
 *   published before the server's subscription to it is up.
 *
 * The agent writes and streams every event in the order it records them,
 * so a stream's first event settles both: events the read holds from it on
 * are the repeats; once the file holds it, the lines before it and after
 * the last event already taken are the ones missed. Until then the stream
 * is held (a second or two), so events still arrive in journal order. An
 * event is identified by its journal line (`encodeEvent` is canonical).
 */
export class JournalHistory {
  constructor(options: IJournalHistoryOptions) {
    this._options = options;
  }

  /** Whether the events read at the start have been taken. */
  get isLoaded(): boolean {
    return this._loaded;
  }

  /**
   * The events the journal held when it was read, once. Events recorded or
   * streamed before this are held until now.
   */
  loaded(events: readonly JournalEvent[]): void {
    if (this._loaded || this._disposed) {
      return;
    }
    this._loaded = true;
    this._emit(events);
    const stream = this._stream;
    if (stream !== undefined && !stream.settled) {
      // It began while the journal was read: the catch-up starts after
      // what was read.
      stream.anchor = this._last;
      if (!this._settleFrom(events, stream)) {
        this._scheduleCatchUp(stream, 0);
        return;
      }
    }
    this._flushHeld();
  }

  /** Events this page recorded (and writes to the journal itself). */
  recorded(events: readonly JournalEvent[]): void {
    if (this._disposed || events.length === 0) {
      return;
    }
    if (this._holding()) {
      this._held.push(...events.map(event => ({ event, streamed: false })));
    } else {
      this._emit(events);
    }
  }

  /**
   * Events of the agent's stream `stream` (a new id: a new agent). With
   * `catchUp` false the agent writes somewhere this page cannot read: what
   * it missed cannot be caught up, only repeats dropped.
   */
  streamed(
    stream: string,
    events: readonly JournalEvent[],
    catchUp: boolean
  ): void {
    if (this._disposed || events.length === 0) {
      return;
    }
    if (this._stream?.id !== stream) {
      if (this._stream && !this._stream.settled) {
        // A stream that ended before it settled: what it has goes in.
        this._settle(this._stream, []);
      }
      this._stream = {
        id: stream,
        first: events[0],
        catchUp,
        settled: false,
        anchor: this._last
      };
      if (this._loaded) {
        if (catchUp) {
          this._scheduleCatchUp(this._stream, 0);
        } else {
          this._stream.settled = true;
        }
      }
    }
    if (this._holding()) {
      this._held.push(...events.map(event => ({ event, streamed: true })));
    } else {
      this._emit(events);
    }
  }

  /** The agent's stream stopped (the kernel went away). */
  streamEnded(): void {
    const stream = this._stream;
    this._stream = undefined;
    if (stream && !stream.settled && this._loaded) {
      this._settle(stream, []);
    }
  }

  dispose(): void {
    this._disposed = true;
    clearTimeout(this._timer);
    this._held = [];
  }

  private _holding(): boolean {
    return (
      !this._loaded || (this._stream !== undefined && !this._stream.settled)
    );
  }

  /**
   * Settles `stream` from the events just read when they include its first
   * event (the held stream events they include are dropped), or when it
   * cannot catch up anyway. False when it waits for a catch-up read: the
   * read does not reach the stream's start, so it repeats nothing.
   */
  private _settleFrom(
    read: readonly JournalEvent[],
    stream: IStreamState
  ): boolean {
    const firstKey = encodeEvent(stream.first);
    const since = Date.parse(stream.first.t) - OVERLAP_MS;
    const repeats = new Set<string>();
    let found = false;
    for (let i = read.length - 1; i >= 0; i--) {
      const event = read[i];
      if (Date.parse(event.t) < since) {
        break;
      }
      const key = encodeEvent(event);
      repeats.add(key);
      if (key === firstKey) {
        found = true;
        break;
      }
    }
    if (!found && stream.catchUp) {
      return false;
    }
    this._held = this._held.filter(
      ({ event, streamed }) => !streamed || !repeats.has(encodeEvent(event))
    );
    this._settle(stream, []);
    return true;
  }

  private _scheduleCatchUp(stream: IStreamState, attempt: number): void {
    const delays = this._options.catchUpDelaysMs ?? CATCH_UP_DELAYS_MS;
    if (attempt >= delays.length) {
      this._options.onGap?.(
        "the journal file never showed the agent's first streamed event; " +
          'events recorded just before this page connected may be missing ' +
          'from live views (the journal file has them)'
      );
      this._settle(stream, []);
      return;
    }
    clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      void this._catchUp(stream, attempt);
    }, delays[attempt]);
  }

  /**
   * Reads the end of the journal, more of it while what it looks for may
   * lie before (four times more each time: a few reads at most), and takes
   * what the stream missed once the file holds the stream's start.
   */
  private async _catchUp(stream: IStreamState, attempt: number): Promise<void> {
    for (let bytes = TAIL_FIRST_BYTES; ; bytes *= 4) {
      let tail: IJournalTail | undefined;
      try {
        tail = await this._options.readTail(bytes);
      } catch {
        // Tried again; the last try failing is reported as a gap.
        tail = undefined;
      }
      if (this._disposed || stream !== this._stream || stream.settled) {
        return;
      }
      if (tail === undefined) {
        this._scheduleCatchUp(stream, attempt + 1);
        return;
      }
      const found = findMissed(tail, stream);
      if (found === 'not written') {
        this._scheduleCatchUp(stream, attempt + 1);
        return;
      }
      if (found === 'no anchor') {
        this._options.onGap?.(
          'the last event taken is not in the journal file any more; ' +
            'events the stream missed cannot be caught up'
        );
        this._settle(stream, []);
        return;
      }
      if (found !== 'read further') {
        this._settle(stream, found.missed);
        return;
      }
    }
  }

  /**
   * The stream is settled: `missed` goes in, then what was held, except
   * what `missed` already has (this page's own events, written meanwhile).
   */
  private _settle(stream: IStreamState, missed: readonly JournalEvent[]): void {
    stream.settled = true;
    clearTimeout(this._timer);
    if (!this._loaded) {
      return;
    }
    if (missed.length > 0) {
      const own = new Set(
        this._held.filter(h => !h.streamed).map(h => encodeEvent(h.event))
      );
      this._emit(missed.filter(event => !own.has(encodeEvent(event))));
    }
    this._flushHeld();
  }

  private _flushHeld(): void {
    const held = this._held;
    this._held = [];
    this._emit(held.map(h => h.event));
  }

  private _emit(events: readonly JournalEvent[]): void {
    if (events.length === 0 || this._disposed) {
      return;
    }
    this._last = events[events.length - 1];
    this._options.append(events);
  }

  private readonly _options: IJournalHistoryOptions;
  private _loaded = false;
  private _disposed = false;
  private _stream: IStreamState | undefined;
  /** Events waiting for the read, or for the current stream to settle. */
  private _held: { event: JournalEvent; streamed: boolean }[] = [];
  /** The last event taken: where a catch-up starts in the file. */
  private _last: JournalEvent | undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined;
}

/** `tail` from its first whole line on (its first line is cut). */
function wholeLines(tail: string): string {
  const cut = tail.indexOf('\n');
  return cut < 0 ? '' : tail.slice(cut + 1);
}

/**
 * What a stream missed, from the end of the journal: the events after the
 * last one taken before it (its anchor) and before its first event, in
 * file order; or why they cannot be told from `tail`:
 *
 * - `not written`: the stream's first event is not in the file yet. The
 *   file does not hold it, or the tail reaches a minute before it without
 *   holding it (the agent writes in the order it records);
 * - `read further`: what is looked for may lie before the tail;
 * - `no anchor`: the file does not hold the anchor.
 *
 * Lines are compared as events (decoded, encoded again), not as text: a
 * line written by another encoder still matches. Only the lines from the
 * end back to the anchor are decoded.
 */
function findMissed(
  tail: IJournalTail,
  stream: IStreamState
): { missed: JournalEvent[] } | 'not written' | 'read further' | 'no anchor' {
  const firstKey = encodeEvent(stream.first);
  const anchorKey =
    stream.anchor === undefined ? undefined : encodeEvent(stream.anchor);
  const since = Date.parse(stream.first.t) - OVERLAP_MS;
  const missed: JournalEvent[] = [];
  let foundFirst = false;
  const text = tail.whole ? tail.text : wholeLines(tail.text);
  for (const { event, key } of eventsFromEnd(text)) {
    if (!foundFirst) {
      if (key === firstKey) {
        foundFirst = true;
      } else if (Date.parse(event.t) < since) {
        return 'not written';
      }
      continue;
    }
    if (key === anchorKey) {
      return { missed: missed.reverse() };
    }
    missed.push(event);
  }
  if (!tail.whole) {
    return 'read further';
  }
  if (!foundFirst) {
    return 'not written';
  }
  // Nothing was taken before the stream: all before its start it missed.
  return anchorKey === undefined ? { missed: missed.reverse() } : 'no anchor';
}

/** The events of `text`'s lines, last first, each with its canonical line. */
function* eventsFromEnd(
  text: string
): Generator<{ event: JournalEvent; key: string }> {
  let end = text.endsWith('\n') ? text.length - 1 : text.length;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    // A line that is no event (damaged) is passed over.
    const event = decodeJournal(line + '\n').events[0];
    if (event !== undefined) {
      yield { event, key: encodeEvent(event) };
    }
  }
}

interface IStreamState {
  readonly id: string;
  /** Its first event: once the file holds it, it holds all before it. */
  readonly first: JournalEvent;
  readonly catchUp: boolean;
  settled: boolean;
  /** The last event taken before the stream began (catch-up start). */
  anchor: JournalEvent | undefined;
}
