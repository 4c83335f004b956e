// Progress bars on stderr for artefacts that take more than a moment, on a terminal only: nothing
// when piped, and nothing with --json or --quiet. One bar per artefact in progress.
import { basename } from 'node:path';
import cliProgress from 'cli-progress';

/** An artefact shorter than this never shows a bar: a flash of one is noise. */
const SHOW_AFTER_MS = 700;

export type ProgressReporter = (done: number, total: number) => void;

export class ProgressBars {
  private bars?: cliProgress.MultiBar;

  constructor(private readonly enabled: boolean) {}

  /** A reporter for one file: it draws a bar once the file has taken a while. */
  reporter(file: string): { report?: ProgressReporter; finish: () => void } {
    if (!this.enabled) return { finish: () => undefined };
    const started = Date.now();
    let bar: cliProgress.SingleBar | undefined;
    const report: ProgressReporter = (done, total) => {
      if (!bar) {
        if (Date.now() - started < SHOW_AFTER_MS) return;
        this.bars ??= new cliProgress.MultiBar(
          { stream: process.stderr, clearOnComplete: true, hideCursor: true, format: '{file} [{bar}] {percentage}% {value}/{total} MB' },
          cliProgress.Presets.shades_classic,
        );
        bar = this.bars.create(toMB(total), 0, { file: basename(file) });
      }
      bar.setTotal(toMB(total));
      bar.update(toMB(done));
    };
    return { report, finish: () => bar && this.bars?.remove(bar) };
  }

  stop(): void {
    this.bars?.stop();
  }
}

function toMB(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}

/** Bars only for a person watching: stderr is a terminal and no machine-readable or quiet output. */
export function progressWanted(flags: { json?: boolean; quiet?: boolean }): boolean {
  return Boolean(process.stderr.isTTY) && !flags.json && !flags.quiet;
}
