// The one place the structure-aware fuzzer asks which bytes of an accepted input no strict reader
// accounted for (issue 20's byte coverage). The readers' coverage helpers, test/helpers/coverage-tar.ts
// (`tarCoverageGaps`) and test/helpers/coverage-zip.ts (`zipCoverageGaps`), come from other branches:
// until a helper exists, its kind has no gaps to report.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ArchiveKind = 'sdist' | 'wheel';

const HELPERS: Record<ArchiveKind, { file: URL; exported: string }> = {
  sdist: { file: new URL('../helpers/coverage-tar.ts', import.meta.url), exported: 'tarCoverageGaps' },
  wheel: { file: new URL('../helpers/coverage-zip.ts', import.meta.url), exported: 'zipCoverageGaps' },
};

/** A gap as the helpers may give it: a line, or a range with the structures around it (formats/coverage.ts). */
type Gap = string | { start: number; end: number; after?: string; before?: string };

/** One line per byte range of `path` that the strict reader of `kind` neither interpreted nor checked. */
export async function coverageGaps(path: string, kind: ArchiveKind): Promise<string[]> {
  const helper = HELPERS[kind];
  if (!existsSync(fileURLToPath(helper.file))) return [];
  const module = (await import(helper.file.href)) as Record<string, (path: string) => Gap[] | Promise<Gap[]>>;
  const gaps = await module[helper.exported]!(path);
  return gaps.map((gap) => (typeof gap === 'string' ? gap : `bytes ${gap.start}-${gap.end - 1} not accounted for (after ${gap.after ?? 'the start'}, before ${gap.before ?? 'the end'})`));
}
