// The one place the structure-aware fuzzer asks which bytes of an accepted input no strict reader
// accounted for (issue 20's byte coverage), through the readers' coverage helpers.
import { tarCoverageGaps } from '../helpers/coverage-tar.js';
import { zipCoverageGaps } from '../helpers/coverage-zip.js';

export type ArchiveKind = 'sdist' | 'wheel';

/** One line per byte range of `path` that the strict reader of `kind` neither interpreted nor checked. */
export async function coverageGaps(path: string, kind: ArchiveKind): Promise<string[]> {
  return kind === 'sdist' ? tarCoverageGaps(path) : zipCoverageGaps(path);
}
