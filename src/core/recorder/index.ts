/** The Recorder: Jupyter messages in, journal events out. */

export {
  kernelOfInfo,
  Recorder,
  type IObservedMessage,
  type IRecorderOptions,
  type IRecordingOptions,
  type ISessionInfo
} from './recorder.js';
export {
  canonicalJson,
  digestOutput,
  makePreview,
  stripAnsi,
  type IOutputDigest
} from './output-digest.js';
export { toIsoTime } from './time.js';
