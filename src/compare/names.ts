// What an artefact's file name says, by the PyPA rules: the project name (normalized as PEP 503
// says, which PEP 625 sdist names and wheel names already are), the version, and for a wheel its
// compatibility tags. compare pairs two releases' files by project and kind with it, and leads with
// the version change.
import type { ArtefactKind } from '../normalize/index.js';

export interface ArtefactName {
  kind: ArtefactKind;
  /** The normalized project name: lower case, each run of `-`, `_`, `.` one `-`. */
  project: string;
  version: string;
  /** Wheels: `python-abi-platform`, the tags that say where it installs. */
  tags?: string;
}

/** PEP 503: `Foo.Bar_baz` and `foo-bar-baz` are one project. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * `{name}-{version}.tar.gz` (the version is after the last `-`, as legacy names may hold `-`), or
 * `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`; undefined for another name.
 */
export function parseArtefactName(fileName: string): ArtefactName | undefined {
  if (fileName.endsWith('.whl')) {
    const parts = fileName.slice(0, -'.whl'.length).split('-');
    if ((parts.length !== 5 && parts.length !== 6) || parts.some((part) => part === '')) return undefined;
    return { kind: 'wheel', project: normalizeProjectName(parts[0]!), version: parts[1]!, tags: parts.slice(-3).join('-') };
  }
  if (fileName.endsWith('.tar.gz')) return parseNameVersion('sdist', fileName.slice(0, -'.tar.gz'.length));
  return undefined;
}

/** `{name}-{version}`, as an sdist's top directory or a `.dist-info` directory is named. */
export function parseNameVersion(kind: ArtefactKind, stem: string): ArtefactName | undefined {
  const dash = stem.lastIndexOf('-');
  if (dash <= 0 || dash === stem.length - 1) return undefined;
  return { kind, project: normalizeProjectName(stem.slice(0, dash)), version: stem.slice(dash + 1) };
}

/** What two releases' files of one project and kind share: their file names differ elsewhere only in the version. */
export function pairingKey(name: ArtefactName): string {
  return [name.kind, name.project, name.tags ?? ''].join(' ');
}
