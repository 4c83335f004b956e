// Following a CLI process started with spawn(): its exit, a line it prints, and stopping it at a
// known point of its work. Each waits for an event (output, a file-system change, the exit), never
// for a while.

import type { ChildProcess } from 'node:child_process';
import { existsSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { exitStatus } from './tools.js';

/** The child's end: its exit status, or 128 + the signal's number as a shell reports it. */
export function exitOf(child: ChildProcess): Promise<{ status: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ status: exitStatus(code, signal), signal })));
}

/** Everything written to `stream`, as it comes. */
export function collect(stream: Readable): { text: () => string } {
  let text = '';
  stream.on('data', (chunk: Buffer) => void (text += chunk.toString('utf8')));
  return { text: () => text };
}

/** Resolves once `stream` has carried `text`; rejects if it ends without it. */
export function untilPrinted(stream: Readable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
    stream.on('end', () => reject(new Error(`the output ended without ${JSON.stringify(text)}:\n${seen}`)));
  });
}

/**
 * Stops `child` (SIGSTOP) as soon as it has written data into its temp output in `dir`
 * (`.reprodist-<pid>-<rand>.tmp`), and returns that file's name. The child is then between its first
 * write and the rename over the target: the state a crash or a Ctrl-C mid-write leaves. Throws if
 * the child ends first, or if the temp file was renamed before the stop took effect.
 * Start watching before the child can write: call it right after spawn().
 */
export function stopWhileWriting(child: ChildProcess, dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dir, (_event, name) => {
      if (!name?.endsWith('.tmp')) return;
      const path = join(dir, name);
      if (!statSync(path, { throwIfNoEntry: false })?.size) return;
      child.kill('SIGSTOP');
      watcher.close();
      child.off('exit', onExit);
      if (existsSync(path)) resolve(name);
      else reject(new Error(`the run renamed ${name} before it was stopped`));
    });
    const onExit = (): void => {
      watcher.close();
      reject(new Error('the run ended before it wrote its temp output'));
    };
    child.on('exit', onExit);
  });
}
