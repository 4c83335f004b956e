import { basename } from 'node:path';
import type { ArtefactHandler } from './artefact.js';
import { sdistHandler } from './sdist.js';
import { wheelHandler } from './wheel.js';

/** Every artefact format reprodist knows, one handler each. */
export const handlers: readonly ArtefactHandler[] = [sdistHandler, wheelHandler];

export function handlerFor(path: string): ArtefactHandler | undefined {
  const name = basename(path);
  return handlers.find((handler) => handler.matches(name));
}
