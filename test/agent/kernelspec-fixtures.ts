/** Kernelspecs as Jupyter lists them, for the agent's unit tests. */

import type { IKernelSpec } from '../../src/agent/kernelspec.js';

/** ipykernel's own kernelspec, with an env and metadata to carry over. */
export const PYTHON3: IKernelSpec = {
  argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
  display_name: 'Python 3 (ipykernel)',
  language: 'python',
  interrupt_mode: 'signal',
  env: { FOO: 'bar' },
  metadata: { debugger: true }
};
