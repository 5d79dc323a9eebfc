/**
 * SIGINT, SIGTERM and SIGHUP while `nbprov run` runs: the first stops the
 * run (the kernel is interrupted, then shut down, the notebook written),
 * a second hurries the stop. The run then exits with 128 + the signal's
 * number, as a shell reports a process a signal ended.
 */

import { exitStatus } from '../lifecycle.js';

/** The exit status for a run stopped by `signal` (SIGINT: 130). */
export function signalStatus(signal: NodeJS.Signals): number {
  return exitStatus({ code: null, signal });
}

/**
 * SIGINT, SIGTERM and SIGHUP while running: the first stops the run (the
 * kernel is interrupted, then shut down), a second hurries the stop.
 */
export class StopSignals {
  constructor() {
    for (const signal of StopSignals.SIGNALS) {
      process.on(signal, this._onSignal);
    }
    this.stopped = new Promise(resolve => {
      this._resolveStopped = () => resolve('stopped');
    });
    this.hurried = new Promise(resolve => {
      this._resolveHurried = () => resolve('hurried');
    });
  }

  static readonly SIGNALS: readonly NodeJS.Signals[] = [
    'SIGINT',
    'SIGTERM',
    'SIGHUP'
  ];

  /** The first signal received. */
  signal: NodeJS.Signals | undefined;
  readonly stopped: Promise<'stopped'>;
  readonly hurried: Promise<'hurried'>;

  dispose(): void {
    for (const signal of StopSignals.SIGNALS) {
      process.off(signal, this._onSignal);
    }
  }

  private readonly _onSignal = (signal: NodeJS.Signals): void => {
    if (this.signal === undefined) {
      this.signal = signal;
      this._resolveStopped();
    } else {
      this._resolveHurried();
    }
  };

  private _resolveStopped: () => void = () => undefined;
  private _resolveHurried: () => void = () => undefined;
}
