/** sha256 of a file, streamed, for files up to a size cap. */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type FileDigest =
  { readonly sha256: string } | { readonly skipped: 'over-cap' | 'unreadable' };

export async function hashFile(
  path: string,
  size: number,
  maxBytes: number
): Promise<FileDigest> {
  if (size > maxBytes) {
    return { skipped: 'over-cap' };
  }
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
    }
    return { sha256: hash.digest('hex') };
  } catch {
    return { skipped: 'unreadable' };
  }
}
