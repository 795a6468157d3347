/**
 * Whether a regular file is gzip, by its first two bytes (gzip's magic 1f 8b), whatever its
 * name: every command that reads log files reads such a file decompressed. Read as text, a
 * rotated `access.log.1.gz` was a screen of rejected lines; named `.gz` but plain, it failed.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function isGzipFile(path: string): boolean {
  const head = Buffer.alloc(2);
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch {
    // Unreadable: opening it to read says why.
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
