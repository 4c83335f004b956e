// A package index on 127.0.0.1, started by a test: PEP 691's JSON simple API (with PEP 700's
// upload-time), the legacy JSON API (`/pypi/NAME/VERSION/json` with `upload_time_iso_8601`), and
// the files. It holds real PyPI wheels (the ones CPython's ensurepip and test folders carry, byte
// for byte PyPI's) and whatever releases a test adds.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

export interface IndexedFile {
  path: string;
  /** ISO 8601. */
  uploadTime: string;
  requiresPython?: string;
}

/**
 * PyPI upload dates of the real files found on this machine image (to the day; docs of the release
 * history). What matters for a test is their order.
 */
export const PYPI_UPLOAD_DATES: Record<string, string> = {
  'setuptools-40.6.2-py2.py3-none-any.whl': '2018-11-21',
  'setuptools-47.1.0-py3-none-any.whl': '2020-05-28',
  'setuptools-56.0.0-py3-none-any.whl': '2021-04-12',
  'setuptools-58.1.0-py3-none-any.whl': '2021-09-22',
  'setuptools-65.5.0-py3-none-any.whl': '2022-10-13',
  'setuptools-67.6.1-py3-none-any.whl': '2023-03-28',
  'wheel-0.40.0-py3-none-any.whl': '2023-03-14',
  'wheel-0.43.0-py3-none-any.whl': '2024-03-11',
  'pip-22.0.4-py3-none-any.whl': '2022-03-06',
  'pip-23.0.1-py3-none-any.whl': '2023-02-17',
  'pip-23.2.1-py3-none-any.whl': '2023-07-15',
  'pip-24.2-py3-none-any.whl': '2024-07-28',
};

/** The real PyPI wheels in pyenv's Pythons (ensurepip/_bundled and test/), one path per file name. */
export function pypiWheelsOnMachine(): Map<string, string> {
  const found = new Map<string, string>();
  const versions = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  if (!existsSync(versions)) return found;
  for (const version of readdirSync(versions)) {
    const lib = join(versions, version, 'lib');
    if (!existsSync(lib)) continue;
    for (const python of readdirSync(lib).filter((name) => name.startsWith('python3'))) {
      for (const dir of ['ensurepip/_bundled', 'test', 'test/wheeldata']) {
        const path = join(lib, python, dir);
        if (!existsSync(path)) continue;
        for (const name of readdirSync(path)) if (name in PYPI_UPLOAD_DATES && !found.has(name)) found.set(name, join(path, name));
      }
    }
  }
  return found;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const normalize = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

export interface PackageIndexServer {
  url: string;
  add(file: IndexedFile): void;
  /** How many times each file was downloaded. */
  downloads: Map<string, number>;
  /** Resolves once `file` has been downloaded `count` times in all (at once if it has been already). */
  downloaded(file: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPackageIndex(files: IndexedFile[] = []): Promise<PackageIndexServer> {
  const byName = new Map<string, IndexedFile>();
  const add = (file: IndexedFile) => void byName.set(basename(file.path), file);
  files.forEach(add);
  const downloads = new Map<string, number>();
  const waiting: { file: string; count: number; resolve: () => void }[] = [];
  const settle = () => {
    for (const wait of [...waiting]) {
      if ((downloads.get(wait.file) ?? 0) < wait.count) continue;
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  };
  let base = '';
  const entry = (file: IndexedFile) => ({ filename: basename(file.path), url: `${base}/files/${basename(file.path)}`, sha256: sha256(file.path), file });
  const projectOf = (filename: string) => normalize(filename.split('-')[0]!);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const simple = /^\/simple\/([^/]+)\/$/.exec(path);
    const legacy = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(path);
    const file = /^\/files\/([^/]+)$/.exec(path);
    const json = (document: object) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    if (simple) {
      const entries = [...byName.values()].map(entry).filter((e) => projectOf(e.filename) === normalize(simple[1]!));
      if (entries.length === 0) return void response.writeHead(404).end();
      response.setHeader('content-type', 'application/vnd.pypi.simple.v1+json');
      return json({
        meta: { 'api-version': '1.1' },
        name: normalize(simple[1]!),
        files: entries.map((e) => ({ filename: e.filename, url: e.url, hashes: { sha256: e.sha256 }, 'upload-time': e.file.uploadTime, ...(e.file.requiresPython ? { 'requires-python': e.file.requiresPython } : {}) })),
      });
    }
    if (legacy) {
      const entries = [...byName.values()].map(entry).filter((e) => projectOf(e.filename) === normalize(legacy[1]!) && e.filename.split('-')[1]!.replace(/\.tar\.gz$/, '') === legacy[2]);
      if (entries.length === 0) return void response.writeHead(404).end();
      return json({
        info: { name: legacy[1], version: legacy[2] },
        urls: entries.map((e) => ({ filename: e.filename, url: e.url, digests: { sha256: e.sha256 }, upload_time_iso_8601: e.file.uploadTime })),
      });
    }
    const served = file && byName.get(file[1]!);
    if (served) {
      downloads.set(file[1]!, (downloads.get(file[1]!) ?? 0) + 1);
      settle();
      return void response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(served.path));
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    add,
    downloads,
    downloaded: (file, count) => new Promise((resolve) => {
      waiting.push({ file, count, resolve });
      settle();
    }),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
