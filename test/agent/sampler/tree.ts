/**
 * A real process tree for the sampler's tests: a Python process that
 * writes 50 MiB (so the pages are resident, not lazily zero-mapped), starts
 * a grandchild, and both burn CPU until stopped.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const ROOT = `
import subprocess, sys, time
buf = bytearray(b"\\x01") * (50 << 20)
child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
print(child.pid, flush=True)
while True:
    sum(range(1000))
`;

export const ALLOCATED_BYTES = 50 * 1024 * 1024;

export interface ITree {
  readonly root: ChildProcess;
  readonly rootPid: number;
  readonly grandchildPid: number;
  /** Kills the grandchild, then the root, and waits for the root to exit. */
  stop(): Promise<void>;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function spawnTree(): Promise<ITree> {
  const root = spawn('python3', ['-c', ROOT], {
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const lines = createInterface({ input: root.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    root.once('error', reject);
    root.once('exit', code =>
      reject(new Error(`the test tree exited early (${code})`))
    );
  });
  const grandchildPid = Number(first);
  const exited = new Promise<void>(resolve =>
    root.once('exit', () => resolve())
  );
  return {
    root,
    rootPid: root.pid!,
    grandchildPid,
    async stop() {
      kill(grandchildPid);
      kill(root.pid!);
      lines.close();
      await exited;
    }
  };
}

export const sleep = (ms: number): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));
