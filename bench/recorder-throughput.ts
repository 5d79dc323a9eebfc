/**
 * Recorder throughput and export cost, measured side by side in one run.
 *
 *   npm run build:test && node build/bench/recorder-throughput.js [executions] [runs]
 *
 * Feeds a real ipykernel message sequence (test/fixtures/messages/print.json,
 * re-identified for every execution) through journal → Recorder → codec →
 * PROV projection → PROV-JSON, and prints medians over several runs. The
 * baseline is the least any recorder must do: JSON.stringify every message
 * once (what a "log the raw wire" recorder would pay).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  decodeJournal,
  encodeEvent,
  JOURNAL_FORMAT_VERSION,
  type IsoTime,
  type JournalEvent,
  type JournalId,
  type SessionId
} from '../src/core/journal/index.js';
import { journalToProv } from '../src/core/projection/index.js';
import { serializeProvJson } from '../src/core/prov/index.js';
import { Recorder, type IObservedMessage } from '../src/core/recorder/index.js';

const EXECUTIONS = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 5);

const template = JSON.parse(
  readFileSync(
    new URL('../../test/fixtures/messages/print.json', import.meta.url),
    'utf8'
  )
) as IObservedMessage[];

/** The template sequence, once per execution, with fresh msg_ids and cell ids. */
function messageStream(executions: number): IObservedMessage[] {
  const requestId = template[0].msg.header.msg_id;
  const out: IObservedMessage[] = [];
  const base = Date.parse('2026-11-24T10:00:00.000Z');
  for (let n = 0; n < executions; n++) {
    const id = `exec-${n}`;
    const date = new Date(base + n * 1000).toISOString();
    for (const observed of template) {
      const text = JSON.stringify(observed)
        .replaceAll(requestId, id)
        .replace(/"date":"[^"]*"/g, `"date":"${date}"`);
      const copy = JSON.parse(text) as IObservedMessage;
      if (copy.msg.header.msg_type === 'execute_request') {
        (copy.msg.metadata as Record<string, unknown>).cellId =
          `cell-${n % 50}`;
      }
      out.push(copy);
    }
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

function record(messages: IObservedMessage[]): JournalEvent[] {
  const events: JournalEvent[] = [
    {
      v: JOURNAL_FORMAT_VERSION,
      t: '2026-11-24T09:59:59.000Z' as IsoTime,
      kind: 'journal.created',
      journal: '00000000-0000-4000-8000-000000000000' as JournalId,
      notebookPath: 'bench/train.ipynb',
      recorder: { name: 'jupyterlab-provenance', version: 'bench' }
    }
  ];
  const recorder = new Recorder({
    tap: 'frontend',
    emit: e => events.push(e),
    options: {
      recordCode: true,
      recordOutputPreviews: true,
      maxPreviewChars: 200
    },
    onError: e => {
      throw e;
    }
  });
  recorder.startSession({
    session: 'bench-session' as SessionId,
    kernel: { id: 'kernel', name: 'python3' }
  });
  for (const m of messages) {
    recorder.handle(m);
  }
  return events;
}

const messages = messageStream(EXECUTIONS);
const rows: Record<string, number[]> = {
  baselineStringifyMs: [],
  recorderMs: [],
  encodeMs: [],
  decodeMs: [],
  projectMs: [],
  serializeMs: []
};
let journalBytes = 0;
let provBytes = 0;
let eventCount = 0;
let activityCount = 0;
for (let run = 0; run < RUNS; run++) {
  const [, baseline] = time(() => messages.map(m => JSON.stringify(m)));
  const [events, recording] = time(() => record(messages));
  const [text, encoding] = time(() => events.map(encodeEvent).join(''));
  const [decoded, decoding] = time(() => decodeJournal(text));
  if (decoded.problems.length > 0 || decoded.events.length !== events.length) {
    throw new Error('the journal did not decode whole');
  }
  const [doc, projecting] = time(() => journalToProv(decoded.events));
  const [json, serializing] = time(() => serializeProvJson(doc));
  rows.baselineStringifyMs.push(baseline);
  rows.recorderMs.push(recording);
  rows.encodeMs.push(encoding);
  rows.decodeMs.push(decoding);
  rows.projectMs.push(projecting);
  rows.serializeMs.push(serializing);
  journalBytes = text.length;
  provBytes = Buffer.byteLength(json);
  eventCount = events.length;
  activityCount = doc.recordsOf('activity').length;
}

const m = Object.fromEntries(
  Object.entries(rows).map(([k, v]) => [k, median(v)])
) as Record<keyof typeof rows, number>;
const exportMs = m.decodeMs + m.projectMs + m.serializeMs;
const fmt = (n: number, d = 1): string => n.toFixed(d);
console.log(
  `recorder throughput, ${EXECUTIONS} executions × ${template.length} messages, median of ${RUNS} runs (node ${process.version})`
);
console.log(
  `  messages through the Recorder: ${fmt((messages.length / m.recorderMs) * 1000, 0)}/s ` +
    `(${fmt((m.recorderMs * 1000) / messages.length, 2)} µs each); ` +
    `JSON.stringify of the same messages: ${fmt((m.baselineStringifyMs * 1000) / messages.length, 2)} µs each; ` +
    `ratio recorder/baseline ${fmt(m.recorderMs / m.baselineStringifyMs, 2)}`
);
console.log(
  `  journal events: ${eventCount} (${fmt(eventCount / EXECUTIONS, 1)} per execution); ` +
    `encode ${fmt((eventCount / m.encodeMs) * 1000, 0)}/s, decode ${fmt((eventCount / m.decodeMs) * 1000, 0)}/s`
);
console.log(
  `  end to end journal → recorder → PROV: ${fmt((eventCount / (m.recorderMs + exportMs)) * 1000, 0)} events/s`
);
console.log(
  `  export of ${EXECUTIONS} executions (decode ${fmt(m.decodeMs)} ms + project ${fmt(m.projectMs)} ms + serialize ${fmt(m.serializeMs)} ms): ` +
    `${fmt(exportMs)} ms (goal < 1000 ms)`
);
console.log(
  `  sizes: journal ${fmt(journalBytes / 1024, 0)} KiB (${fmt(journalBytes / EXECUTIONS, 0)} B/execution); ` +
    `PROV-JSON ${fmt(provBytes / 1024, 0)} KiB (${fmt(provBytes / EXECUTIONS, 0)} B/execution, one stream output each; goal < 2048 B without outputs); ` +
    `${activityCount} activities`
);
