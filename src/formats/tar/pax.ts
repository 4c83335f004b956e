// pax extended header records (IEEE Std 1003.1, pax, "pax Extended Header"): "%d %s=%s\n", the
// decimal length counting itself. Only keywords whose meaning every reader shares are accepted.
import { FormatError, quotedName, shownName } from '../errors.js';

/** Keywords that Python's tarfile, GNU tar and bsdtar apply alike (or all ignore). */
const KNOWN = new Set(['path', 'linkpath', 'size', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname', 'comment', 'charset', 'hdrcharset']);
/** Vendor keywords that carry attributes no installer applies (extended attributes, ACLs, dump data). */
const IGNORED_PREFIXES = ['SCHILY.xattr.', 'SCHILY.acl.', 'LIBARCHIVE.xattr.', 'RHT.security.'];
const IGNORED = new Set(['SCHILY.dev', 'SCHILY.ino', 'SCHILY.nlink', 'SCHILY.fflags', 'LIBARCHIVE.creationtime']);
const INTEGER = /^[0-9]{1,15}$/;
const TIME = /^-?[0-9]{1,15}(\.[0-9]{1,9})?$/;
const NUMERIC: Record<string, RegExp> = { size: INTEGER, uid: INTEGER, gid: INTEGER, mtime: TIME, atime: TIME, ctime: TIME };
const UTF8_CHARSET = 'ISO-IR 10646 2000 UTF-8';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses the records of one `x` header; any record not exactly well formed is refused (Python stops reading at it). */
export function parsePaxRecords(data: Buffer, at: number): Record<string, string> {
  const records: Record<string, string> = Object.create(null) as Record<string, string>;
  const bad = (why: string) => new FormatError(`tar: pax header at byte ${at}: ${why}`);
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0 && data.subarray(pos).every((byte) => byte === 0)) break; // NUL padding
    const space = data.indexOf(0x20, pos);
    const lengthText = space < 0 ? '' : data.subarray(pos, space).toString('latin1');
    if (!/^[1-9][0-9]{0,7}$/.test(lengthText)) throw bad(`malformed record length at offset ${pos}`);
    const length = Number(lengthText);
    const end = pos + length;
    if (end > data.length || data[end - 1] !== 0x0a) throw bad(`record at offset ${pos} does not end with a newline where its length says`);
    const equals = data.indexOf(0x3d, space + 1);
    if (equals < 0 || equals >= end - 1 || equals === space + 1) throw bad(`record at offset ${pos} has no keyword=value`);
    let keyword: string;
    let value: string;
    try {
      keyword = utf8.decode(data.subarray(space + 1, equals));
      value = utf8.decode(data.subarray(equals + 1, end - 1));
    } catch {
      throw bad(`record at offset ${pos} is not valid UTF-8`);
    }
    if (keyword in records) throw bad(`keyword ${keyword} appears twice`);
    records[keyword] = value;
    pos = end;
  }
  for (const [keyword, value] of Object.entries(records)) {
    if (keyword.startsWith('GNU.sparse.') || keyword.startsWith('SCHILY.sparse') || keyword === 'SCHILY.realsize' || keyword === 'SCHILY.offset') {
      throw bad(`${keyword}: GNU sparse members are refused (readers expand them differently)`);
    }
    const known = KNOWN.has(keyword) || IGNORED.has(keyword) || IGNORED_PREFIXES.some((prefix) => keyword.startsWith(prefix));
    if (!known) throw bad(`unknown keyword ${quotedName(keyword)}`);
    const pattern = NUMERIC[keyword];
    if (pattern && !pattern.test(value)) throw bad(`${shownName(keyword)}=${quotedName(value)} is not a number every reader reads alike`);
    if (keyword === 'hdrcharset' && value !== UTF8_CHARSET) throw bad(`hdrcharset=${value}: only UTF-8 names are read`);
  }
  return { ...records };
}
