/** The kernel-side agent (DESIGN.md, "The kernel-side agent"): Node only. */

export { runAgent, type IAgentOptions, type IAgentStats } from './agent.js';
export {
  JournalFile,
  journalLocation,
  type IJournalLocation
} from './journal-file.js';
export {
  installWrappedKernel,
  listKernelSpecs,
  uninstallWrappedKernel,
  wrapKernelSpec,
  type IKernelSpec
} from './kernelspec.js';
export { Relay } from './relay/relay.js';
export { Signer, decodeMessage, encodeMessage } from './relay/wire.js';
