import { execFileSync } from 'node:child_process';

/**
 * Installs the agent-wrapped kernelspec `python3-provenance` into the test
 * venv, where the test server looks (`NBPROV_VENV`).
 */
export function installWrappedKernel(): void {
  const venv = process.env.NBPROV_VENV as string;
  execFileSync(
    process.execPath,
    [
      'lib/agent/cli.js',
      'kernel',
      'install',
      '--name',
      'python3',
      '--sys-prefix'
    ],
    { env: { ...process.env, PATH: `${venv}/bin:${process.env.PATH}` } }
  );
}

/** The kernelspec `installWrappedKernel` installs, as a notebook names it. */
export const WRAPPED_KERNELSPEC = {
  name: 'python3-provenance',
  display_name: 'Python 3 (ipykernel) (provenance)'
};
