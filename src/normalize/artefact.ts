// The safe way to apply a handler: write to a temp file beside the target, check the content view of
// what was written against the input's, then rename over the target. The original is never touched
// before that rename. `check` runs the same handler into a hash instead of a file.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, realpath, rename, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { collisionNotes, describeContentDifferences, sortedContentDifferences, usingContent } from './content.js';
import type { ContentDifference } from './content.js';
import { RefusedInput, describeError, failureStatus } from './failure.js';
import type { ArtefactHandler, ArtefactKind, HandlerRun } from './handler.js';
import type { NormalizeOptions } from './options.js';
import type { Change } from './report.js';
import { InputComparison } from './input-comparison.js';
import { removeScratch, scratchPath } from './scratch.js';

export type ArtefactStatus = 'normalized' | 'unchanged' | 'normal' | 'not-normal' | 'refused' | 'error';

export interface ArtefactResult {
  path: string;
  kind?: ArtefactKind;
  /** Where the normal form was written (normalize only). */
  output?: string;
  /** normalize: `normalized` or `unchanged` (already in normal form). check: `normal` or `not-normal`.
   * Either: `refused` (a bad input) or `error` (could not be read or written). */
  status: ArtefactStatus;
  changes: Change[];
  /** Defects normalizing does not fix, such as a RECORD that does not match the members; check fails on them. */
  problems: string[];
  /** For refused and error: one line saying what and why. */
  message?: string;
  /** What else the run did that the user should know, such as breaking a hard link (normalize only). */
  notes?: string[];
}

/** What a file is, in words, for a refusal: `a directory`, `a FIFO`... */
export function fileTypeName(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return stats.isFile() ? 'a regular file' : 'not a file';
}

/**
 * Opens `path` for reading without ever blocking (O_NONBLOCK: a FIFO with no writer, a device) and
 * refuses anything but a regular file, checked on the open descriptor (fstat), not on the name.
 */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; stats: Stats }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new RefusedInput(`${path}: not a regular file (${fileTypeName(stats)}); only files are read`);
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The identity (device, inode, size, mtime) of a regular file; refuses anything else. */
async function statRegularFile(path: string): Promise<Stats> {
  const { handle, stats } = await openRegularFile(path);
  await handle.close();
  return stats;
}

/** sha256 of a regular file (refusing anything else). */
export async function sha256File(path: string): Promise<string> {
  const { handle } = await openRegularFile(path);
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

/** A comparison of what is written with the input at `path`, opened as every input is when it is first needed. */
function compareWithInput(path: string, inputStat: Stats): InputComparison {
  return new InputComparison(async () => (await openRegularFile(path)).handle, inputStat.size);
}

/**
 * The handler's work on `path`; when it fails, a file that changed meanwhile (rewritten in place by
 * another program) is said to have changed, instead of whatever its torn bytes looked like.
 */
async function unlessChanged<T>(path: string, before: Stats, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    await checkUnchanged(path, path, before);
    throw error;
  }
}

/** Whether the file at `path` is still the one `before` describes: same device, inode, size and mtime. */
async function checkUnchanged(path: string, shown: string, before: Stats): Promise<void> {
  let now: Stats;
  try {
    now = await stat(path);
  } catch {
    throw new RefusedInput(`${shown} was removed or renamed while reprodist worked on it; nothing was written`);
  }
  const changed = [
    now.dev !== before.dev || now.ino !== before.ino ? 'replaced by another file' : '',
    now.size !== before.size ? `size ${before.size} -> ${now.size}` : '',
    now.mtimeMs !== before.mtimeMs ? 'mtime changed' : '',
  ].filter(Boolean);
  if (changed.length > 0) throw new RefusedInput(`${shown} changed while reprodist worked on it (${changed.join(', ')}); it is left as it is now, run again`);
}

/** `check`: whether the file is already in normal form, and what normalizing would change. */
export async function checkArtefact(handler: ArtefactHandler, path: string, options: NormalizeOptions): Promise<ArtefactResult> {
  return guarded(path, handler.kind, async () => {
    const inputStat = await statRegularFile(path);
    const input = compareWithInput(path, inputStat);
    let run: HandlerRun;
    try {
      run = await unlessChanged(path, inputStat, handler.normalize(path, (chunk) => input.add(chunk), options, tmpdir()));
    } finally {
      await input.close();
    }
    try {
      const problems = run.problems ?? [];
      const normal = (await input.same()) && problems.length === 0;
      const notes = await collisionNotes(run.content);
      return { path, kind: handler.kind, status: normal ? 'normal' : 'not-normal', changes: normal ? [] : run.changes, problems, ...(notes.length > 0 ? { notes } : {}) };
    } finally {
      await run.content.release?.();
    }
  });
}

/**
 * `normalize`: writes the normal form to `outDir` (or in place), verified, atomically. In place, a
 * symbolic link is written through (its target is replaced, the link stays), the owner, group and
 * mode are kept, and the input must be the same file (device, inode, size, mtime) right before the
 * rename. Other hard links to the input keep the old bytes, and the result says so (docs/limits.md).
 */
export async function normalizeArtefact(handler: ArtefactHandler, path: string, options: NormalizeOptions, outDir?: string): Promise<ArtefactResult> {
  return guarded(path, handler.kind, async () => {
    // Refuses what is not a regular file before anything else opens it.
    const inputStat = await statRegularFile(path);
    const inPlace = !outDir;
    const target = outDir ? join(outDir, basename(path)) : await realpath(path);
    const shownTarget = outDir ? target : path;
    const workDir = dirname(target);
    const temp = scratchPath(workDir, 'tmp');
    let run: HandlerRun | undefined;
    try {
      const file = await open(temp, 'wx', 0o600);
      const input = compareWithInput(path, inputStat);
      try {
        const output = new CoalescingWriter(file);
        try {
          run = await unlessChanged(path, inputStat, handler.normalize(path, async (chunk) => {
            await input.add(chunk);
            await output.write(chunk);
          }, options, workDir, true));
        } catch (error) {
          throw namingVerification(path, error);
        }
        await output.flush();
        if (inPlace) await keepOwner(file, inputStat);
        // After the chown, which clears set-id bits.
        await file.chmod(inputStat.mode & 0o7777);
        await file.sync();
      } finally {
        await input.close();
        await file.close();
      }
      const unchanged = await input.same();
      const notes = [
        ...(inPlace && !unchanged && inputStat.nlink > 1
          ? [`${path} had ${inputStat.nlink - 1} other hard link${inputStat.nlink > 2 ? 's, which keep' : ', which keeps'} the old bytes: the normal form is a new file (docs/limits.md)`]
          : []),
        ...(await collisionNotes(run.content)),
      ];
      const result: ArtefactResult = {
        path, kind: handler.kind, output: shownTarget, status: unchanged ? 'unchanged' : 'normalized', changes: unchanged ? [] : run.changes, problems: run.problems ?? [],
        ...(notes.length > 0 ? { notes } : {}),
      };
      if (unchanged && inPlace) return result;
      if (!run.verified) {
        let differences: ContentDifference[];
        try {
          options.phaseDone?.();
          differences = run.readWritten ? await run.readWritten(temp) : await usingContent(handler.readContent(temp), (written) => sortedContentDifferences(run!.content, written));
        } catch (error) {
          throw namingVerification(path, error);
        }
        if (differences.length > 0) throw namingVerification(path, new Error(`${VERIFICATION_FAILED}: ${describeContentDifferences(differences)}`));
      }
      await checkUnchanged(inPlace ? target : path, path, inputStat);
      await rename(temp, target);
      return result;
    } finally {
      await run?.content.release?.();
      await removeScratch(temp);
    }
  });
}

/** How every verification failure starts, wherever it was found (a deflate worker, the writer, here). */
const VERIFICATION_FAILED = 'verification failed';

/** A verification failure says which file was left as it was; other errors pass unchanged. */
function namingVerification(path: string, error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.startsWith(`${VERIFICATION_FAILED}: `)) return error;
  return new Error(`${VERIFICATION_FAILED}, ${path} left as it was: ${error.message.slice(VERIFICATION_FAILED.length + 2)}`);
}

/** Gives the temp file the input's owner and group; only root can give a file away, others keep their own. */
async function keepOwner(file: FileHandle, input: Stats): Promise<void> {
  const own = await file.stat();
  if (own.uid === input.uid && own.gid === input.gid) return;
  try {
    await file.chown(input.uid, input.gid);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL') throw error;
    // Not root: the owner cannot be given away; the group can be when the user is in it.
    if (own.gid !== input.gid) await file.chown(own.uid, input.gid).catch(() => undefined);
  }
}

/** Gathers the many small pieces a writer emits (headers, padding) into few large file writes. */
class CoalescingWriter {
  private static readonly SIZE = 1 << 20;
  private buffer = Buffer.allocUnsafe(CoalescingWriter.SIZE);
  private filled = 0;
  private position = 0;

  constructor(private readonly file: FileHandle) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.filled + chunk.length > this.buffer.length) await this.flush();
    if (chunk.length >= this.buffer.length) {
      await this.put(chunk);
      return;
    }
    this.buffer.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  async flush(): Promise<void> {
    if (this.filled === 0) return;
    await this.put(this.buffer.subarray(0, this.filled));
    this.filled = 0;
  }

  private async put(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }
}

/** Runs one artefact's work, turning any failure into a one-line result instead of a throw. */
async function guarded(path: string, kind: ArtefactKind, work: () => Promise<ArtefactResult>): Promise<ArtefactResult> {
  try {
    return await work();
  } catch (error) {
    return { path, kind, status: failureStatus(error), changes: [], problems: [], message: describeError(error) };
  }
}
