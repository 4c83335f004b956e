// Human output for compare (and verify, which explains its differences the same way): a status line
// per pair, the verdict first, then the member differences, then the metadata grouped by format.
import type { Comparison, MemberDifference, MemberDifferenceKind, PairComparison } from '../compare/index.js';
import type { Change } from '../normalize/index.js';
import type { Style } from './output.js';

/** The two sides' names in messages: `A`/`B` for compare, `local`/`remote` for verify. */
export interface SideLabels {
  a: string;
  b: string;
}

export const SAME_CONTENT_VERDICT = 'same content; differs only in what reprodist normalizes (normalize both to make them equal)';

const PAD = 11;
/** Members listed per kind of difference before "... and N more". */
const MAX_LISTED = 10;

/** Which path is A and which B, when the pair lines alone do not say (directories, or two file names). */
export function comparisonHeader(result: Comparison, style: Style, labels: SideLabels = { a: 'A', b: 'B' }): string | undefined {
  const single = result.pairs.length === 1 && result.onlyInA.length === 0 && result.onlyInB.length === 0 && !result.pairs[0]!.name.includes(' | ');
  return single || result.pairs.length + result.onlyInA.length + result.onlyInB.length === 0 ? undefined : style.dim(`${labels.a} = ${result.a}, ${labels.b} = ${result.b}`);
}

/** Directories: the artefacts on one side only. */
export function renderOneSided(result: Comparison, style: Style, labels: SideLabels = { a: 'A', b: 'B' }): string[] {
  return [
    ...result.onlyInA.map((name) => `${style.red(`only in ${labels.a}`.padEnd(PAD))}${name}`),
    ...result.onlyInB.map((name) => `${style.red(`only in ${labels.b}`.padEnd(PAD))}${name}`),
  ];
}

/** A status line, and for a pair that differs, the explanation indented below it. */
export function renderPair(pair: PairComparison, style: Style, labels: SideLabels = { a: 'A', b: 'B' }, title = pair.name): string[] {
  if (pair.status === 'identical') return [`${style.green('identical'.padEnd(PAD))}${title}`];
  if (pair.status === 'refused' || pair.status === 'error') return [`${style.red(pair.status.padEnd(PAD))}${title}: ${pair.message ?? ''}`];
  const lines = [`${style.red('differs'.padEnd(PAD))}${style.bold(title)}`];
  lines.push(...explainPair(pair, style, labels).map((line) => `  ${line}`));
  return lines;
}

/** The verdict, the member differences and the metadata differences of a pair that differs. */
export function explainPair(pair: PairComparison, style: Style, labels: SideLabels): string[] {
  const lines: string[] = [];
  if (pair.verdict === 'same-content') lines.push(style.yellow(SAME_CONTENT_VERDICT));
  else lines.push(style.red(`content differs: ${countMembers(pair.members)}`), ...renderMembers(pair.members, style, labels).map((l) => `  ${l}`));
  lines.push(...renderMetadata(pair, style, labels));
  return lines;
}

function countMembers(members: MemberDifference[]): string {
  const names = new Set(members.map((m) => m.name)).size;
  return `${names} member${names === 1 ? '' : 's'}`;
}

export function memberHeading(kind: MemberDifferenceKind, labels: SideLabels): string {
  const headings: Record<MemberDifferenceKind, string> = {
    'only-in-a': `only in ${labels.a}`,
    'only-in-b': `only in ${labels.b}`,
    type: 'type',
    content: 'content',
    executable: 'exec bit',
    'link-target': 'link target',
  };
  return headings[kind];
}

function renderMembers(members: MemberDifference[], style: Style, labels: SideLabels): string[] {
  const lines: string[] = [];
  const kinds: MemberDifferenceKind[] = ['only-in-a', 'only-in-b', 'type', 'content', 'executable', 'link-target'];
  for (const kind of kinds) {
    const ofKind = members.filter((m) => m.difference === kind);
    if (ofKind.length === 0) continue;
    const heading = `${memberHeading(kind, labels)}:`.padEnd(14);
    for (const member of ofKind.slice(0, MAX_LISTED)) {
      lines.push(`${heading}${member.name}${describeMember(member, labels)}`);
      for (const diffLine of member.diff ?? []) lines.push(`    ${colourDiffLine(diffLine, style)}`);
    }
    if (ofKind.length > MAX_LISTED) lines.push(`${heading}... and ${ofKind.length - MAX_LISTED} more`);
  }
  return lines;
}

function describeMember(member: MemberDifference, labels: SideLabels): string {
  switch (member.difference) {
    case 'only-in-a':
      return member.a && member.a !== 'file' ? ` (${member.a})` : '';
    case 'only-in-b':
      return member.b && member.b !== 'file' ? ` (${member.b})` : '';
    case 'content':
      if (!member.size) return '';
      return ` (${member.text ? 'text' : 'binary'}, ${member.size.a} → ${member.size.b} bytes)`;
    default:
      return ` (${labels.a} ${member.a} → ${labels.b} ${member.b})`;
  }
}

function colourDiffLine(line: string, style: Style): string {
  if (line.startsWith('@@')) return style.cyan(line);
  if (line.startsWith('---') || line.startsWith('+++')) return style.bold(line);
  if (line.startsWith('-')) return style.red(line);
  if (line.startsWith('+')) return style.green(line);
  return line;
}

/** Metadata differences by group: `gzip`, `tar`, `zip`, each field with its count and examples. */
function renderMetadata(pair: PairComparison, style: Style, labels: SideLabels): string[] {
  if (pair.metadata.length === 0) return [];
  const lines = [`metadata (${labels.a} → ${labels.b}):`];
  const groups = new Map<string, Change[]>();
  for (const change of pair.metadata) {
    const group = change.field.split(' ')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), change]);
  }
  for (const [group, changes] of groups) {
    const memberCount = group === 'gzip' || pair.commonMembers === undefined ? '' : ` (${pair.commonMembers} members in both)`;
    lines.push(`  ${style.bold(group)}${memberCount}`);
    for (const change of changes) {
      const field = change.field.slice(group.length + 1);
      const count = change.count > 1 || change.count > change.examples.length ? ` [${change.count}]` : '';
      const more = change.count > change.examples.length ? ', ...' : '';
      lines.push(`    ${field}${count}: ${change.examples.join(', ')}${more}`);
    }
  }
  return lines;
}
