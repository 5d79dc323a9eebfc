/** Hand-written events of every kind: each with all fields, and with the fewest. */

import type { JournalEvent } from '../../../src/core/journal/index.js';

const T = '2026-11-24T10:00:00.000Z';
const SHA = 'a'.repeat(64);

export const FULL_EXAMPLES = [
  {
    v: 1,
    kind: 'journal.created',
    t: T,
    journal: '6f1c1f9e-2d7c-4d43-9c5e-1f0b8f7d2a10',
    notebookPath: 'work/train.ipynb',
    recorder: { name: 'jupyterlab-provenance', version: '0.1.0' }
  },
  {
    v: 1,
    kind: 'session.started',
    t: T,
    session: 's1',
    tap: 'agent',
    kernel: {
      id: 'k1',
      name: 'python3',
      language: 'python',
      languageVersion: '3.12.1',
      implementation: 'ipython',
      implementationVersion: '8.20.0'
    },
    host: 'node042',
    user: 'ada'
  },
  { v: 1, kind: 'session.ended', t: T, session: 's1', reason: 'restart' },
  {
    v: 1,
    kind: 'notebook.context',
    t: T,
    notebookPath: 'work/train.ipynb',
    format: '4.5',
    cellOrder: ['c1', 'c2']
  },
  {
    v: 1,
    kind: 'execution.requested',
    t: T,
    session: 's1',
    execution: 'e1',
    cellId: 'c1',
    source: 'x = 1',
    sourceSha256: SHA
  },
  {
    v: 1,
    kind: 'execution.started',
    t: T,
    execution: 'e1',
    executionCount: 1,
    kernelTime: T
  },
  {
    v: 1,
    kind: 'execution.output',
    t: T,
    execution: 'e1',
    index: 0,
    outputType: 'stream',
    streamName: 'stdout',
    mimeTypes: ['text/plain'],
    byteSize: 6,
    sha256: SHA,
    preview: 'hello\n',
    kernelTime: T
  },
  {
    v: 1,
    kind: 'execution.finished',
    t: T,
    execution: 'e1',
    status: 'error',
    executionCount: 1,
    kernelStarted: T,
    kernelTime: T,
    error: { ename: 'ZeroDivisionError', evalue: 'division by zero' },
    streams: [{ name: 'stdout', byteSize: 3, sha256: SHA }]
  },
  { v: 1, kind: 'recording.toggled', t: T, recording: false },
  {
    v: 1,
    kind: 'host.facts',
    t: T,
    session: 's1',
    hostname: 'node042',
    platform: 'linux',
    release: '5.15.0-185-generic',
    distro: 'Ubuntu 22.04.5 LTS',
    arch: 'x64',
    cpuModel: 'AMD EPYC 7763 64-Core Processor',
    logicalCores: 128,
    physicalCores: 64,
    memoryTotalBytes: 540_000_000_000,
    gpus: [
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        memoryTotalBytes: 85_520_809_984,
        driverVersion: '590.48.01'
      }
    ],
    scheduler: {
      slurmJobId: '123456',
      slurmJobName: 'train',
      slurmJobPartition: 'gpu',
      slurmNodelist: 'node[041-042]',
      pbsJobId: '789.pbs'
    }
  },
  {
    v: 1,
    kind: 'resource.sample',
    t: T,
    session: 's1',
    execution: 'e1',
    interval: 1.001,
    cpuPercent: 198.5,
    cpuSeconds: 1234.56,
    rssBytes: 8_123_456_789,
    pssBytes: 8_000_000_000,
    threads: 42,
    readBytes: 1_234_567,
    writeBytes: 89_012,
    processCount: 3,
    gpus: [
      {
        index: 0,
        utilizationPercent: 100,
        memoryUsedBytes: 20_780_679_168,
        powerWatts: 631.95,
        treeMemoryBytes: 16_452_157_440
      }
    ],
    energyMicrojoules: 123_456_789
  },
  {
    v: 1,
    kind: 'kernel.usage',
    t: T,
    session: 's1',
    execution: 'e1',
    cpuPercent: 99.7,
    memoryBytes: 123_456_789,
    memoryKind: 'pss',
    hostCpuPercent: 51.2
  },
  {
    v: 1,
    kind: 'execution.names',
    t: T,
    execution: 'e1',
    rebound: ['model', 'np'],
    types: ['Net', 'module'],
    deleted: ['tmp']
  },
  {
    v: 1,
    kind: 'replay.finished',
    t: T,
    session: 's2',
    of: {
      journal: 'j0',
      notebookPath: 'train.ipynb',
      cellId: 'c3',
      execution: 'e3'
    },
    verdict: 'differs',
    executions: [
      {
        execution: 'r1',
        replayOf: 'e1',
        replayOfOrdinal: 1,
        verdict: 'reproduced'
      },
      { replayOf: 'e3', replayOfOrdinal: 3, verdict: 'differs' }
    ]
  }
] as unknown as readonly JournalEvent[];

export const MINIMAL_EXAMPLES = [
  {
    v: 1,
    kind: 'journal.created',
    t: T,
    journal: 'j1',
    recorder: { name: 'r', version: '' }
  },
  {
    v: 1,
    kind: 'session.started',
    t: T,
    session: 's1',
    tap: 'frontend',
    kernel: { id: 'k1', name: 'python3' }
  },
  { v: 1, kind: 'session.ended', t: T, session: 's1', reason: 'unknown' },
  { v: 1, kind: 'notebook.context', t: T, notebookPath: '', cellOrder: [] },
  {
    v: 1,
    kind: 'execution.requested',
    t: T,
    session: 's1',
    execution: 'e1',
    sourceSha256: SHA
  },
  { v: 1, kind: 'execution.started', t: T, execution: 'e1' },
  {
    v: 1,
    kind: 'execution.output',
    t: T,
    execution: 'e1',
    index: 3,
    outputType: 'display_data',
    mimeTypes: [],
    byteSize: 0,
    sha256: SHA
  },
  { v: 1, kind: 'execution.finished', t: T, execution: 'e1', status: 'died' },
  { v: 1, kind: 'recording.toggled', t: T, recording: true },
  {
    v: 1,
    kind: 'host.facts',
    t: T,
    session: 's1',
    hostname: '',
    platform: 'linux',
    release: '',
    arch: 'x64',
    cpuModel: '',
    logicalCores: 1,
    memoryTotalBytes: 0,
    gpus: []
  },
  {
    v: 1,
    kind: 'resource.sample',
    t: T,
    session: 's1',
    interval: 0,
    cpuPercent: 0,
    cpuSeconds: 0,
    rssBytes: 0,
    threads: 0,
    processCount: 0
  },
  { v: 1, kind: 'kernel.usage', t: T, session: 's1' },
  {
    v: 1,
    kind: 'execution.names',
    t: T,
    execution: 'e1',
    rebound: [],
    types: [],
    deleted: []
  },
  {
    v: 1,
    kind: 'replay.finished',
    t: T,
    session: 's2',
    of: { journal: 'j0', execution: 'e3' },
    verdict: 'failed',
    executions: []
  }
] as unknown as readonly JournalEvent[];

/**
 * Lines that are not valid events, each with why. Both the codec's guards
 * and the JSON Schema must refuse every one.
 */
export const BAD_LINES: readonly {
  readonly line: string;
  readonly why: string;
}[] = [
  { line: '[]', why: 'not-an-event' },
  { line: '"execution.started"', why: 'not-an-event' },
  { line: 'null', why: 'not-an-event' },
  {
    line: `{"kind":"execution.started","t":"${T}","execution":"e"}`,
    why: 'not-an-event'
  },
  {
    line: `{"v":"1","kind":"execution.started","t":"${T}","execution":"e"}`,
    why: 'not-an-event'
  },
  {
    line: `{"v":2,"kind":"execution.started","t":"${T}","execution":"e"}`,
    why: 'unknown-version'
  },
  {
    line: `{"v":1,"kind":"execution.paused","t":"${T}","execution":"e"}`,
    why: 'unknown-kind'
  },
  { line: `{"v":1,"t":"${T}","execution":"e"}`, why: 'not-an-event' },
  {
    line: `{"v":1,"kind":"execution.started","execution":"e"}`,
    why: 'invalid-event'
  },
  {
    line: '{"v":1,"kind":"execution.started","t":"2026-11-24T10:00:00Z","execution":"e"}',
    why: 'invalid-event'
  },
  {
    line: '{"v":1,"kind":"execution.started","t":"2026-11-24T10:00:00.000+01:00","execution":"e"}',
    why: 'invalid-event'
  },
  {
    line: '{"v":1,"kind":"execution.started","t":"2026-13-24T10:00:00.000Z","execution":"e"}',
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.started","t":"${T}"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.started","t":"${T}","execution":""}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.started","t":"${T}","execution":"e","executionCount":-1}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.started","t":"${T}","execution":"e","executionCount":1.5}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.started","t":"${T}","execution":"e","executionCount":null}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.started","t":"${T}","execution":"e","extra":1}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.finished","t":"${T}","execution":"e","status":"running"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.finished","t":"${T}","execution":"e","status":"error","error":{"ename":"E"}}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.finished","t":"${T}","execution":"e","status":"ok","streams":[{"name":"stdout","byteSize":3}]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.names","t":"${T}","execution":"e","rebound":["x"],"types":["int"]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"replay.finished","t":"${T}","session":"s","of":{"journal":"j","execution":"e"},"verdict":"maybe","executions":[]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.finished","t":"${T}","execution":"e","status":"error","error":{"ename":"E","evalue":"","tb":[]}}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.requested","t":"${T}","session":"s","execution":"e","sourceSha256":"ABC"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.output","t":"${T}","execution":"e","index":0,"outputType":"stream","mimeTypes":"text/plain","byteSize":1,"sha256":"${SHA}"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"execution.output","t":"${T}","execution":"e","index":0,"outputType":"clear_output","mimeTypes":[],"byteSize":1,"sha256":"${SHA}"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"session.started","t":"${T}","session":"s","tap":"browser","kernel":{"id":"k","name":"p"}}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"session.started","t":"${T}","session":"s","tap":"agent","kernel":{"id":"k"}}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"notebook.context","t":"${T}","notebookPath":"n","cellOrder":["c",""]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"recording.toggled","t":"${T}","recording":"yes"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"kernel.usage","t":"${T}","session":"s","memoryKind":"uss"}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"kernel.usage","t":"${T}","session":"s","memoryBytes":-5}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":-1,"cpuSeconds":0,"rssBytes":0,"threads":1,"processCount":1}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":1,"cpuSeconds":0,"rssBytes":1.5,"threads":1,"processCount":1}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":1,"cpuSeconds":0,"rssBytes":1,"threads":1}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":1,"cpuSeconds":0,"rssBytes":1,"threads":1,"processCount":1,"gpus":{"index":0}}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":1,"cpuSeconds":0,"rssBytes":1,"threads":1,"processCount":1,"gpus":[{"index":0,"temperature":50}]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":1,"cpuSeconds":0,"rssBytes":1,"threads":1,"processCount":1,"gpus":[{"utilizationPercent":5}]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"resource.sample","t":"${T}","session":"s","interval":1,"cpuPercent":1,"cpuSeconds":0,"rssBytes":1,"threads":1,"processCount":1,"gpus":[7]}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"host.facts","t":"${T}","session":"s","hostname":"h","platform":"linux","release":"r","arch":"x64","cpuModel":"c","logicalCores":2,"memoryTotalBytes":1}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"host.facts","t":"${T}","session":"s","hostname":"h","platform":"linux","release":"r","arch":"x64","cpuModel":"c","logicalCores":2,"memoryTotalBytes":1,"gpus":[],"scheduler":{"SLURM_JOB_ID":"1"}}`,
    why: 'invalid-event'
  },
  {
    line: `{"v":1,"kind":"host.facts","t":"${T}","session":"s","hostname":"h","platform":"linux","release":"r","arch":"x64","cpuModel":"c","logicalCores":2,"memoryTotalBytes":1,"gpus":[],"environment":{"HOME":"/root"}}`,
    why: 'invalid-event'
  }
];
