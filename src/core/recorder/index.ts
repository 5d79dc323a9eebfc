/** The Recorder: Jupyter messages in, journal events out. */

export {
  Recorder,
  type ObservedMessage,
  type RecorderOptions,
  type RecordingOptions,
  type SessionInfo
} from './recorder.js';
export {
  canonicalJson,
  digestOutput,
  makePreview,
  stripAnsi,
  type OutputDigest
} from './output-digest.js';
export { toIsoTime } from './time.js';
