// Installer oracles as long-lived Python processes (oracle.py): each serves one oracle of the
// differential suite (pip's unpacker, tarfile's `data` filter, zipfile) case after case over a pipe,
// so a fuzz campaign pays Python's start-up and pip's import once, not once per case.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO_ROOT } from './tools.js';
import type { Oracle } from './differential.js';

const SCRIPT = join(REPO_ROOT, 'test/helpers/oracle.py');

/** What an oracle installs from an archive (differential.py's listing), or why it could not. */
export type Extraction = { ok: true; listing: string[] } | { ok: false; error: string };

/** One oracle of the differential suite, under a label that says which Python runs it. */
export interface ServedOracle {
  label: string;
  oracle: Oracle;
}

/** One oracle process, answering the paths it is sent in the order they were sent. */
export class OracleServer {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly waiting: ((answer: Extraction) => void)[] = [];
  private readonly scratch: string;

  /**
   * `scratch` holds the per-case extraction directories (tmpfs when there is one). A case that takes
   * longer than `hangMs` is answered as a failure and the process started again.
   */
  constructor(readonly served: ServedOracle, scratchParent: string, private readonly hangMs = 60_000) {
    this.scratch = mkdtempSync(join(scratchParent, `oracle-${served.label}-`));
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.served.oracle.python, [SCRIPT, this.served.oracle.name, this.scratch], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    createInterface({ input: child.stdout }).on('line', (line) => this.waiting.shift()?.(JSON.parse(line) as Extraction));
    const ended = (why: string) => {
      if (this.child === child) this.child = undefined;
      for (const answer of this.waiting.splice(0)) answer({ ok: false, error: `oracle process ${why}` });
    };
    child.on('exit', (code, signal) => ended(`ended (${signal ?? code})`));
    child.on('error', (error) => ended(`could not run: ${error.message}`));
    this.child = child;
    return child;
  }

  /** What the oracle installs from the archive at `path`. */
  extract(path: string): Promise<Extraction> {
    const child = this.child ?? this.start();
    return new Promise<Extraction>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ ok: false, error: `no answer within ${this.hangMs} ms` });
      }, this.hangMs);
      this.waiting.push((answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      child.stdin.write(`${path}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
