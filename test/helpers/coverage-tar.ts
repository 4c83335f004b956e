// Byte coverage of an sdist: reads a .tar.gz with the strict gzip and tar readers (as every verb
// reads it) with a ByteCoverage on each layer, and lists the bytes neither reader interpreted or
// checked: in the gzip file's bytes, and in the inflated tar stream's.
import { stat } from 'node:fs/promises';
import { ByteCoverage } from '../../src/formats/coverage.js';
import { walkSdist } from '../../src/normalize/sdist/read.js';

/** One line per uncovered range of `path` (an sdist the readers accept), naming its offsets and the structures around it; [] when every byte is accounted for. */
export async function tarCoverageGaps(path: string): Promise<string[]> {
  const coverage = { gzip: new ByteCoverage(), tar: new ByteCoverage() };
  const { tarSize } = await walkSdist(path, async () => undefined, coverage);
  const { size } = await stat(path);
  return [
    ...coverage.gzip.describeGaps(size).map((gap) => `${path}: gzip file: ${gap}`),
    ...coverage.tar.describeGaps(tarSize).map((gap) => `${path}: tar stream: ${gap}`),
  ];
}
