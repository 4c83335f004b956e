// The wheel handler (docs/normal-form.md, "wheel"): `.whl` files, read through the strict zip reader.
import type { ArtefactHandler, ArtefactName } from '../handler.js';
import { normalizeProjectName } from '../project-name.js';
import { compareWheelMetadata } from './metadata.js';
import { readWheelContent, readWheelMemberHeads } from './read.js';
import { WHEEL_ROOTS, wheelMemberRoles } from './roles.js';
import { normalizeWheel } from './write.js';

/** `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` (binary distribution format). */
function parseWheelName(fileName: string): ArtefactName | undefined {
  if (!fileName.endsWith('.whl')) return undefined;
  const parts = fileName.slice(0, -'.whl'.length).split('-');
  if ((parts.length !== 5 && parts.length !== 6) || parts.some((part) => part === '')) return undefined;
  return { kind: 'wheel', project: normalizeProjectName(parts[0]!), version: parts[1]!, tags: parts.slice(-3).join('-') };
}

export const wheelHandler: ArtefactHandler = {
  kind: 'wheel',
  suffix: '.whl',
  described: 'a wheel (.whl)',
  pairedAs: 'wheel for the same tags',
  parseName: parseWheelName,
  roots: WHEEL_ROOTS,
  // Zip has no hard links: every field compareMetadata names is set by the normal form.
  preservedFields: [],
  memberRoles: wheelMemberRoles,
  normalize: normalizeWheel,
  readContent: readWheelContent,
  compareMetadata: compareWheelMetadata,
  readMemberHeads: readWheelMemberHeads,
};
