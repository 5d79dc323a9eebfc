/**
 * Real message sequences captured from ipykernel by
 * test/fixtures/capture_messages.py, and a recorder that collects what it
 * emits.
 */

import { readFileSync } from 'node:fs';
import type {
  JournalEvent,
  SessionId
} from '../../../src/core/journal/index.js';
import {
  Recorder,
  type IObservedMessage,
  type IRecordingOptions
} from '../../../src/core/recorder/index.js';

/** Compiled to build/test/core/recorder/, four levels below the root. */
const FIXTURES = new URL(
  '../../../../test/fixtures/messages/',
  import.meta.url
);

export const FIXTURE_NAMES = [
  'ok',
  'print',
  'display',
  'result',
  'error',
  'interrupt',
  'cell-metadata',
  'silent',
  'aborted'
] as const;

export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function loadFixture(name: FixtureName): IObservedMessage[] {
  const text = readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8');
  return JSON.parse(text) as IObservedMessage[];
}

export const DEFAULT_OPTIONS: IRecordingOptions = {
  recordCode: true,
  recordOutputPreviews: true,
  maxPreviewChars: 200
};

export const SESSION = 'session-1' as SessionId;

export const FIXED_NOW = new Date('2026-11-24T10:00:00.000Z');

export interface IHarness {
  readonly recorder: Recorder;
  readonly events: JournalEvent[];
  readonly errors: Error[];
}

/** A recorder with a started session, a fixed clock and collected output. */
export function harness(options: Partial<IRecordingOptions> = {}): IHarness {
  const events: JournalEvent[] = [];
  const errors: Error[] = [];
  const recorder = new Recorder({
    tap: 'agent',
    emit: e => events.push(e),
    now: () => FIXED_NOW,
    options: { ...DEFAULT_OPTIONS, ...options },
    onError: e => errors.push(e)
  });
  recorder.startSession({
    session: SESSION,
    kernel: { id: 'kernel-1', name: 'python3' }
  });
  events.length = 0;
  return { recorder, events, errors };
}

/** Feeds a fixture and returns the events it produced (session events aside). */
export function record(
  name: FixtureName,
  options: Partial<IRecordingOptions> = {}
): IHarness {
  const h = harness(options);
  for (const observed of loadFixture(name)) {
    h.recorder.handle(observed);
  }
  return h;
}

/** The msg_id of the n-th execute_request in a fixture. */
export function requestId(messages: IObservedMessage[], n = 0): string {
  const requests = messages.filter(
    m => m.direction === 'send' && m.msg.header.msg_type === 'execute_request'
  );
  return requests[n].msg.header.msg_id;
}
