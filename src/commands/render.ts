// Human output for compare (and verify, which explains its differences the same way): a status line
// per pair; for a pair that differs, the version change, how files and members were paired, the
// verdict, the members added, removed and changed, their diffs (core metadata first), then the
// metadata grouped by format. Every list is summarized one way (summarize in output.ts).
import type { Comparison, MemberDifference, MemberDifferenceKind, PairComparison } from '../compare/index.js';
import type { Change } from '../normalize/index.js';
import type { Style } from './output.js';
import { indented, summarize, summarizeChange } from './output.js';

/** The two sides' names in messages: `A`/`B` for compare, `local`/`remote` for verify. */
export interface SideLabels {
  a: string;
  b: string;
}

export const SAME_CONTENT_VERDICT = 'same content; differs only in what reprodist normalizes (normalize both to make them equal)';

/** The verdict of a same-content pair: equal once normalized, unless they differ in what the normal form keeps. */
export function sameContentVerdict(pair: PairComparison): string {
  if (!pair.keptByNormalForm?.length) return SAME_CONTENT_VERDICT;
  return `same content, but normalizing both leaves them different: the normal form keeps ${pair.keptByNormalForm.join(', ')} (a hard link stays a link, a copy a file)`;
}

const PAD = 11;

/** Which path is A and which B, when the pair lines alone do not say (directories, or two file names). */
export function comparisonHeader(result: Comparison, style: Style, labels: SideLabels = { a: 'A', b: 'B' }): string | undefined {
  const single = result.results.length === 1 && result.onlyInA.length === 0 && result.onlyInB.length === 0 && !result.results[0]!.name.includes(' | ');
  return single || result.results.length + result.onlyInA.length + result.onlyInB.length === 0 ? undefined : style.dim(`${labels.a} = ${result.a}, ${labels.b} = ${result.b}`);
}

/** Directories: the artefacts on one side only. */
export function renderOneSided(result: Comparison, style: Style, labels: SideLabels = { a: 'A', b: 'B' }): string[] {
  return [
    ...result.onlyInA.map((name) => `${style.red(`only in ${labels.a}`.padEnd(PAD))}${name}`),
    ...result.onlyInB.map((name) => `${style.red(`only in ${labels.b}`.padEnd(PAD))}${name}`),
  ];
}

/** A status line, and for a pair that differs, the explanation indented below it. */
export function* renderPair(pair: PairComparison, style: Style, labels: SideLabels = { a: 'A', b: 'B' }, title = pair.name, verbose = false): Generator<string> {
  if (pair.status === 'identical') return yield `${style.green('identical'.padEnd(PAD))}${title}`;
  if (pair.status === 'refused' || pair.status === 'error') return yield `${style.red(pair.status.padEnd(PAD))}${title}: ${pair.message ?? ''}`;
  yield `${style.red('differs'.padEnd(PAD))}${style.bold(title)}`;
  yield* indented('  ', explainPair(pair, style, labels, verbose));
}

/** What a reader asks first: which versions, how they were paired, the verdict, the members, then metadata. */
export function* explainPair(pair: PairComparison, style: Style, labels: SideLabels, verbose = false): Generator<string> {
  const [version, ...pairing] = pairingLines(pair, labels);
  if (version) yield style.bold(version);
  yield* pairing;
  if (pair.verdict === 'same-content') yield style.yellow(sameContentVerdict(pair));
  else {
    yield style.red(`content differs: ${countMembers(pair.members)}`);
    yield* indented('  ', renderMembers(pair.members, style, labels, verbose));
  }
  yield* renderMetadata(pair, style, labels, verbose);
}

/**
 * The version change, then how the files and members were paired, as plain lines; the first is the
 * version line, or empty when both sides have one version.
 */
export function pairingLines(pair: PairComparison, labels: SideLabels): string[] {
  const lines = [pair.version && pair.version.a !== pair.version.b ? `version: ${pair.version.a} → ${pair.version.b}` : ''];
  if (pair.pairedBy === 'project') lines.push(`paired by project and kind: one project's ${pair.pairedAs ?? pair.kind} (the file names differ)`);
  if (pair.renamedRoots?.length) lines.push(`members paired by role: ${pair.renamedRoots.map((root) => `${root.a}/ = ${root.b}/`).join(', ')} (named as in ${labels.a} below)`);
  return lines;
}

function countMembers(members: MemberDifference[]): string {
  const names = new Set(members.map((m) => m.name)).size;
  return `${names} member${names === 1 ? '' : 's'}`;
}

/** Added, removed and changed first: what a release changed. */
const MEMBER_KINDS: MemberDifferenceKind[] = ['only-in-b', 'only-in-a', 'content', 'type', 'executable', 'link-target'];

export function memberHeading(kind: MemberDifferenceKind, labels: SideLabels): string {
  const headings: Record<MemberDifferenceKind, string> = {
    'only-in-b': `added (only in ${labels.b})`,
    'only-in-a': `removed (only in ${labels.a})`,
    content: 'changed',
    type: 'type',
    executable: 'exec bit',
    'link-target': 'link target',
  };
  return headings[kind];
}

/** The members grouped by kind in the order a reader wants them: added, removed, changed, then the rest (each in reading order, as compare gives them). */
export function membersByKind(members: readonly MemberDifference[]): [MemberDifferenceKind, MemberDifference[]][] {
  return MEMBER_KINDS.map((kind) => [kind, members.filter((m) => m.difference === kind)]);
}

/** One summary per kind of difference, then each member's diff (text) or sizes and sha256 (binary). */
function* renderMembers(members: MemberDifference[], style: Style, labels: SideLabels, verbose: boolean): Generator<string> {
  for (const [kind, ofKind] of membersByKind(members)) {
    yield* summarize(memberHeading(kind, labels), ofKind.map((member) => `${member.name}${describeMember(member, labels)}`), verbose);
  }
  for (const member of members.filter((m) => m.difference === 'content' && m.size)) {
    if (member.diff) yield* indented('  ', member.diff, (line) => colourDiffLine(line, style));
    else if (!member.text) yield `  ${style.bold(member.name)}: sha256 ${member.sha256?.a ?? '?'} → ${member.sha256?.b ?? '?'}`;
  }
}

/** What follows a member's name: ` (text, 10 → 12 bytes)`, ` (A yes → B no)`, or nothing. */
export function describeMember(member: MemberDifference, labels: SideLabels): string {
  switch (member.difference) {
    case 'only-in-a':
      return member.a && member.a !== 'file' ? ` (${member.a})` : '';
    case 'only-in-b':
      return member.b && member.b !== 'file' ? ` (${member.b})` : '';
    case 'content':
      if (!member.size) return '';
      if (member.versionOnly) return ' (text, only the version differs)';
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

/** Metadata differences by group: `gzip`, `tar`, `zip`, each field summarized. */
function* renderMetadata(pair: PairComparison, style: Style, labels: SideLabels, verbose: boolean): Generator<string> {
  if (pair.metadata.length === 0) return;
  yield `metadata (${labels.a} → ${labels.b}):`;
  const groups = new Map<string, Change[]>();
  for (const change of pair.metadata) {
    const group = change.field.split(' ')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), change]);
  }
  for (const [group, changes] of groups) {
    const memberCount = group === 'gzip' || pair.commonMembers === undefined ? '' : ` (${pair.commonMembers} members in both)`;
    yield `  ${style.bold(group)}${memberCount}`;
    for (const change of changes) yield* indented('    ', summarizeChange(change.field.slice(group.length + 1), change, verbose));
  }
}
