// The tar normal form's header rules (docs/normal-form.md, "tar"), one row per field: how a header's
// value is shown, the value the normal form gives it, and the name check and compare use for it.
// The planner writes headers by these rows, the reader notes where an input departs from them, and
// the metadata view compares two sdists' headers by the same rows.
import type { TarHeaderFields, TarMemberType, TarReadType } from '../../formats/tar/index.js';
import { NONE, fromTo } from '../report.js';
import { normalFileMode, normalMtime } from '../options.js';
import type { NormalizeOptions } from '../options.js';
import { SDIST_FIELDS } from './fields.js';

/** A member header as the rules read it: the reader's, pax records applied. */
export interface TarRuleHeader extends Omit<TarHeaderFields, 'name' | 'size'> {
  type: TarMemberType | TarReadType;
  pax: Record<string, string> | null;
}

/** The header fields a row sets in the normal form. */
type NormalFields = Partial<Pick<TarRuleHeader, 'mode' | 'uid' | 'gid' | 'uname' | 'gname' | 'mtime' | 'pax'>>;

export interface TarFieldRule {
  /** The name check and compare give a difference in this field. */
  field: string;
  /** The field's value as reports show it. */
  show(header: TarRuleHeader): string;
  /** The value(s) the normal form writes, from the input header (and the options, for mtime). */
  normal(header: TarRuleHeader, options?: Pick<NormalizeOptions, 'epoch' | 'mtime'>): NormalFields;
  /** How compare shows a difference, when not as `A → B`. */
  difference?(a: TarRuleHeader, b: TarRuleHeader): string;
}

/** Directories' mode in the normal form. */
export const DIRECTORY_MODE = 0o755;
/** Symlinks' mode: what lstat reports on Linux. */
export const SYMLINK_MODE = 0o777;

/** The permission bits a member gets: directories 0755, symlinks 0777, files 0755 iff any x bit was set. */
export function normalMode(type: TarRuleHeader['type'], mode: number): number {
  if (type === 'directory') return DIRECTORY_MODE;
  if (type === 'symlink') return SYMLINK_MODE;
  return normalFileMode(mode);
}

/**
 * pax records that restate a header field the normal form writes from the member itself (and writes
 * as a pax record again only where ustar cannot hold it); every other record is dropped.
 */
const RESTATED_PAX_KEYS = new Set(['path', 'linkpath', 'size', 'mtime']);

function droppedPax(header: TarRuleHeader): Record<string, string> {
  return Object.fromEntries(Object.entries(header.pax ?? {}).filter(([key]) => !RESTATED_PAX_KEYS.has(key)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `name(id)`, or the id alone when there is no name. */
function ownerPart(name: string, id: number): string {
  return name ? `${name}(${id})` : String(id);
}

const MTIME_RULE: TarFieldRule = {
  field: SDIST_FIELDS.tarMtime,
  // A header's mtime may be garbage (a base-256 field no date fits): it is then taken as the epoch.
  show: (h) => (Number.isFinite(h.mtime) ? String(h.mtime) : 'unreadable'),
  normal: (h, options) => ({ mtime: options ? normalMtime(Number.isFinite(h.mtime) ? h.mtime : options.epoch, options) : h.mtime }),
};

const OWNER_RULE: TarFieldRule = {
  field: SDIST_FIELDS.tarOwner,
  show: (h) => `${ownerPart(h.uname, h.uid)}:${ownerPart(h.gname, h.gid)}`,
  normal: () => ({ uid: 0, gid: 0, uname: '', gname: '' }),
};

const MODE_RULE: TarFieldRule = {
  field: SDIST_FIELDS.tarMode,
  show: (h) => (h.mode & 0o777).toString(8),
  normal: (h) => ({ mode: normalMode(h.type, h.mode) }),
};

const SPECIAL_BITS_RULE: TarFieldRule = {
  field: SDIST_FIELDS.tarSpecialBits,
  show: (h) => (h.mode & 0o7000).toString(8),
  normal: (h) => ({ mode: normalMode(h.type, h.mode) }),
};

const PAX_RULE: TarFieldRule = {
  field: SDIST_FIELDS.tarPax,
  show: (h) => Object.entries(droppedPax(h)).map(([key, value]) => `${key}=${value}`).join(', ') || NONE,
  normal: () => ({ pax: null }),
  difference: (a, b) => paxDifference(droppedPax(a), droppedPax(b)),
};

/** Every header rule, in the order reports list them. mtime depends on the options; the rest on the member alone. */
export const TAR_RULES: readonly TarFieldRule[] = [MTIME_RULE, OWNER_RULE, MODE_RULE, SPECIAL_BITS_RULE, PAX_RULE];

/** The header fields the normal form writes for a member (mtime by the options). */
export function normalTarFields(header: TarRuleHeader, options: Pick<NormalizeOptions, 'epoch' | 'mtime'>): Required<Omit<NormalFields, 'pax'>> {
  const { mode, uid, gid, uname, gname, mtime } = Object.assign({}, ...TAR_RULES.map((rule) => rule.normal(header, options))) as Required<NormalFields>;
  return { mode, uid, gid, uname, gname, mtime };
}

/**
 * The rows in which `header` differs from the normal form, each as `path (value)`. Without options,
 * the rows that depend on the member alone (the reader notes them as it reads); with options, the
 * rows that depend on them (mtime, which the planner notes).
 */
export function tarRuleDepartures(path: string, header: TarRuleHeader, options?: Pick<NormalizeOptions, 'epoch' | 'mtime'>): [string, string][] {
  return departures(options ? [MTIME_RULE] : MEMBER_RULES, path, header, options);
}

/**
 * For a hard link whose file, and so whose mode, is known only once every run is read
 * (./run-index.ts): the departures of its header's rows but the mode's, now, and the header to keep
 * for the mode's rows then (tarRuleDepartures, with the file's mode), which departs in nothing else:
 * its owner names and pax records, up to a MiB each, are not kept until then.
 */
export function departuresBeforeMode(path: string, header: TarRuleHeader): { departures: [string, string][]; held: TarRuleHeader } {
  const { type, mode, uid, gid, uname, gname, mtime, pax } = header;
  const held: TarRuleHeader = Object.assign({ type, mode, uid, gid, uname, gname, mtime, pax }, ...RULES_BUT_MODE.map((rule) => rule.normal(header)));
  return { departures: departures(RULES_BUT_MODE, path, header), held };
}

/** The rows that depend on the member alone, and of those the ones but its mode's, which a hard link takes from its file. */
const MEMBER_RULES = TAR_RULES.filter((rule) => rule !== MTIME_RULE);
const RULES_BUT_MODE = MEMBER_RULES.filter((rule) => rule !== MODE_RULE && rule !== SPECIAL_BITS_RULE);

function departures(rules: readonly TarFieldRule[], path: string, header: TarRuleHeader, options?: Pick<NormalizeOptions, 'epoch' | 'mtime'>): [string, string][] {
  const normal: TarRuleHeader = Object.assign({ ...header }, ...rules.map((rule) => rule.normal(header, options)));
  return rules.filter((rule) => rule.show(header) !== rule.show(normal)).map((rule) => [rule.field, `${path} (${rule.show(header)})`]);
}

/** The rows in which two members' headers differ, each as `name (A → B)`. */
export function tarRuleDifferences(name: string, a: TarRuleHeader, b: TarRuleHeader): [string, string][] {
  return TAR_RULES.filter((rule) => rule.show(a) !== rule.show(b))
    .map((rule) => [rule.field, `${name} (${rule.difference ? rule.difference(a, b) : fromTo(rule.show(a), rule.show(b))})`]);
}

/** The first pax keys whose values differ, as `key: a → b`. */
function paxDifference(a: Record<string, string>, b: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((key) => a[key] !== b[key]);
  const shown = keys.slice(0, 2).map((key) => `${key}: ${a[key] ?? NONE} → ${b[key] ?? NONE}`);
  return `${shown.join('; ')}${keys.length > 2 ? `; +${keys.length - 2} more` : ''}`;
}
