/**
 * Atomic file writes: readers see the old file or the complete new one, never a partial write.
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** What {@link writeFileAtomic} writes: bytes, text (UTF-8), or chunks written one after another. */
export type AtomicData = string | Uint8Array | Iterable<Uint8Array>;

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes `data` to `path` atomically: into a temporary file in the same directory, flushed to disk
 * with fsync, then renamed over `path` (rename within one filesystem is atomic on POSIX). If
 * anything fails on the way — including a chunk iterator that throws — the temporary file is
 * removed and an existing file at `path` is left untouched.
 */
export function writeFileAtomic(path: string, data: AtomicData): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o644);
  let ok = false;
  try {
    if (typeof data === 'string') writeAll(fd, Buffer.from(data, 'utf8'));
    else if (data instanceof Uint8Array) writeAll(fd, data);
    else for (const chunk of data) writeAll(fd, chunk);
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) unlinkSync(tmp);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  syncDir(dir);
}

/** Flushes the directory entry so the rename itself survives a crash (best effort: not every OS allows it). */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directories cannot be opened or fsynced on some platforms (Windows); the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
