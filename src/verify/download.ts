// Downloads for verify, with node:http(s) rather than fetch: fetch inflates any response sent with
// `Content-Encoding: gzip`, which some servers send for .tar.gz files, and the bytes are the point
// here. Redirects are followed, every wait is bounded, the size is capped, and a download goes to a
// scratch file that becomes the target only when complete: a failure never leaves a partial file.
// A `file:` URL or a plain path is read from disk under the same size cap (local files can stand for
// an index or a release page).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { removeScratch, scratchPath } from '../normalize/index.js';

/** Why a download failed: verify tells a missing file (404) from a server it cannot reach. */
export type DownloadFailure = 'missing' | 'unreachable' | 'error';

export class DownloadError extends Error {
  override name = 'DownloadError';

  constructor(message: string, readonly reason: DownloadFailure) {
    super(message);
  }
}

export interface DownloadProgress {
  url: string;
  received: number;
  /** From Content-Length, when the server sent one. */
  total?: number;
}

export interface DownloadOptions {
  /** Milliseconds to wait for a connection, for the response, and between two pieces of the body. */
  timeoutMs: number;
  /** Milliseconds one download (or JSON document) may take in all, redirects included: a server that trickles a byte at a time is not idle, but it ends here. */
  deadlineMs?: number;
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** Sent with every request (an `accept` header to ask for PEP 691 JSON, say). */
  headers?: Record<string, string>;
}

/** 30 minutes: 2 GiB (DEFAULT_MAX_BYTES) at about 1.2 MB/s. docs/limits.md. */
export const DEFAULT_DEADLINE_MS = 30 * 60_000;
/** The largest JSON document read (a PyPI release's is a few KiB to a few hundred): it is parsed in memory. docs/limits.md. */
export const MAX_JSON_BYTES = 8 << 20;
const MAX_REDIRECTS = 10;
const USER_AGENT = 'reprodist verify';

/** The file a `file:` URL or a plain path names, else undefined (an http(s) or other URL). */
export function localPath(url: string): string | undefined {
  if (url.startsWith('file:')) return fileURLToPath(url);
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) ? undefined : resolve(url);
}

/** A `file:` URL for a plain path; URLs as they are. */
export function asUrl(urlOrPath: string): string {
  return localPath(urlOrPath) !== undefined && !urlOrPath.startsWith('file:') ? pathToFileURL(resolve(urlOrPath)).href : urlOrPath;
}

export interface Downloaded {
  path: string;
  size: number;
  sha256: string;
  /** The URL the bytes came from, after redirects. */
  url: string;
}

/** Downloads `url` to `target`; on any failure `target` does not exist and no scratch file remains. */
export async function download(url: string, target: string, options: DownloadOptions): Promise<Downloaded> {
  const scratch = scratchPath(dirname(target), 'part');
  const file = await open(scratch, 'wx', 0o600);
  const hash = createHash('sha256');
  let response: IncomingMessage | undefined;
  let size = 0;
  const deadline = startDeadline(options);
  try {
    const answer = await get(url, deadline.options);
    response = answer.response;
    for await (const chunk of readBody(response, answer.finalUrl, deadline.options)) {
      hash.update(chunk);
      await file.write(chunk);
      size += chunk.length;
    }
    await file.close();
    await rename(scratch, target);
    return { path: target, size, sha256: hash.digest('hex'), url: answer.finalUrl };
  } catch (error) {
    response?.destroy();
    await file.close().catch(() => undefined);
    throw deadline.explain(url, error);
  } finally {
    deadline.stop();
    await removeScratch(scratch);
  }
}

interface Deadline {
  /** The options with the deadline's signal, for every request of this download. */
  options: DownloadOptions & { signal?: AbortSignal };
  /** The deadline's own error when it is what ended the download, else `error`. */
  explain(url: string, error: unknown): unknown;
  stop(): void;
}

/** A total deadline for one download: it aborts whatever request or body read is under way. */
function startDeadline(options: DownloadOptions): Deadline {
  const ms = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return {
    options: { ...options, signal: controller.signal },
    explain: (url, error) => controller.signal.aborted
      ? new DownloadError(`${url}: not complete within ${ms / 1000} s, the deadline for a download (docs/limits.md)`, 'unreachable')
      : error,
    stop: () => clearTimeout(timer),
  };
}

/** Fetches and parses a JSON document (at most `maxBytes`, and never more than MAX_JSON_BYTES), within the deadline. */
export async function fetchJson(url: string, options: DownloadOptions): Promise<{ document: unknown; url: string }> {
  const deadline = startDeadline({ ...options, maxBytes: Math.min(options.maxBytes, MAX_JSON_BYTES) });
  const limits = { ...deadline.options, what: 'JSON document' };
  let body: Buffer;
  let finalUrl: string;
  try {
    const answer = await get(url, limits);
    finalUrl = answer.finalUrl;
    const chunks: Buffer[] = [];
    for await (const chunk of readBody(answer.response, finalUrl, limits)) chunks.push(chunk);
    body = Buffer.concat(chunks);
  } catch (error) {
    throw deadline.explain(url, error);
  } finally {
    deadline.stop();
  }
  try {
    return { document: JSON.parse(body.toString('utf8')) as unknown, url: finalUrl };
  } catch {
    throw new DownloadError(`${finalUrl}: the response is not JSON`, 'error');
  }
}

/** The body in pieces, with the size cap, the idle timeout and progress reports applied. */
async function* readBody(response: IncomingMessage, url: string, options: DownloadOptions & { what?: string }): AsyncGenerator<Buffer> {
  const declared = Number(response.headers['content-length']);
  const total = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
  const limit = `the limit of ${options.maxBytes} bytes${options.what ? ` for a ${options.what} (docs/limits.md)` : ''}`;
  if (total !== undefined && total > options.maxBytes) {
    response.destroy();
    throw new DownloadError(`${url}: ${total} bytes is more than ${limit}`, 'error');
  }
  let received = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > options.maxBytes) throw new DownloadError(`${url}: more than ${limit}`, 'error');
      options.onProgress?.({ url, received, ...(total !== undefined ? { total } : {}) });
      yield chunk;
    }
  } catch (error) {
    response.destroy();
    throw error instanceof DownloadError ? error : asDownloadError(url, error, options.timeoutMs);
  }
  // A server that closes the connection early gives fewer bytes than it announced.
  if (total !== undefined && received !== total) throw new DownloadError(`${url}: the connection closed after ${received} of ${total} bytes`, 'unreachable');
}

/** GET with redirects followed; resolves on a 2xx response, whose body the caller must read or destroy. */
async function get(url: string, options: DownloadOptions & { signal?: AbortSignal }): Promise<{ response: IncomingMessage; finalUrl: string }> {
  const path = localPath(url);
  if (path !== undefined) return { response: await readLocal(path, url), finalUrl: pathToFileURL(path).href };
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new DownloadError(`${url}: not a URL`, 'error');
  }
  for (let hops = 0; ; hops += 1) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new DownloadError(`${current}: only http, https and file URLs can be fetched`, 'error');
    const response = await request(current, options.timeoutMs, options.signal, options.headers);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.resume();
      if (hops >= MAX_REDIRECTS) throw new DownloadError(`${url}: more than ${MAX_REDIRECTS} redirects`, 'error');
      current = new URL(location, current);
      continue;
    }
    if (status >= 200 && status < 300) return { response, finalUrl: current.href };
    response.resume();
    const reason = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
    if (status === 404 || status === 410) throw new DownloadError(`${current}: ${reason}`, 'missing');
    throw new DownloadError(`${current}: ${reason}`, status >= 500 ? 'unreachable' : 'error');
  }
}

/**
 * A local file as a response (its size as Content-Length), so that it takes the one path of reading
 * a body, with the same cap: a missing file is `missing`, as a 404 is.
 */
async function readLocal(path: string, url: string): Promise<IncomingMessage> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DownloadError(`${url}: not a file`, 'error');
    size = info.size;
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DownloadError(`${url}: ${missing ? 'no such file' : (error as Error).message}`, missing ? 'missing' : 'error');
  }
  const body = createReadStream(path) as Readable & { headers?: Record<string, string> };
  body.headers = { 'content-length': String(size) };
  return body as unknown as IncomingMessage;
}

function request(url: URL, timeoutMs: number, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const req = client.get(url, { headers: { 'user-agent': USER_AGENT, ...headers, 'accept-encoding': 'identity' }, timeout: timeoutMs, ...(signal ? { signal } : {}) }, (res) => {
      response = res;
      // Errors reach whoever reads the body; this only keeps an unread one from being unhandled.
      res.on('error', () => undefined);
      resolve(res);
    });
    req.on('timeout', () => {
      const error = new DownloadError(`${url}: nothing received for ${timeoutMs / 1000} s`, 'unreachable');
      // Before the response, the request fails; after it, the body's reader gets this error.
      if (response) response.destroy(error);
      else req.destroy(error);
    });
    req.on('error', (error) => reject(asDownloadError(url.href, error, timeoutMs)));
  });
}

function asDownloadError(url: string, error: unknown, timeoutMs: number): DownloadError {
  if (error instanceof DownloadError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: `no response within ${timeoutMs / 1000} s`,
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNABORTED: 'connection aborted',
  };
  if (code && reasons[code]) return new DownloadError(`${url}: ${reasons[code]}`, 'unreachable');
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  // TLS failures (certificates, handshakes) are not "unreachable": the server answered, wrongly.
  return new DownloadError(`${url}: ${message}`, code === 'ECONNRESET' || message === 'aborted' ? 'unreachable' : 'error');
}
