// Reading tar: tar-stream's parser (it also reads GNU and v7 headers), wrapped so that its errors
// become one-line FormatErrors with the byte offset, and its headers our TarEntryHeader.
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { FormatError } from '../errors.js';
import type { TarHeaderFields } from './header.js';

/** pax and GNU long-name headers larger than this are refused rather than buffered. */
const MAX_EXTENDED_HEADER_BYTES = 1 << 20;

/**
 * A member as the reader sees it: decoded fields, with pax and GNU long names applied, and `mtime`
 * with the fraction of a pax `mtime` record when there is one.
 */
export interface TarEntryHeader extends TarHeaderFields {
  /** tar-stream's type name; null for a typeflag it does not know (GNU sparse, volume label...). */
  type: string | null;
  linkname: string | null;
  devmajor: number;
  devminor: number;
  /** The pax records that applied to this member (global ones included), or null. */
  pax: Record<string, string> | null;
  /** Offset of the member's data in the uncompressed archive, for messages. */
  dataOffset: number;
}

export interface TarEntry {
  header: TarEntryHeader;
  /** The member's data; must be read to its end before the next entry comes. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * Reads the members of an uncompressed tar stream in archive order. Errors of the stream itself
 * (inflating) pass through unchanged; tar errors become FormatErrors.
 */
export async function* readTar(source: Readable): AsyncGenerator<TarEntry> {
  // v7 headers have no magic; tar-stream refuses them unless told otherwise.
  const extract = tarStream.extract({ allowUnknownFormat: true } as Parameters<typeof tarStream.extract>[0]);
  let sourceError: unknown;
  source.on('error', (error) => {
    sourceError = error;
    extract.destroy(error);
  });
  source.pipe(extract);
  let lastOffset = 0;
  const translate = (error: unknown) => (error === sourceError ? error : new FormatError(describeTarError(error, lastOffset)));
  async function* body(entry: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      yield* entry;
    } catch (error) {
      throw translate(error);
    }
  }
  try {
    for await (const entry of extract) {
      const raw = entry.header as tarStream.Header & { byteOffset?: number; pax?: Record<string, string> | null };
      lastOffset = raw.byteOffset ?? lastOffset;
      // tar-stream does not skip the data of a directory entry, and then stalls: refuse it here.
      if (raw.type === 'directory' && (raw.size ?? 0) > 0) {
        throw new FormatError(`tar: directory entry ${JSON.stringify(raw.name)} at byte ${lastOffset} claims ${raw.size} bytes of data`);
      }
      const paxMtime = raw.pax?.mtime !== undefined ? Number(raw.pax.mtime) : NaN;
      yield {
        header: {
          name: raw.name,
          type: raw.type ?? null,
          mode: raw.mode ?? 0,
          uid: raw.uid ?? 0,
          gid: raw.gid ?? 0,
          uname: raw.uname ?? '',
          gname: raw.gname ?? '',
          mtime: Number.isFinite(paxMtime) ? paxMtime : (raw.mtime?.getTime() ?? 0) / 1000,
          size: raw.size ?? 0,
          linkname: raw.linkname ?? null,
          devmajor: raw.devmajor ?? 0,
          devminor: raw.devminor ?? 0,
          pax: raw.pax ?? null,
          dataOffset: lastOffset,
        },
        body: body(entry as AsyncIterable<Uint8Array>),
      };
    }
  } catch (error) {
    throw error instanceof FormatError ? error : translate(error);
  }
}

function describeTarError(error: unknown, lastOffset: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Invalid tar header/.test(message)) {
    return lastOffset === 0
      ? 'tar: no valid header at the start: the data is not a tar archive, or its first header is corrupt'
      : `tar: corrupt header after byte ${lastOffset} (bad checksum or unknown format)`;
  }
  if (/Unexpected end of data/.test(message)) return `tar: archive is truncated (data ends inside a member after byte ${lastOffset})`;
  if (/Header exceeds max size/.test(message)) return `tar: a pax or GNU long-name header after byte ${lastOffset} exceeds ${MAX_EXTENDED_HEADER_BYTES} bytes`;
  if (/Invalid header/.test(message)) return `tar: header after byte ${lastOffset} has an invalid size field`;
  return `tar: ${message}`;
}
