// The safe way to apply a handler: write to a temp file beside the target, check the content view of
// what was written against the input's, then rename over the target. The original is never touched
// before that rename. `check` runs the same handler into a hash instead of a file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, chmod } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { contentDifferences } from './content.js';
import { describeError, failureStatus } from './failure.js';
import type { ArtefactHandler, ArtefactKind, HandlerRun } from './handler.js';
import type { NormalizeOptions } from './options.js';
import type { Change } from './report.js';
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
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `check`: whether the file is already in normal form, and what normalizing would change. */
export async function checkArtefact(handler: ArtefactHandler, path: string, options: NormalizeOptions): Promise<ArtefactResult> {
  return guarded(path, handler.kind, async () => {
    const inputHash = await sha256File(path);
    const outputHash = createHash('sha256');
    const run = await handler.normalize(path, async (chunk) => void outputHash.update(chunk), options, tmpdir());
    const problems = run.problems ?? [];
    const normal = outputHash.digest('hex') === inputHash && problems.length === 0;
    return { path, kind: handler.kind, status: normal ? 'normal' : 'not-normal', changes: normal ? [] : run.changes, problems };
  });
}

/** `normalize`: writes the normal form to `outDir` (or in place), verified, atomically. */
export async function normalizeArtefact(handler: ArtefactHandler, path: string, options: NormalizeOptions, outDir?: string): Promise<ArtefactResult> {
  return guarded(path, handler.kind, async () => {
    const target = outDir ? join(outDir, basename(path)) : path;
    const workDir = dirname(target);
    const [inputHash, inputStat] = await Promise.all([sha256File(path), stat(path)]);
    const temp = scratchPath(workDir, 'tmp');
    try {
      const file = await open(temp, 'wx', 0o600);
      const outputHash = createHash('sha256');
      let run: HandlerRun;
      try {
        const output = new CoalescingWriter(file);
        run = await handler.normalize(path, async (chunk) => {
          outputHash.update(chunk);
          await output.write(chunk);
        }, options, workDir);
        await output.flush();
        await file.sync();
      } finally {
        await file.close();
      }
      const unchanged = outputHash.digest('hex') === inputHash;
      const result: ArtefactResult = { path, kind: handler.kind, output: target, status: unchanged ? 'unchanged' : 'normalized', changes: unchanged ? [] : run.changes, problems: run.problems ?? [] };
      if (unchanged && target === path) return result;
      const differences = contentDifferences(run.content, await handler.readContent(temp));
      if (differences.length > 0) {
        const shown = differences.slice(0, 3).map((d) => `${d.name}: ${d.difference}${d.a !== undefined || d.b !== undefined ? ` (${d.a ?? ''} / ${d.b ?? ''})` : ''}`);
        throw new Error(`verification failed, ${path} left as it was: ${shown.join('; ')}`);
      }
      await chmod(temp, inputStat.mode & 0o7777);
      await rename(temp, target);
      return result;
    } finally {
      await removeScratch(temp);
    }
  });
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
