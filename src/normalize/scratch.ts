// Scratch files (temp outputs, spools and downloads) live beside the target, named so that they can be
// told from anything else: `.reprodist-<pid>-<random>.<tmp|spool|part>`. Those of this process are removed on
// success, failure and Ctrl-C; those a killed run left are removed by the next run in that directory.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, unlinkSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const SCRATCH_NAME = /^\.reprodist-(\d+)-[0-9a-f]{8}\.(tmp|spool|part)$/;
const live = new Set<string>();

/** A new scratch path in `dir`, remembered until `removeScratch`. */
export function scratchPath(dir: string, suffix: 'tmp' | 'spool' | 'part'): string {
  const path = join(dir, `.reprodist-${process.pid}-${randomBytes(4).toString('hex')}.${suffix}`);
  live.add(path);
  return path;
}

export async function removeScratch(path: string): Promise<void> {
  await rm(path, { force: true });
  live.delete(path);
}

/**
 * A new scratch file in `dir`, opened for reading and writing and removed at once: only this
 * process reaches it, through the descriptor returned, and the system frees its space when that is
 * closed or the process ends, however it ends. Where an open file cannot be removed (Windows), it is
 * removed once closed at exit, or by a signal's handler.
 */
export function unnamedScratchFile(dir: string): number {
  const path = scratchPath(dir, 'tmp');
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
    live.delete(path);
  } catch {
    process.once('exit', () => {
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
      rmSync(path, { force: true });
    });
  }
  return fd;
}

/**
 * Also removes `path` (a file or a whole directory, such as verify's downloads) if a signal ends the
 * process before the returned function is called. A signal ends it by the signal itself (see
 * exitOnSignals), so 'exit' listeners do not run: this is the way to be cleaned up then.
 */
export function removeOnSignal(path: string): () => void {
  live.add(path);
  return () => void live.delete(path);
}

/** For signal handlers: removes every scratch file (and directory given to removeOnSignal) of this process, synchronously. */
export function removeAllScratchNow(): void {
  for (const path of live) rmSync(path, { force: true, recursive: true });
  live.clear();
}

/** Removes scratch files left in `dir` by runs whose process no longer exists. */
export async function removeStaleScratch(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = SCRATCH_NAME.exec(name);
    if (match && !processExists(Number(match[1]))) await rm(join(dir, name), { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
