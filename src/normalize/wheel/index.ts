// The wheel handler (docs/normal-form.md, "wheel"): `.whl` files, read through the strict zip reader.
import type { ArtefactHandler } from '../handler.js';
import { compareWheelMetadata } from './metadata.js';
import { readWheelContent, readWheelMemberHeads } from './read.js';
import { normalizeWheel } from './write.js';

export const wheelHandler: ArtefactHandler = {
  kind: 'wheel',
  matches: (fileName) => fileName.endsWith('.whl'),
  normalize: normalizeWheel,
  readContent: readWheelContent,
  compareMetadata: compareWheelMetadata,
  readMemberHeads: readWheelMemberHeads,
};
