/**
 * Connection files (jupyter_client's `connection.py`): the server gives the
 * agent one, and the agent writes a second for the real kernel with fresh
 * ports on the same transport and ip, and the same key and signature scheme,
 * so the kernel signs exactly as the server expects.
 */

import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface IConnectionInfo {
  readonly transport: 'tcp' | 'ipc';
  readonly ip: string;
  readonly shell_port: number;
  readonly iopub_port: number;
  readonly stdin_port: number;
  readonly control_port: number;
  readonly hb_port: number;
  readonly key: string;
  readonly signature_scheme: string;
  readonly kernel_name?: string;
  /** Anything else the file holds is kept as it is. */
  readonly [other: string]: unknown;
}

export type PortName =
  'shell_port' | 'iopub_port' | 'stdin_port' | 'control_port' | 'hb_port';

export const PORT_NAMES: readonly PortName[] = [
  'shell_port',
  'iopub_port',
  'stdin_port',
  'control_port',
  'hb_port'
];

/** Checks a parsed connection file; throws with what is wrong. */
export function parseConnectionInfo(
  value: unknown,
  source = 'connection file'
): IConnectionInfo {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source}: not a JSON object`);
  }
  const info = value as Record<string, unknown>;
  const transport = info.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') {
    throw new Error(`${source}: transport must be tcp or ipc`);
  }
  if (typeof info.ip !== 'string' || info.ip === '') {
    throw new Error(`${source}: ip missing`);
  }
  for (const name of PORT_NAMES) {
    const port = info[name];
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) {
      throw new Error(`${source}: ${name} missing or not a port number`);
    }
  }
  if (typeof info.key !== 'string') {
    throw new Error(`${source}: key missing`);
  }
  return {
    ...info,
    transport,
    signature_scheme:
      typeof info.signature_scheme === 'string'
        ? info.signature_scheme
        : 'hmac-sha256'
  } as IConnectionInfo;
}

export async function readConnectionFile(
  path: string
): Promise<IConnectionInfo> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(
      `Cannot read the connection file ${path}: ${(e as Error).message}`
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`The connection file ${path} is not JSON.`);
  }
  return parseConnectionInfo(value, path);
}

/** Writes a connection file readable by its owner only (it holds the key). */
export async function writeConnectionFile(
  path: string,
  info: IConnectionInfo
): Promise<void> {
  await writeFile(path, JSON.stringify(info, null, 1) + '\n', {
    mode: 0o600
  });
  await chmod(path, 0o600);
}

/** The ZeroMQ endpoint of one channel (`tcp://127.0.0.1:5555`, `ipc://x-1`). */
export function endpoint(info: IConnectionInfo, port: PortName): string {
  return info.transport === 'tcp'
    ? `tcp://${info.ip.includes(':') ? `[${info.ip}]` : info.ip}:${info[port]}`
    : `ipc://${info.ip}-${info[port]}`;
}

/** Finds `count` ports free on `ip` now (the kernel binds them next). */
export async function freePorts(ip: string, count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, ip, () => resolve(server));
        })
    )
  );
  const ports = servers.map(server => {
    const address = server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('no port');
    }
    return address.port;
  });
  await Promise.all(
    servers.map(server => new Promise(resolve => server.close(resolve)))
  );
  return ports;
}

/**
 * The kernel's connection info: every channel but those in `keep` on a fresh
 * port (or, for ipc, a fresh path suffix). Channels in `keep` are handed to
 * the kernel as they are: the kernel binds the server's own port.
 */
export async function kernelConnectionInfo(
  server: IConnectionInfo,
  keep: readonly PortName[],
  ipcSuffix: () => number = () => 100000 + Math.floor(Math.random() * 800000)
): Promise<IConnectionInfo> {
  const fresh = PORT_NAMES.filter(name => !keep.includes(name));
  const ports =
    server.transport === 'tcp'
      ? await freePorts(server.ip, fresh.length)
      : fresh.map(() => ipcSuffix());
  const out: Record<string, unknown> = { ...server };
  fresh.forEach((name, i) => {
    out[name] = ports[i];
  });
  return out as IConnectionInfo;
}

/** The kernel id jupyter_client puts in connection file names (`kernel-<id>.json`). */
export function kernelIdFromPath(path: string): string | undefined {
  const match = /kernel-([0-9a-zA-Z-]+)\.json$/.exec(path);
  return match === null ? undefined : match[1];
}
