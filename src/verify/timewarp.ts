// The index as it stood when a release was uploaded (what OSS Rebuild calls a "timewarp"): a loopback
// server in front of the real index that serves PEP 503 project pages listing only the files
// uploaded at or before the cutoff, none yanked. pip, pointed at it with PIP_INDEX_URL, resolves a
// build's requirements as they could have resolved then. Files of a directory index are served by
// the proxy itself; http(s) files are linked where they are, with their sha256, which pip checks.
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { normalizeProjectName } from '../normalize/index.js';
import { describeError } from '../normalize/index.js';
import type { IndexFile, PackageIndex } from './simple-index.js';

export interface Timewarp {
  /** `http://127.0.0.1:PORT/simple/`: for PIP_INDEX_URL. */
  url: string;
  /** Upstream failures seen while serving, one line each: why an install found nothing. */
  errors: string[];
  close(): Promise<void>;
}

/** Files pip may see at `cutoff` (ISO 8601): uploaded by then (a file with no stated time is hidden) and not yanked. */
export function visibleAt(files: readonly IndexFile[], cutoff: string): IndexFile[] {
  const limit = Date.parse(cutoff);
  return files.filter((file) => !file.yanked && file.uploadTime !== undefined && Date.parse(file.uploadTime) <= limit);
}

export async function startTimewarp(index: PackageIndex, cutoff: string): Promise<Timewarp> {
  const pages = new Map<string, Promise<IndexFile[]>>();
  const localFiles = new Map<string, string>();
  const errors: string[] = [];
  const filesOf = (project: string) => {
    let page = pages.get(project);
    if (!page) pages.set(project, (page = index.projectFiles(project).then((files) => visibleAt(files, cutoff))));
    return page;
  };
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://loopback').pathname);
    const page = /^\/simple\/([^/]+)\/?$/.exec(path);
    const file = /^\/files\/(\d+)\/[^/]+$/.exec(path);
    if (file && localFiles.has(file[1]!)) {
      const stream = createReadStream(localFiles.get(file[1]!)!);
      stream.on('error', () => response.destroy());
      return void stream.pipe(response.writeHead(200, { 'content-type': 'application/octet-stream' }));
    }
    if (!page) return void response.writeHead(404).end();
    filesOf(normalizeProjectName(page[1]!)).then(
      (files) => {
        const links = files.map((entry) => {
          let href = entry.url;
          if (href.startsWith('file:')) {
            const key = String(localFiles.size);
            localFiles.set(key, fileURLToPath(href));
            href = `/files/${key}/${encodeURIComponent(entry.filename)}`;
          }
          const hash = entry.sha256 ? `#sha256=${entry.sha256}` : '';
          const requires = entry.requiresPython ? ` data-requires-python="${escapeHtml(entry.requiresPython)}"` : '';
          return `<a href="${escapeHtml(href + hash)}"${requires}>${escapeHtml(entry.filename)}</a><br>`;
        });
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(`<!DOCTYPE html>\n<html><body>\n${links.join('\n')}\n</body></html>\n`);
      },
      (error: unknown) => {
        // A project the index does not have is a 404 for pip too; anything else is the index failing.
        const missing = (error as { reason?: string }).reason === 'missing';
        if (!missing) errors.push(describeError(error));
        response.writeHead(missing ? 404 : 502).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    errors,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
