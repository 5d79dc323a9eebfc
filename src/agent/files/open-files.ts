/**
 * The files a process tree holds open, from `/proc/<pid>/fd` (which file)
 * and `/proc/<pid>/fdinfo/<fd>` (`flags`: opened for reading, writing or
 * both). Only regular paths under a root folder count: sockets, pipes,
 * devices and the kernel's own libraries are none of the notebook's data.
 */

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { sep } from 'node:path';

export type OpenMode = 'read' | 'write' | 'both';

/** `O_ACCMODE` of an fdinfo `flags:` line (octal). */
export function accessModeOf(fdinfo: string): OpenMode | undefined {
  const match = /^flags:\s*([0-7]+)/m.exec(fdinfo);
  if (!match) {
    return undefined;
  }
  const mode = parseInt(match[1], 8) & 3;
  return mode === 0 ? 'read' : mode === 1 ? 'write' : 'both';
}

/** Adds what `pids` hold open under `root` (absolute) to `found`. */
export function collectOpenFiles(
  pids: readonly number[],
  root: string,
  found: Map<string, OpenMode>,
  procRoot = '/proc'
): void {
  const prefix = root.endsWith(sep) ? root : root + sep;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!target.startsWith(prefix) || target.endsWith(' (deleted)')) {
        continue;
      }
      let mode: OpenMode | undefined;
      try {
        mode = accessModeOf(
          readFileSync(`${procRoot}/${pid}/fdinfo/${fd}`, 'utf8')
        );
      } catch {
        continue;
      }
      if (mode !== undefined) {
        const before = found.get(target);
        found.set(target, before && before !== mode ? 'both' : mode);
      }
    }
  }
}
