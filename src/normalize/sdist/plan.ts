// The normal form of an sdist, planned from the validated index (docs/normal-form.md, "tar"): which
// members are written, in which order, with which header fields, and what that changes.
import type { TarWriteMember } from '../../formats/tar/index.js';
import { compareNames, withImpliedDirectories } from '../content.js';
import type { NormalizeOptions } from '../options.js';
import { checkParentsAreDirectories } from '../refusal.js';
import { SDIST_FIELDS } from './fields.js';
import { asContentRecord } from './read.js';
import type { IndexedMember, SdistIndex } from './read.js';
import { normalTarFields, tarRuleDepartures } from './rules.js';
import type { TarRuleHeader } from './rules.js';

/** A member of the output, in order, with where its data comes from. */
export interface PlannedMember {
  header: TarWriteMember;
  source?: IndexedMember;
}

/** The fields the header rules read, for a member whose owner and pax records the normal form does not keep. */
function ruleHeader(type: TarRuleHeader['type'], mode: number, mtime: number): TarRuleHeader {
  return { type, mode, mtime, uid: 0, gid: 0, uname: '', gname: '', pax: null };
}

/** The name a member is stored under: directories carry their trailing slash. */
function storedName(name: string, type: string): string {
  return type === 'directory' ? `${name}/` : name;
}

/** The output members in normal order, and the policy-dependent changes (noted in the index's log). */
export function planSdist(index: SdistIndex, options: NormalizeOptions): PlannedMember[] {
  const { members, changes } = index;
  checkParentsAreDirectories(members);
  const byPath = new Map(members.map((m) => [m.path, m]));

  // Hard-linked names share one file; the first name in normal order carries the data.
  // Linear in the members: each name is pushed once, and the holder is the least name, not a sort.
  const linkGroups = new Map<string, string[]>();
  for (const member of members) {
    if (member.type !== 'file' && member.type !== 'link') continue;
    const root = member.type === 'link' ? member.linkname : member.path;
    const names = linkGroups.get(root);
    if (names) names.push(member.path);
    else linkGroups.set(root, [member.path]);
  }
  const dataHolder = new Map<string, string>();
  for (const [root, names] of linkGroups) {
    const first = names.reduce((least, name) => (compareNames(name, least) < 0 ? name : least));
    if (first !== root) changes.add(SDIST_FIELDS.tarHardLinks, `${first} (now holds the data)`);
    for (const name of names) dataHolder.set(name, first);
  }

  // Sorted by the names as stored, so that a directory's members follow it directly (`a.b`, `a/`, `a/x`).
  const records = withImpliedDirectories(members.map(asContentRecord))
    .sort((a, b) => compareNames(storedName(a.name, a.type), storedName(b.name, b.type)));
  const planned: PlannedMember[] = [];
  for (const record of records) {
    const member = byPath.get(record.name);
    if (!member) {
      changes.add(SDIST_FIELDS.tarDirectories, `${record.name}/ (added)`);
      const fields = normalTarFields(ruleHeader('directory', 0, options.epoch), options);
      planned.push({ header: { ...fields, name: record.name, type: 'directory', size: 0 } });
      continue;
    }
    // Hard links take their data holder's mode (the index gives them their target's).
    const header = ruleHeader(member.type, member.mode, member.mtime);
    for (const [field, example] of tarRuleDepartures(member.path, header, options)) changes.add(field, example);
    const fields = normalTarFields(header, options);
    if (member.type === 'directory') {
      planned.push({ header: { ...fields, name: member.path, type: 'directory', size: 0 } });
    } else if (member.type === 'symlink') {
      planned.push({ header: { ...fields, name: member.path, type: 'symlink', size: 0, linkname: member.linkname } });
    } else {
      const holder = dataHolder.get(member.path)!;
      const root = member.type === 'link' ? byPath.get(member.linkname)! : member;
      if (holder === member.path) {
        planned.push({ header: { ...fields, name: member.path, type: 'file', size: root.size }, source: root });
      } else {
        planned.push({ header: { ...fields, name: member.path, type: 'link', size: 0, linkname: holder } });
      }
    }
  }
  const inputOrder = members.map((m) => m.path);
  const outputOrder = planned.map((p) => p.header.name).filter((name) => byPath.has(name));
  const moved = inputOrder.filter((name, i) => outputOrder[i] !== name);
  if (moved.length > 0) changes.add(SDIST_FIELDS.tarOrder, `${moved.length} of ${inputOrder.length} members move`);
  return planned;
}
