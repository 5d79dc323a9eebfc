/**
 * What a folder holds (paths, sizes, modification times), read without
 * blocking the relay (the fs promises API runs on libuv's thread pool) and
 * bounded: a notebook folder with a dataset of a million files must not
 * cost a scan of a million files after every cell.
 */

import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface IFileState {
  readonly size: number;
  readonly mtimeMs: number;
}

export interface ISnapshotLimits {
  /** Files looked at, at most; the rest of the folder is not watched. */
  readonly maxFiles: number;
  /** Folder levels below the root. */
  readonly maxDepth: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: ISnapshotLimits = {
  maxFiles: 20_000,
  maxDepth: 6
};

export interface IFolderSnapshot {
  /** Path relative to the root → its state. */
  readonly files: Map<string, IFileState>;
  /** Whether a limit stopped the scan short. */
  readonly truncated: boolean;
}

/**
 * Hidden entries (`.git`, `.ipynb_checkpoints`, virtual environments such
 * as `.venv`), notebooks and our own journals are left out: they change
 * for reasons of their own.
 */
function ignored(name: string): boolean {
  return (
    name.startsWith('.') ||
    name === '__pycache__' ||
    name === 'node_modules' ||
    name.endsWith('.provenance.jsonl') ||
    // Saved by the frontend (autosave) or `nbprov run`, never the cell's work.
    name.endsWith('.ipynb')
  );
}

export async function snapshotFolder(
  root: string,
  limits: ISnapshotLimits = DEFAULT_SNAPSHOT_LIMITS
): Promise<IFolderSnapshot> {
  const files = new Map<string, IFileState>();
  let truncated = false;
  const folders: { path: string; depth: number }[] = [{ path: root, depth: 0 }];
  while (folders.length > 0) {
    const { path, depth } = folders.shift() as { path: string; depth: number };
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (ignored(entry.name)) {
        continue;
      }
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (depth < limits.maxDepth) {
          folders.push({ path: full, depth: depth + 1 });
        } else {
          truncated = true;
        }
      } else if (entry.isFile()) {
        if (files.size >= limits.maxFiles) {
          return { files, truncated: true };
        }
        try {
          const info = await stat(full);
          files.set(relative(root, full), {
            size: info.size,
            mtimeMs: info.mtimeMs
          });
        } catch {
          // Removed while scanning.
        }
      }
    }
  }
  return { files, truncated };
}

/** Files new or changed (size or modification time) from `before` to `after`. */
export function changedFiles(
  before: IFolderSnapshot,
  after: IFolderSnapshot
): string[] {
  const changed: string[] = [];
  for (const [path, now] of after.files) {
    const then = before.files.get(path);
    if (!then || then.size !== now.size || then.mtimeMs !== now.mtimeMs) {
      changed.push(path);
    }
  }
  return changed;
}
