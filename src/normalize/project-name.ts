// The PyPA name rules both kinds follow: project names compare as PEP 503 normalizes them (which
// PEP 625 sdist names and wheel names already are), and `{name}-{version}` stems, as an sdist's file
// and top directory or a wheel's `.dist-info` directory are named.
import type { ArtefactKind, ArtefactName } from './handler.js';

/** PEP 503: `Foo.Bar_baz` and `foo-bar-baz` are one project. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** `{name}-{version}` (the version is after the last `-`, as legacy names may hold `-`); undefined for another stem. */
export function parseNameVersion(kind: ArtefactKind, stem: string): ArtefactName | undefined {
  const dash = stem.lastIndexOf('-');
  if (dash <= 0 || dash === stem.length - 1) return undefined;
  return { kind, project: normalizeProjectName(stem.slice(0, dash)), version: stem.slice(dash + 1) };
}
