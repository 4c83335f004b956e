// The wheel's RECORD (PyPA "Recording installed projects": a CSV of path, hash, size). Normalizing
// keeps it byte for byte; check reports where it does not match the members, as PyPI rejects those.
import { posix } from 'node:path';
import { shownName } from '../formats/errors.js';
import type { MemberTable } from './member-table.js';

/** RECORD itself and its signatures are the only files a RECORD does not hash. */
function unhashed(path: string): boolean {
  return /^[^/]+\.dist-info\/RECORD(\.jws|\.p7s)?$/.test(path);
}

/**
 * The least a RECORD line of a hashed file takes beside its path: `,sha256=`, the digest's 43
 * characters, `,`, a size of one digit and the newline (PEP 376's CSV; the wheel spec hashes every
 * file but RECORD and its signatures with sha256 or stronger).
 */
export const SHORTEST_RECORD_LINE_BESIDE_PATH = 54;

/** Mismatches listed one by one up to this many; the rest are counted in one line (a hostile RECORD may hold 100,000). */
export const MAX_RECORD_PROBLEMS = 50;

/**
 * One line per mismatch between RECORD and the wheel's files, the table's file rows (at most
 * MAX_RECORD_PROBLEMS, then a count); [] when they agree. `record` is the RECORD's bytes as they are
 * read, checked a record at a time: a RECORD of 100,000 files (8 MB) is never held whole.
 */
export async function recordProblems(record: AsyncIterable<Uint8Array> | undefined, members: MemberTable): Promise<string[]> {
  if (!record) return ['RECORD: the wheel has no *.dist-info/RECORD'];
  const problems: string[] = [];
  let more = 0;
  const add = (problem: string) => {
    if (problems.length < MAX_RECORD_PROBLEMS) problems.push(problem);
    else more += 1;
  };
  // Only the wheel's own files are remembered as listed: RECORD's size does not set this one's.
  const listed = new Uint8Array(members.count);
  for await (const records of wholeRecords(record)) {
    for (const row of parseCsv(records)) {
      const [rawPath = '', hash = '', size = ''] = row;
      if (rawPath === '') continue;
      const path = posix.normalize(rawPath);
      if (unhashed(path)) continue;
      const file = members.find(path);
      if (file < 0 || members.kind(file) !== 'file') {
        add(`RECORD lists ${shownName(path)}, which is not in the wheel`);
        continue;
      }
      listed[file] = 1;
      const [algorithm, digest] = hash.split('=', 2);
      if (algorithm !== 'sha256') add(`RECORD: ${shownName(path)} has ${hash ? `a ${shownName(algorithm ?? '')} hash` : 'no hash'}, not sha256`);
      else if (digest !== Buffer.from(members.sha256(file), 'hex').toString('base64url')) add(`RECORD: ${shownName(path)} has the wrong sha256`);
      if (size !== String(members.size(file))) add(`RECORD: ${shownName(path)} has size ${shownName(size) || '(none)'}, the file has ${members.size(file)}`);
    }
  }
  for (let row = 0; row < members.count; row++) {
    if (members.kind(row) === 'file' && listed[row] === 0 && !unhashed(members.name(row))) add(`RECORD does not list ${shownName(members.name(row))}`);
  }
  if (more > 0) problems.push(`RECORD: ${more} more mismatch${more > 1 ? 'es' : ''} not listed`);
  return problems;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE_BYTES = Buffer.of(QUOTE);

/**
 * The RECORD's pieces as read, re-cut after record ends (line feeds outside quotes), so that parseCsv
 * reads each cut on its own and gives the rows it gives the whole. Whether a byte is inside quotes is
 * the parity of the quotes before it: parseCsv enters a quoted field at a quote and leaves it at the
 * next one that is not doubled, and a doubled quote is two. Each byte is scanned once. Only the
 * record that runs across pieces is copied, joined up to the piece's first record end; the records
 * after it are a view of the piece (copying every piece was 8 MB for a RECORD of 100,000 files).
 */
async function* wholeRecords(pieces: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let quoted = false;
  for await (const piece of pieces) {
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let first = -1;
    let last = -1;
    if (!quoted && !bytes.includes(QUOTE)) {
      first = bytes.indexOf(LF);
      last = bytes.lastIndexOf(LF);
    } else {
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === QUOTE) quoted = !quoted;
        else if (bytes[i] === LF && !quoted) {
          if (first < 0) first = i;
          last = i;
        }
      }
    }
    if (first < 0) {
      held.push(bytes);
      continue;
    }
    held.push(bytes.subarray(0, first + 1));
    yield held.length === 1 ? held[0]! : Buffer.concat(held);
    if (last > first) yield bytes.subarray(first + 1, last + 1);
    held = [bytes.subarray(last + 1)];
  }
  if (held.some((bytes) => bytes.length > 0)) yield Buffer.concat(held);
}

/**
 * RFC 4180 CSV as Python's csv module writes it: commas, double quotes doubled, CRLF or LF. Read from
 * the bytes a line at a time (quotes, commas and line ends are ASCII, never inside a UTF-8 sequence),
 * so that the RECORD is never held as one big string. Lines without a quote
 * (nearly all) are split directly; RECORDs of 100k files must not cost a string per character.
 */
function* parseCsv(bytes: Buffer): Generator<string[]> {
  let at = 0;
  while (at < bytes.length) {
    const newline = bytes.indexOf(LF, at);
    const lineEnd = newline < 0 ? bytes.length : newline;
    if (!bytes.subarray(at, lineEnd).includes(QUOTE)) {
      const end = lineEnd > at && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      yield bytes.toString('utf8', at, end).split(',');
      at = lineEnd + 1;
      continue;
    }
    // A quoted field may hold commas, quotes and line breaks: read it byte by byte, as pieces.
    const row: string[] = [];
    let pieces: Buffer[] = [];
    let start = at;
    let quoted = false;
    const cut = (end: number) => {
      if (end > start) pieces.push(bytes.subarray(start, end));
    };
    let i = at;
    for (; i < bytes.length; i += 1) {
      const c = bytes[i]!;
      if (quoted) {
        if (c !== QUOTE) continue;
        cut(i);
        if (bytes[i + 1] === QUOTE) {
          pieces.push(QUOTE_BYTES);
          i += 1;
        } else quoted = false;
        start = i + 1;
      } else if (c === QUOTE) {
        cut(i);
        quoted = true;
        start = i + 1;
      } else if (c === COMMA) {
        cut(i);
        row.push(Buffer.concat(pieces).toString('utf8'));
        pieces = [];
        start = i + 1;
      } else if (c === LF || c === CR) break;
    }
    cut(i);
    row.push(Buffer.concat(pieces).toString('utf8'));
    yield row;
    at = bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
  }
}
