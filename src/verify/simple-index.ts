// A package index as rebuild reads it: a project's files with their upload times (PEP 691's JSON
// simple API, with PEP 700's `upload-time`), and one release's files (the JSON API `verify --pypi`
// reads, `/pypi/NAME/VERSION/json`, whose entries carry `upload_time_iso_8601`). A directory (a
// plain path or a `file:` URL) can stand for an index: its artefacts, each uploaded at its mtime.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeProjectName, parseArtefactName } from '../normalize/index.js';
import { DownloadError, fetchJson, localPath } from './download.js';
import type { DownloadOptions } from './download.js';

/** A release as the command line names it, `NAME==VERSION`; undefined for anything else. */
export function parseRelease(text: string): { name: string; version: string } | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s=]+)\s*$/.exec(text);
  return match ? { name: match[1]!, version: match[2]! } : undefined;
}

export interface IndexFile {
  filename: string;
  /** Absolute: http(s), or `file:` for a directory index. */
  url: string;
  sha256?: string;
  /** ISO 8601 (UTC); absent when the index does not say. */
  uploadTime?: string;
  /** PEP 345 `Requires-Python` as the index states it (`data-requires-python`). */
  requiresPython?: string;
  /** PEP 592: pip takes a yanked file only when pinned exactly; rebuild never offers one. */
  yanked?: boolean;
}

export interface PackageIndex {
  /** As given: a URL or a directory. */
  location: string;
  /** Every file of the project, across releases. */
  projectFiles(project: string): Promise<IndexFile[]>;
  /** The files of one release; a DownloadError `missing` when the index has no such release. */
  releaseFiles(project: string, version: string): Promise<IndexFile[]>;
}

export const PEP691_JSON = 'application/vnd.pypi.simple.v1+json';

/** The index at `location`: an http(s) URL (`https://pypi.org` or its `/simple` page), a `file:` URL or a directory. */
export function openIndex(location: string, fetchOptions: DownloadOptions): PackageIndex {
  const dir = localPath(location);
  return dir !== undefined ? directoryIndex(location, dir) : httpIndex(location, fetchOptions);
}

function httpIndex(location: string, fetchOptions: DownloadOptions): PackageIndex {
  const base = location.replace(/\/+$/, '').replace(/\/simple$/, '');
  const projectFiles = async (project: string) => {
    const url = `${base}/simple/${normalizeProjectName(project)}/`;
    const { document, url: finalUrl } = await fetchJson(url, { ...fetchOptions, headers: { accept: PEP691_JSON } });
    return parseSimpleJson(document, finalUrl);
  };
  return {
    location,
    projectFiles,
    async releaseFiles(project, version) {
      const url = `${base}/pypi/${encodeURIComponent(project)}/${encodeURIComponent(version)}/json`;
      try {
        const { document, url: finalUrl } = await fetchJson(url, fetchOptions);
        return parseReleaseJson(document, finalUrl);
      } catch (error) {
        // Indexes other than PyPI often have only the simple API: the release is its files of that version.
        if (!(error instanceof DownloadError && error.reason === 'missing')) throw error;
        const files = ofVersion(await projectFiles(project), version);
        if (files.length === 0) throw new DownloadError(`${base}: no release ${project} ${version} on this index`, 'missing');
        return files;
      }
    },
  };
}

function directoryIndex(location: string, dir: string): PackageIndex {
  const projectFiles = async (project: string): Promise<IndexFile[]> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new DownloadError(`${location}: ${missing ? 'no such directory' : (error as Error).message}`, missing ? 'unreachable' : 'error');
    }
    const wanted = normalizeProjectName(project);
    const files: IndexFile[] = [];
    for (const filename of names.sort()) {
      if (parseArtefactName(filename)?.project !== wanted) continue;
      const path = join(dir, filename);
      const info = await stat(path);
      if (info.isFile()) files.push({ filename, url: pathToFileURL(path).href, uploadTime: new Date(info.mtimeMs).toISOString() });
    }
    return files;
  };
  return {
    location,
    projectFiles,
    async releaseFiles(project, version) {
      const files = ofVersion(await projectFiles(project), version);
      if (files.length === 0) throw new DownloadError(`${location}: no file of ${project} ${version} here`, 'missing');
      return files;
    },
  };
}

function ofVersion(files: readonly IndexFile[], version: string): IndexFile[] {
  return files.filter((file) => parseArtefactName(file.filename)?.version === version);
}

/** PEP 691: `{"files": [{"filename", "url", "hashes": {"sha256"}, "upload-time", "requires-python", "yanked"}]}`. */
export function parseSimpleJson(document: unknown, documentUrl: string): IndexFile[] {
  const files = (document as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) throw new DownloadError(`${documentUrl}: not a PEP 691 project page (no "files" list)`, 'error');
  return files.flatMap((entry: unknown): IndexFile[] => {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const hashes = (fields.hashes ?? {}) as Record<string, unknown>;
    return indexFile(fields.filename, fields.url, documentUrl, hashes.sha256, fields['upload-time'], fields['requires-python'], fields.yanked);
  });
}

/** The JSON API's `urls`: `{"filename", "url", "digests": {"sha256"}, "upload_time_iso_8601", "requires_python", "yanked"}`. */
export function parseReleaseJson(document: unknown, documentUrl: string): IndexFile[] {
  const urls = (document as { urls?: unknown } | null)?.urls;
  if (!Array.isArray(urls)) throw new DownloadError(`${documentUrl}: the JSON has no "urls" list`, 'error');
  return urls.flatMap((entry: unknown): IndexFile[] => {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const digests = (fields.digests ?? {}) as Record<string, unknown>;
    return indexFile(fields.filename, fields.url, documentUrl, digests.sha256, fields.upload_time_iso_8601, fields.requires_python, fields.yanked);
  });
}

function indexFile(filename: unknown, url: unknown, base: string, sha256: unknown, uploadTime: unknown, requiresPython: unknown, yanked: unknown): IndexFile[] {
  if (typeof filename !== 'string' || typeof url !== 'string' || filename.includes('/')) return [];
  const time = typeof uploadTime === 'string' && !Number.isNaN(Date.parse(uploadTime)) ? new Date(uploadTime).toISOString() : undefined;
  return [{
    filename,
    url: new URL(url, base).href,
    ...(typeof sha256 === 'string' && /^[0-9a-f]{64}$/i.test(sha256) ? { sha256: sha256.toLowerCase() } : {}),
    ...(time ? { uploadTime: time } : {}),
    ...(typeof requiresPython === 'string' && requiresPython ? { requiresPython } : {}),
    ...(yanked === true || (typeof yanked === 'string' && yanked !== '') ? { yanked: true } : {}),
  }];
}
