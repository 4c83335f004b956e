// The source-repository route: a clone of the repository (a URL or a local path, given or named by
// the sdist's metadata) at the release's tag, given (--ref) or inferred from the version: exactly
// one tag must match, or rebuild stops and names the candidates.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { normalizeProjectName } from '../normalize/index.js';

const run = promisify(execFile);

export class SourceError extends Error {
  override name = 'SourceError';
}

/** Runs git; with `timeoutMs`, a git that is still running then (a remote that never answers) is stopped. */
export async function git(cwd: string, args: readonly string[], timeoutMs = 0): Promise<string> {
  try {
    const { stdout } = await run('git', [...args], { cwd, maxBuffer: 64 << 20, timeout: timeoutMs, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' } });
    return stdout.trim();
  } catch (error) {
    if ((error as { killed?: boolean }).killed) throw new SourceError(`git ${args[0]}: stopped after ${timeoutMs / 1000} s`);
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').pop();
    throw new SourceError(`git ${args[0]}: ${stderr || (error as Error).message.split('\n')[0]}`);
  }
}

/** The tags a release `version` of `project` is usually tagged with: v1.2.3, 1.2.3, NAME-1.2.3, release-1.2.3, ... */
export function tagCandidates(project: string, version: string): string[] {
  const names = [...new Set([project, normalizeProjectName(project), normalizeProjectName(project).replace(/-/g, '_')])];
  return [version, `v${version}`, `release-${version}`, `release/${version}`, `rel-${version}`, ...names.flatMap((name) => [`${name}-${version}`, `${name}-v${version}`, `${name}_${version}`, `${name}/${version}`, `${name}/v${version}`, `${name}@${version}`])];
}

/** The one tag of `tags` that names the release; several or none is a SourceError naming them. */
export function pickTag(tags: readonly string[], project: string, version: string): string {
  const wanted = new Set(tagCandidates(project, version).map((tag) => tag.toLowerCase()));
  const matching = tags.filter((tag) => wanted.has(tag.toLowerCase()));
  if (matching.length === 1) return matching[0]!;
  if (matching.length > 1) throw new SourceError(`several tags match ${project} ${version}: ${matching.join(', ')}; choose one with --ref`);
  const near = tags.filter((tag) => tag.includes(version));
  throw new SourceError(`no tag matches ${project} ${version}${near.length ? ` (tags naming the version: ${near.join(', ')})` : ''}; looked for ${tagCandidates(project, version).slice(0, 4).join(', ')}, ...; give --ref`);
}

/**
 * Project-URL labels that name the repository, best first, as PEP 753 normalizes a label (lowercase,
 * no punctuation or spaces): Source, Source Code, Repository, ...
 */
const REPOSITORY_LABELS = ['source', 'sourcecode', 'repository', 'code', 'github', 'gitlab', 'git'];
/** Labels, and the Home-page field, that name a repository only when they point at a forge. */
const HOME_LABELS = ['homepage', 'home'];
/** Forges whose project pages are their repositories, at `/OWNER/NAME`. */
const FORGES = new Set(['github.com', 'gitlab.com', 'codeberg.org', 'bitbucket.org', 'git.sr.ht']);
/** Schemes git may clone from when the URL comes from a published file (never `ext::` and the like). */
const CLONABLE_SCHEMES = new Set(['https:', 'http:', 'git:', 'file:']);

/**
 * The repository a release's core metadata (PKG-INFO or METADATA) names: a Project-URL labelled as
 * the source, else a home page on a forge. A forge URL is cut to its `/OWNER/NAME` (a link into the
 * tree, `/tree/main`, is the same repository).
 */
export function repositoryOf(metadata: string): { url: string; why: string } | undefined {
  const headers = metadata.split(/\r?\n\r?\n/)[0]!;
  const projectUrls = [...headers.matchAll(/^Project-URL: *([^,\r\n]+?) *, *(\S+)\s*$/gim)].map((m) => ({ label: m[1]!.toLowerCase().replace(/[^a-z0-9]/g, ''), url: m[2]!, why: `Project-URL ${m[1]}` }));
  const homePage = /^Home-page: *(\S+)\s*$/im.exec(headers)?.[1];
  const candidates = [
    ...REPOSITORY_LABELS.flatMap((label) => projectUrls.filter((p) => p.label === label).map((p) => ({ ...p, forgeOnly: false }))),
    ...HOME_LABELS.flatMap((label) => projectUrls.filter((p) => p.label === label).map((p) => ({ ...p, forgeOnly: true }))),
    ...(homePage ? [{ url: homePage, why: 'Home-page', forgeOnly: true }] : []),
  ];
  for (const candidate of candidates) {
    const url = clonableUrl(candidate.url, candidate.forgeOnly);
    if (url) return { url, why: candidate.why };
  }
  return undefined;
}

function clonableUrl(text: string, forgeOnly: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!CLONABLE_SCHEMES.has(url.protocol)) return undefined;
  if (url.protocol === 'file:') return url.href;
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  if (FORGES.has(host)) {
    const [owner, name] = url.pathname.split('/').filter(Boolean);
    return owner && name ? `https://${host}/${owner}/${name.replace(/\.git$/, '')}` : undefined;
  }
  return forgeOnly ? undefined : url.href;
}

export interface SourceCheckout {
  /** The clone every attempt copies (with --shared, so cheaply). */
  clone: string;
  ref: string;
  commit: string;
}

/** Clones `source` into `dir` within `timeoutMs` and settles the ref: `ref` when given, else the tag of the version. */
export async function cloneSource(source: string, dir: string, timeoutMs: number, project: string, version: string, ref?: string): Promise<SourceCheckout> {
  await git(process.cwd(), ['clone', '--quiet', '--no-checkout', '--', source, dir], timeoutMs);
  const chosen = ref ?? pickTag((await git(dir, ['tag', '--list'])).split('\n').filter(Boolean), project, version);
  let commit: string;
  try {
    commit = await git(dir, ['rev-parse', '--verify', `${chosen}^{commit}`]);
  } catch {
    throw new SourceError(`${source} has no ref ${chosen}`);
  }
  return { clone: dir, ref: chosen, commit };
}

/** A working tree of the commit for one attempt: a build writes into its tree, so each gets its own. */
export async function checkoutFor(checkout: SourceCheckout, dir: string): Promise<void> {
  await git(process.cwd(), ['clone', '--quiet', '--shared', '--no-checkout', '--', checkout.clone, dir]);
  await git(dir, ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', checkout.commit]);
}
