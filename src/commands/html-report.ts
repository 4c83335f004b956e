// `compare --html FILE`, `verify --html FILE` and `rebuild --html FILE`: the result document (what --json prints) as one
// self-contained page to read in a browser or keep as a CI artefact. Nothing is loaded from
// elsewhere: the styles are inline, collapsing is <details>, and there is no script at all.
//
// Every name, message and byte of content comes from untrusted archives: each goes through `text()`
// (control characters made visible as output.ts does for the terminal, then HTML-escaped), and the
// diffs through diff2html and highlight.js, which escape too (html-diff.ts). The Content-Security-
// Policy forbids scripts, should anything get through all the same.
import { rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Comparison, MemberDifference, PairComparison } from '../compare/index.js';
import { removeScratch, scratchPath } from '../normalize/index.js';
import { recipeSummary, recipeToToml } from '../verify/index.js';
import type { PublishedFile, ReleaseRebuild, Verification } from '../verify/index.js';
import { diffHtml, diffStyles } from './html-diff.js';
import { escapeLine } from './output.js';
import { describeMember, memberHeading, membersByKind, pairingLines, sameContentVerdict } from './render.js';
import type { SideLabels } from './render.js';
import type { ReportDocument } from './documents.js';

/** Writes the page beside `path` and renames it into place, so that `path` is never a partial page. */
export async function writeHtmlReport(path: string, document: ReportDocument): Promise<void> {
  const page = renderHtmlReport(document);
  const temp = scratchPath(dirname(resolve(path)), 'tmp');
  try {
    await writeFile(temp, page);
    await rename(temp, path);
  } finally {
    await removeScratch(temp);
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Untrusted text as HTML text (or an attribute value): control characters shown as `\x1b`, markup escaped. */
function text(value: unknown): string {
  return escapeLine(String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The verdict by exit code: 0, 1, then anything else (a rebuild's 0 is a reproduction, at best). */
const VERDICTS = ['identical', 'differ', 'error'] as const;

export function renderHtmlReport(document: ReportDocument): string {
  const verdict = VERDICTS[Math.min(document.exitCode, 2)]!;
  const body = document.command === 'compare' ? compareBody(document) : document.command === 'rebuild' ? rebuildBody(document) : verifyBody(document);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reprodist ${document.command}: ${verdict}</title>
<style>
${diffStyles()}
${PAGE_STYLE}
</style>
</head>
<body>
<header>
<h1>reprodist ${document.command}</h1>
<p class="verdict ${verdict}" id="verdict">${verdictSentence(document, document.command === 'rebuild' && verdict === 'identical' ? 'reproduced' : verdict)}</p>
${list('problems', 'Problems', document.problems)}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** `Differ: 2 pairs (1 identical, 1 differs), exit 1`. */
function verdictSentence(document: ReportDocument, verdict: string): string {
  const statuses = document.command === 'rebuild' ? document.results.map((r) => r.verdict) : document.results.map((r) => r.status);
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  const what = { compare: 'pair', verify: 'check', rebuild: 'published file' }[document.command];
  const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
  return `${verdict[0]!.toUpperCase()}${verdict.slice(1)}: ${statuses.length} ${what}${statuses.length === 1 ? '' : 's'}${tally ? ` (${text(tally)})` : ''}, exit ${document.exitCode}`;
}

function list(className: string, title: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  return `<section class="${className}"><h2>${title}</h2><ul>${items.map((item) => `<li>${text(item)}</li>`).join('')}</ul></section>`;
}

function compareBody(document: Comparison): string {
  const labels = { a: 'A', b: 'B' };
  return [
    `<dl class="sides"><dt>A</dt><dd>${text(document.a)}</dd><dt>B</dt><dd>${text(document.b)}</dd></dl>`,
    ...document.results.map((pair) => pairSection(pair, labels, pair.name)),
    list('only', 'Only in A', document.onlyInA),
    list('only', 'Only in B', document.onlyInB),
    extraFields(document, ['command', 'a', 'b', 'results', 'onlyInA', 'onlyInB', 'problems', 'exitCode']),
  ].join('\n');
}

function verifyBody(document: Verification): string {
  const parts: string[] = [];
  for (const source of document.sources) {
    // The names verify gives the two sides (src/commands/verify.ts).
    const { labels } = source;
    const build = source.commit ? ` <span class="dim">clean clone of ${text(source.commit.slice(0, 12))}, SOURCE_DATE_EPOCH=${text(source.commitTime)}, normalized with epoch ${text(source.epoch)}</span>` : '';
    parts.push(`<section class="source"><h2>${text(source.source)}${build}</h2>`);
    for (const check of document.results.filter((c) => c.source === source.source)) {
      const title = check.url ? `${check.name} vs ${check.url}` : check.name;
      if (check.comparison) parts.push(pairSection(check.comparison, labels, title));
      else parts.push(`<section class="pair"><h3>${status(check.status)} ${text(title)}</h3><p class="message">${text(check.message ?? '')}</p></section>`);
      parts.push(extraFields(check, ['source', 'local', 'name', 'url', 'status', 'message', 'comparison']));
    }
    parts.push(list('only', 'Not checked (no local file of that name)', source.unmatched));
    parts.push(extraFields(source, ['source', 'kind', 'unmatched', 'commit', 'commitTime', 'epoch']), '</section>');
  }
  parts.push(extraFields(document, ['command', 'local', 'sources', 'results', 'problems', 'exitCode']));
  return parts.join('\n');
}

/** A rebuild: the release and its source, the recipe (as the TOML --recipe replays), every attempt, then each published file's verdict. */
function rebuildBody(document: ReleaseRebuild): string {
  const facts: [string, string | undefined][] = [
    ['release', `${document.name} ${document.version}`],
    ['index', document.index],
    ['uploaded', document.uploadTime],
    ['source', document.source && `${document.source.url} at ${document.source.ref} (${document.source.commit})`],
    ['not built from the repository', document.sourceSkipped],
  ];
  const parts = [`<dl class="sides">${facts.filter(([, value]) => value !== undefined).map(([key, value]) => `<dt>${key}</dt><dd>${text(value)}</dd>`).join('')}</dl>`];
  if (document.recipe) {
    parts.push(`<section class="recipe"><h2>Recipe</h2><p>${text(recipeSummary(document.recipe, document.source))}</p><ul class="evidence">${document.recipe.evidence.map((line) => `<li>${text(line)}</li>`).join('')}</ul>`);
    parts.push(`<details><summary>As a recipe file (--save-recipe writes it, --recipe replays it)</summary><pre>${recipeToToml(document.recipe).split('\n').map(text).join('\n')}</pre></details></section>`);
  }
  if (document.attempts.length > 0) {
    const pairs = (values: Record<string, string>) => Object.entries(values).map(([key, value]) => `${key} ${value}`).join(', ');
    const rows = document.attempts.map((attempt) => {
      const log = attempt.logTail ? `<details><summary>end of the build log</summary><pre>${attempt.logTail.map(text).join('\n')}</pre></details>` : '';
      const outcome = attempt.status === 'failed' ? `<span class="message">failed: ${text(attempt.message ?? '')}</span>${log}` : Object.entries(attempt.verdicts).map(([name, verdict]) => `${status(verdict)} ${text(name)}`).join('<br>');
      return `<tr><td class="num">${text(attempt.number)}</td><td>${text(attempt.route)}</td><td>${text(pairs(attempt.pins))}</td><td>${text(attempt.python)}</td><td>${text(pairs(attempt.installed))}</td><td>${outcome}</td></tr>`;
    });
    parts.push(`<section class="attempts"><h2>Attempts</h2><table class="fields"><thead><tr><th>#</th><th>route</th><th>pins</th><th>Python</th><th>build environment</th><th>outcome</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`);
  }
  parts.push(...document.results.map(publishedSection));
  parts.push(extraFields(document, ['command', 'name', 'version', 'index', 'uploadTime', 'recipe', 'source', 'sourceSkipped', 'attempts', 'results', 'problems', 'exitCode']));
  return parts.join('\n');
}

/** A published file: its verdict, what differs and why, then its comparison with the rebuild (for anything but identical bytes). */
function publishedSection(file: PublishedFile): string {
  const routes = Object.entries(file.routes ?? {}).map(([route, verdict]) => `${route} route ${verdict}`).join(', ');
  const from = file.attempt ? ` <span class="dim">attempt ${text(file.attempt)}${routes ? `; ${text(routes)}` : ''}</span>` : '';
  const parts = [`<section class="pair"><h3>${status(file.verdict)} ${text(file.name)}${from}</h3>`];
  if (file.message) parts.push(`<p class="message">${text(file.message)}</p>`);
  if (file.normalizedSha256 && file.verdict === 'reproduced') parts.push(`<p class="hash">equal once both are normalized: sha256 ${text(file.normalizedSha256)}</p>`);
  parts.push(list('tool-files', 'Files the build tools write that differ', file.toolFiles), list('project-files', 'Project files that differ', file.projectFiles), list('notes', 'Notes', file.notes));
  if (file.logTail) parts.push(`<details><summary>end of the build log</summary><pre>${file.logTail.map(text).join('\n')}</pre></details>`);
  if (file.comparison && file.verdict !== 'identical') parts.push(pairSection(file.comparison, { a: 'published', b: 'rebuilt' }, `${file.name}: published and rebuilt`));
  parts.push(extraFields(file, ['name', 'url', 'sha256', 'uploadTime', 'verdict', 'attempt', 'routes', 'toolFiles', 'projectFiles', 'notes', 'message', 'logTail', 'normalizedSha256', 'rebuiltSha256', 'comparison']), '</section>');
  return parts.join('\n');
}

function status(value: string): string {
  return `<span class="status ${/^[a-z-]+$/.test(value) ? value : 'other'}">${text(value)}</span>`;
}

const PAIR_FIELDS = ['name', 'a', 'b', 'kind', 'status', 'verdict', 'size', 'sha256', 'members', 'commonMembers', 'metadata', 'message', 'version', 'pairedBy', 'renamedRoots'];

/** One pair: its status, the verdict, both files, then the members, their diffs and the metadata. */
function pairSection(pair: PairComparison, labels: SideLabels, title: string): string {
  const parts = [`<section class="pair"><h3>${status(pair.status)} ${text(title)}</h3>`];
  if (pair.message) parts.push(`<p class="message">${text(pair.message)}</p>`);
  const [version, ...pairing] = pairingLines(pair, labels);
  if (version) parts.push(`<p class="version">${text(version)}</p>`);
  if (pairing.length > 0) parts.push(`<ul class="pairing">${pairing.map((line) => `<li>${text(line)}</li>`).join('')}</ul>`);
  if (pair.verdict === 'same-content') parts.push(`<p class="pair-verdict same-content">${text(sameContentVerdict(pair))}</p>`);
  if (pair.verdict === 'content-differs') parts.push(`<p class="pair-verdict content-differs">content differs: ${new Set(pair.members.map((m) => m.name)).size} member(s)</p>`);
  parts.push(filesTable(pair, labels));
  if (pair.members.length > 0) {
    parts.push(`<details class="members" open><summary>Members that differ (${pair.members.length})</summary><ul>`);
    for (const [, members] of membersByKind(pair.members)) for (const member of members) parts.push(memberItem(member, labels));
    parts.push('</ul></details>');
  }
  if (pair.metadata.length > 0) parts.push(metadataTable(pair, labels));
  parts.push(extraFields(pair, PAIR_FIELDS), '</section>');
  return parts.join('\n');
}

function filesTable(pair: PairComparison, labels: SideLabels): string {
  const row = (side: 'a' | 'b') =>
    `<tr><th>${text(labels[side])}</th><td>${text(pair[side])}</td><td class="num">${pair.size ? text(pair.size[side]) : ''}</td><td class="hash">${pair.sha256 ? text(pair.sha256[side]) : ''}</td></tr>`;
  return `<table class="files"><thead><tr><th></th><th>file</th><th>bytes</th><th>sha256</th></tr></thead><tbody>${row('a')}${row('b')}</tbody></table>`;
}

const MEMBER_FIELDS = ['name', 'nameB', 'difference', 'a', 'b', 'size', 'sha256', 'text', 'versionOnly', 'diff'];

/** A member: a line, or with a diff, a <details> holding it (open, since those are few). */
function memberItem(member: MemberDifference, labels: SideLabels): string {
  // Named as in A, as the terminal does: the pairing lines above say how B's roots were renamed.
  // describeMember's ` (text, 10 → 12 bytes)`, without the parentheses the page sets apart in grey.
  const about = describeMember(member, labels).replace(/^ \((.*)\)$/, '$1');
  const hashes = member.difference === 'content' && !member.text && member.sha256
    ? `<div class="hash">sha256 ${text(labels.a)} ${text(member.sha256.a)}<br>sha256 ${text(labels.b)} ${text(member.sha256.b)}</div>`
    : '';
  const line = `<span class="kind ${text(member.difference)}">${text(memberHeading(member.difference, labels))}</span> <span class="name">${text(member.name)}</span>${about ? ` <span class="dim">(${text(about)})</span>` : ''}${hashes}`;
  const extra = extraFields(member, MEMBER_FIELDS);
  if (!member.diff?.length) return `<li class="member">${line}${extra}</li>`;
  // Lines a unified diff does not hold (a note that the diff was cut, say) are shown under it.
  const isDiffLine = (l: string) => /^(---|\+\+\+|@@|[ +\\-])/.test(l) || l === '';
  const notes = member.diff.filter((l) => !isDiffLine(l));
  return `<li class="member"><details open><summary>${line}</summary>${diffHtml(member.diff.filter(isDiffLine), member.name)}${notes.map((n) => `<p class="dim">${text(n)}</p>`).join('')}${extra}</details></li>`;
}

/** Metadata differences by field, each with its count and examples (collapsed: it is the lesser news). */
function metadataTable(pair: PairComparison, labels: SideLabels): string {
  const common = pair.commonMembers === undefined ? '' : `, ${pair.commonMembers} members in both`;
  const rows = pair.metadata.map((change) => {
    const more = change.count > change.examples.length ? ', …' : '';
    return `<tr><td>${text(change.field)}</td><td class="num">${text(change.count)}</td><td>${change.examples.map(text).join(', ')}${more}</td></tr>`;
  });
  return `<details class="metadata"${pair.verdict === 'same-content' ? ' open' : ''}><summary>Metadata differences, ${text(labels.a)} → ${text(labels.b)} (${pair.metadata.length} field${pair.metadata.length === 1 ? '' : 's'}${common})</summary><table class="fields"><thead><tr><th>field</th><th>count</th><th>examples</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

/** Fields this page does not know (a newer result document's), shown as their JSON. */
function extraFields(object: object, known: readonly string[]): string {
  const extra = Object.entries(object).filter(([key, value]) => !known.includes(key) && value !== undefined);
  if (extra.length === 0) return '';
  return `<dl class="extra">${extra.map(([key, value]) => `<dt>${text(key)}</dt><dd><pre>${JSON.stringify(value, null, 2).split('\n').map(text).join('\n')}</pre></dd>`).join('')}</dl>`;
}

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem 3rem; color: #1f2328; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 0 0 0.5rem; word-break: break-all; }
.verdict { font-size: 1.1rem; font-weight: 600; padding: 0.6rem 0.9rem; border-radius: 6px; margin: 0.5rem 0 1rem; }
.verdict.identical { background: #dafbe1; color: #116329; }
.verdict.differ { background: #fff1e5; color: #953800; }
.verdict.error, .problems { background: #ffebe9; color: #82071e; }
.problems { padding: 0.3rem 0.9rem; border-radius: 6px; }
.sides { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.8rem; margin: 0 0 1rem; }
.sides dt { font-weight: 600; }
.sides dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
.pair { border: 1px solid #d1d9e0; border-radius: 6px; padding: 0.8rem 1rem; margin: 0 0 1rem; }
.status { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 0.05rem 0.5rem; border-radius: 1rem; background: #eef1f4; }
.status.identical, .status.reproduced { background: #dafbe1; color: #116329; }
.status.differs, .status.tool-metadata { background: #fff1e5; color: #953800; }
.status.not-rebuilt, .status.refused, .status.error, .status.missing, .status.unreachable, .status.digest-mismatch { background: #ffebe9; color: #82071e; }
.pair-verdict.content-differs, .message { color: #82071e; font-weight: 600; }
.pair-verdict.same-content { color: #7d4e00; font-weight: 600; }
/* The page's own tables only: diff2html lays out its rows itself, with a line-number cell of fixed
   width placed absolutely, and a padding added to that cell pushes B's number onto a second line,
   hidden under the next row and, on the last, hanging below the table. */
.files, .fields { border-collapse: collapse; margin: 0.4rem 0; }
:is(.files, .fields) :is(th, td) { text-align: left; padding: 0.15rem 0.6rem; border-bottom: 1px solid #eef1f4; vertical-align: top; }
.files { width: 100%; }
.files td, .name { font-family: ui-monospace, monospace; word-break: break-all; }
.num { text-align: right; white-space: nowrap; }
.hash { font-family: ui-monospace, monospace; font-size: 0.8rem; color: #59636e; word-break: break-all; }
/* A file's path breaks anywhere; its size and sha256 stay whole while the page has room for them. */
.files td.hash { white-space: nowrap; }
@media (max-width: 720px) { .files td.hash { white-space: normal; } }
details { margin: 0.5rem 0; }
summary { cursor: pointer; }
details.members > summary, details.metadata > summary { font-weight: 600; }
.members ul { list-style: none; padding-left: 0.5rem; margin: 0.3rem 0; }
.member { margin: 0.2rem 0; }
.member details { margin: 0.2rem 0 0.8rem; }
.kind { display: inline-block; min-width: 6.5rem; font-size: 0.8rem; color: #59636e; }
.kind.content { color: #953800; }
.kind.only-in-a { color: #82071e; }
.kind.only-in-b { color: #116329; }
.dim { color: #59636e; font-weight: normal; }
.version { font-weight: 600; margin: 0.2rem 0; }
.pairing { margin: 0.2rem 0 0.5rem; padding-left: 1.2rem; color: #59636e; }
.recipe pre, .attempts pre, .pair > details pre { background: #f6f8fa; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; }
.extra { font-size: 0.85rem; }
.extra pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
.d2h-file-collapse { display: none; }
/* The member's line above the diff names it already. */
.d2h-file-header { display: none; }
.d2h-wrapper { margin-top: 0.3rem; }
`;
