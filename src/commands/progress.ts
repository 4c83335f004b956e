// Progress on stderr for work that takes more than a moment, on a terminal only: nothing when piped,
// and nothing with --json or --quiet. Bars, one per artefact in progress, for normalize and check;
// one status line, rewritten in place, for verify's downloads and builds. File names and status text
// are escaped as every other output line is: they come from archives and the network.
// cli-progress (and Node's readline under it) is loaded only once a bar is due, not in every run.
import { basename } from 'node:path';
import type cliProgress from 'cli-progress';
import type { BatchDisplay } from '../normalize/index.js';
import { escapeLine } from './output.js';

/** An artefact shorter than this never shows a bar: a flash of one is noise. */
const SHOW_AFTER_MS = 700;
/** The status line is redrawn at most this often. */
const STATUS_EVERY_MS = 100;

export interface ProgressDisplay extends BatchDisplay {
  /** One line saying what a long step is doing. */
  status(text: string): void;
}

/** Progress only for a person watching: stderr is a terminal and no machine-readable or quiet output. */
export function createProgress(flags: { json?: boolean; quiet?: boolean }, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  return stream.isTTY && !flags.json && !flags.quiet ? new TerminalProgress(stream) : silentProgress;
}

const silentProgress: ProgressDisplay = {
  start: () => ({ finish: () => undefined }),
  status: () => undefined,
  stop: () => undefined,
};

class TerminalProgress implements ProgressDisplay {
  private bars?: cliProgress.MultiBar;
  /** Set once the first bar is due; the bars start when it has loaded. */
  private library?: Promise<typeof cliProgress>;
  private loaded?: typeof cliProgress;
  private lastStatus = 0;
  private statusShown = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(file: string): { report: (done: number, total: number) => void; finish: () => void } {
    const started = Date.now();
    let bar: cliProgress.SingleBar | undefined;
    const report = (done: number, total: number) => {
      if (!bar) {
        if (Date.now() - started < SHOW_AFTER_MS) return;
        const library = this.loadLibrary();
        if (!library) return;
        this.bars ??= new library.MultiBar(
          { stream: this.stream, clearOnComplete: true, hideCursor: true, format: '{file} [{bar}] {percentage}% {value}/{total} MB' },
          library.Presets.shades_classic,
        );
        bar = this.bars.create(toMB(total), 0, { file: escapeLine(basename(file)) });
      }
      bar.setTotal(toMB(total));
      bar.update(toMB(done));
    };
    return { report, finish: () => bar && this.bars?.remove(bar) };
  }

  /** cli-progress once loaded; until then undefined, and the first call starts loading it. */
  private loadLibrary(): typeof cliProgress | undefined {
    this.library ??= import('cli-progress').then((module) => (this.loaded = module.default));
    return this.loaded;
  }

  status(text: string): void {
    const now = Date.now();
    if (now - this.lastStatus < STATUS_EVERY_MS && this.statusShown) return;
    this.lastStatus = now;
    this.statusShown = true;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[K${escapeLine(text).slice(0, width)}`);
  }

  stop(): void {
    this.bars?.stop();
    if (this.statusShown) this.stream.write('\r\x1b[K');
    this.statusShown = false;
  }
}

function toMB(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}
