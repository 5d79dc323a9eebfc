/**
 * Connection files (jupyter_client's `connection.py`): the server gives the
 * agent one, and the agent writes a second for the real kernel with fresh
 * ports on the same transport and ip, and the same key and signature scheme,
 * so the kernel signs exactly as the server expects.
 */

import { readFileSync } from 'node:fs';
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

/**
 * Finds `count` ports free on `ip` now (the kernel binds them next).
 *
 * Between our check and the kernel's bind another process may take a port.
 * A port the OS hands out on its own (the ephemeral range, also the source
 * ports of every outgoing connection) is the likely victim: a busy machine
 * opens many. So the ports are drawn at random below that range, where the
 * OS never assigns one by itself; only where that range is unknown or
 * leaves no room does the OS pick (bind to port 0).
 */
export async function freePorts(
  ip: string,
  count: number,
  range: readonly [number, number] | null = belowEphemeralRange() ?? null
): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; range && ports.length < count && tries < 200; tries++) {
    const port = range[0] + Math.floor(Math.random() * (range[1] - range[0]));
    if (!ports.includes(port) && (await canListen(ip, port))) {
      ports.push(port);
    }
  }
  while (ports.length < count) {
    ports.push(await anyFreePort(ip));
  }
  return ports;
}

/** Ports below the OS's ephemeral range (Linux: ip_local_port_range), when known and wide enough. */
export function belowEphemeralRange(
  text: string | undefined = readOrUndefined(
    '/proc/sys/net/ipv4/ip_local_port_range'
  )
): [number, number] | undefined {
  const low = Number(text?.trim().split(/\s+/)[0]);
  const floor = 20_000;
  return Number.isInteger(low) && low - floor >= 1000
    ? [floor, low]
    : undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function canListen(ip: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

function anyFreePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const address = server.address();
      server.close(() =>
        address === null || typeof address === 'string'
          ? reject(new Error('no port'))
          : resolve(address.port)
      );
    });
  });
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
