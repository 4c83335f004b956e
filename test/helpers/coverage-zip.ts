// Byte coverage of a zip (issue #20): the strict reader, given a ByteCoverage, marks each range it
// interpreted or checked; a range nobody marked is a byte that could hide something from us.
import { ByteCoverage } from '../../src/formats/coverage.js';
import { openZip } from '../../src/formats/zip/index.js';

/**
 * Opens the zip at `path` with a ByteCoverage, reads every member through (so that their data is
 * checked and marked), and returns one line per byte range left unmarked, naming its offsets and the
 * structures on either side; none for an archive accounted for byte by byte. A zip the reader
 * refuses rejects with its ZipFormatError.
 */
export async function zipCoverageGaps(path: string): Promise<string[]> {
  const coverage = new ByteCoverage();
  const zip = await openZip(path, { coverage });
  try {
    for (const entry of zip.listEntries()) for await (const _ of zip.openMemberStream(entry));
    return coverage.describeGaps(zip.fileSize);
  } finally {
    await zip.close();
  }
}
