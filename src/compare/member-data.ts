// Reads the bytes of a few named file members of an sdist or a wheel, to show how their content
// differs. Only the first `limit` bytes of each are kept: a diff is for reading, not for hashing.
import type { Readable } from 'node:stream';
import { asGzipError, openGunzip } from '../formats/gzip.js';
import { readTar } from '../formats/tar/index.js';
import { openZip } from '../formats/zip/index.js';
import type { ArtefactKind } from '../normalize/artefact.js';

export interface MemberBytes {
  /** The member's full size. */
  size: number;
  /** Its first bytes, at most the limit asked for. */
  head: Buffer;
}

/** Member names as the content view has them: without trailing slashes. */
function viewName(raw: string): string {
  return raw.replace(/\/+$/, '');
}

/** The bytes of the named file members (hard links read as their target); names not found are absent. */
export async function readMemberBytes(path: string, kind: ArtefactKind, names: readonly string[], limit: number): Promise<Map<string, MemberBytes>> {
  if (names.length === 0) return new Map();
  return kind === 'sdist' ? readSdistMembers(path, new Set(names), limit) : readWheelMembers(path, new Set(names), limit);
}

async function readLimited(chunks: AsyncIterable<Uint8Array>, limit: number, stopAtLimit: boolean): Promise<MemberBytes> {
  const kept: Uint8Array[] = [];
  let keptLength = 0;
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    if (keptLength < limit) {
      const part = chunk.subarray(0, limit - keptLength);
      kept.push(part);
      keptLength += part.length;
    } else if (stopAtLimit) {
      break;
    }
  }
  return { size, head: Buffer.concat(kept) };
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of chunks) {
    // tar-stream hands out the next member only once this one's data has been read
  }
}

async function readSdistMembers(path: string, wanted: Set<string>, limit: number): Promise<Map<string, MemberBytes>> {
  const found = new Map<string, MemberBytes>();
  // A hard link's data is its target's, which comes earlier: note the links, then fetch the targets.
  const linkTargets = new Map<string, string>();
  await scanTar(path, async (name, type, linkname, body) => {
    if (type === 'link') linkTargets.set(name, viewName(linkname));
    if (wanted.has(name) && (type === 'file' || type === 'contiguous-file')) found.set(name, await readLimited(body, limit, false));
    else await drain(body);
  });
  const rootOf = (name: string): string => {
    let root = name;
    for (let hops = 0; linkTargets.has(root) && hops < linkTargets.size; hops += 1) root = linkTargets.get(root)!;
    return root;
  };
  const viaLinks = [...wanted].filter((name) => !found.has(name) && linkTargets.has(name));
  if (viaLinks.length > 0) {
    const roots = new Set(viaLinks.map(rootOf));
    const rootData = new Map<string, MemberBytes>();
    await scanTar(path, async (name, type, _linkname, body) => {
      if (roots.has(name) && (type === 'file' || type === 'contiguous-file')) rootData.set(name, await readLimited(body, limit, false));
      else await drain(body);
    });
    for (const name of viaLinks) {
      const data = rootData.get(rootOf(name));
      if (data) found.set(name, data);
    }
  }
  return found;
}

type TarVisitor = (name: string, type: string | null, linkname: string, body: AsyncIterable<Uint8Array>) => Promise<void>;

async function scanTar(path: string, visit: TarVisitor): Promise<void> {
  const { stream } = await openGunzip(path);
  try {
    for await (const { header, body } of readTar(stream as Readable)) {
      await visit(viewName(header.name), header.type, header.linkname ?? '', body);
    }
  } catch (error) {
    throw asGzipError(error);
  }
}

async function readWheelMembers(path: string, wanted: Set<string>, limit: number): Promise<Map<string, MemberBytes>> {
  const found = new Map<string, MemberBytes>();
  const zip = await openZip(path);
  try {
    for (const entry of zip.entries) {
      const name = viewName(entry.name);
      if (!wanted.has(name) || entry.name.endsWith('/')) continue;
      // The size is known from the header, so reading can stop at the limit.
      const { head } = await readLimited(zip.openMemberStream(entry), limit, true);
      found.set(name, { size: entry.uncompressedSize, head });
    }
  } finally {
    await zip.close();
  }
  return found;
}
