// The files compare's, verify's and rebuild's documents can also be written as, each behind a flag
// that names the file (`--html FILE`). One row per format: a new format is its module and a row here,
// and every such verb offers it. A format's code is loaded only when its flag is given (the page's
// diff2html and highlight.js are larger than the rest of the CLI).
import type { Argv } from 'yargs';
import type { ReportDocument } from './documents.js';

export interface ReportFormat {
  /** The flag, which takes the file to write: `html` is `--html FILE`. */
  flag: string;
  describe: string;
  load(): Promise<(path: string, document: ReportDocument) => Promise<void>>;
}

export const REPORT_FORMATS: readonly ReportFormat[] = [
  { flag: 'html', describe: 'also write the result as one self-contained HTML page to this file', load: async () => (await import('./html-report.js')).writeHtmlReport },
];

/** Declares every format's flag. */
export function reportOptions(y: Argv): Argv {
  return REPORT_FORMATS.reduce((options, format) => options.option(format.flag, { type: 'string', describe: format.describe }), y);
}

/** Writes the document in every format whose flag was given. */
export async function writeReports(flags: object, document: ReportDocument): Promise<void> {
  for (const format of REPORT_FORMATS) {
    const path = (flags as Record<string, unknown>)[format.flag];
    if (typeof path === 'string') await (await format.load())(path, document);
  }
}
