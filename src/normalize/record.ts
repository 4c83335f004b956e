// The wheel's RECORD (PyPA "Recording installed projects": a CSV of path, hash, size). Normalizing
// keeps it byte for byte; check reports where it does not match the members, as PyPI rejects those.
import { posix } from 'node:path';

export interface FileDigest {
  /** sha256, hex. */
  sha256: string;
  size: number;
}

/** RECORD itself and its signatures are the only files a RECORD does not hash. */
function unhashed(path: string): boolean {
  return /^[^/]+\.dist-info\/RECORD(\.jws|\.p7s)?$/.test(path);
}

/** One line per mismatch between RECORD and the wheel's files; [] when they agree. */
export function recordProblems(record: Buffer | undefined, files: ReadonlyMap<string, FileDigest>): string[] {
  if (!record) return ['RECORD: the wheel has no *.dist-info/RECORD'];
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const row of parseCsv(record.toString('utf8'))) {
    const [rawPath = '', hash = '', size = ''] = row;
    if (rawPath === '') continue;
    const path = posix.normalize(rawPath);
    listed.add(path);
    if (unhashed(path)) continue;
    const file = files.get(path);
    if (!file) {
      problems.push(`RECORD lists ${path}, which is not in the wheel`);
      continue;
    }
    const [algorithm, digest] = hash.split('=', 2);
    if (algorithm !== 'sha256') problems.push(`RECORD: ${path} has ${hash ? `a ${algorithm} hash` : 'no hash'}, not sha256`);
    else if (digest !== Buffer.from(file.sha256, 'hex').toString('base64url')) problems.push(`RECORD: ${path} has the wrong sha256`);
    if (size !== String(file.size)) problems.push(`RECORD: ${path} has size ${size || '(none)'}, the file has ${file.size}`);
  }
  for (const path of files.keys()) {
    if (!listed.has(path) && !unhashed(path)) problems.push(`RECORD does not list ${path}`);
  }
  return problems;
}

/**
 * RFC 4180 CSV as Python's csv module writes it: commas, double quotes doubled, CRLF or LF. Lines
 * without a quote (nearly all) are split directly; RECORDs of 100k files must not cost a string
 * per character.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(at, lineEnd).replace(/\r$/, '');
    if (!line.includes('"')) {
      rows.push(line.split(','));
      at = lineEnd + 1;
      continue;
    }
    // A quoted field may hold commas, quotes and line breaks: read it character by character.
    const row: string[] = [];
    let field = '';
    let quoted = false;
    let i = at;
    for (; i < text.length; i += 1) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        row.push(field);
        field = '';
      } else if (c === '\n' || c === '\r') break;
      else field += c;
    }
    row.push(field);
    rows.push(row);
    at = text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
  }
  return rows;
}
