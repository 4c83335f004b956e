// Command-line paths to artefact files: what a directory, a glob or no path at all means.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { handlerFor } from '../normalize/index.js';

/** Where `python -m build` puts its artefacts, and so where reprodist looks by default. */
export const DEFAULT_DIST_DIR = 'dist';

export interface ExpandedPaths {
  files: string[];
  /** One line per argument that named nothing usable. */
  problems: string[];
}

/**
 * Turns command-line paths into artefact files: a directory means its *.tar.gz and *.whl (not
 * recursive), a pattern with glob characters is expanded, anything else must be a file.
 */
export async function expandArtefactPaths(args: readonly string[]): Promise<ExpandedPaths> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const arg of args.length > 0 ? args : [DEFAULT_DIST_DIR]) {
    if (fg.isDynamicPattern(arg)) {
      const matches = (await fg(arg, { onlyFiles: true, dot: false })).filter((p) => handlerFor(p)).sort();
      if (matches.length === 0) problems.push(`${arg}: the pattern matches no .tar.gz or .whl file`);
      files.push(...matches);
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch {
      problems.push(`${arg}: no such file or directory`);
      continue;
    }
    if (info.isDirectory()) {
      const matches = (await fg(['*.tar.gz', '*.whl'], { cwd: arg, onlyFiles: true, dot: false })).sort().map((name) => join(arg, name));
      if (matches.length === 0) problems.push(`${arg}: the directory holds no .tar.gz or .whl file`);
      files.push(...matches);
    } else if (!handlerFor(arg)) {
      problems.push(`${arg}: not an sdist (.tar.gz) or a wheel (.whl)`);
    } else {
      files.push(arg);
    }
  }
  return { files: [...new Set(files)], problems };
}
