// Judging a published file against its rebuild: `identical` bytes; `reproduced` (equal once both are
// normalized: the content views are equal, and the normal forms are then checked byte for byte);
// `tool-metadata` (every file of the project equal, only files the build tools write differ); or
// `differs` (project files differ, named). The notes explain what can be explained.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compareFiles } from '../compare/index.js';
import type { PairComparison } from '../compare/index.js';
import { DEFAULT_EPOCH, handlerFor, normalizeArtefact, sha256File } from '../normalize/index.js';
import type { ArtefactKind } from '../normalize/index.js';

export type FileVerdict = 'identical' | 'reproduced' | 'tool-metadata' | 'differs' | 'not-rebuilt' | 'refused';

/** Best first: which attempt's rebuild a file is judged by. */
export const VERDICT_RANK: Record<FileVerdict, number> = { identical: 0, reproduced: 1, 'tool-metadata': 2, differs: 3, 'not-rebuilt': 4, refused: 5 };

export interface Judgement {
  verdict: FileVerdict;
  /** Members that differ and that the build tools write (METADATA, WHEEL, RECORD, egg-info...). */
  toolFiles: string[];
  /** Members of the project that differ. */
  projectFiles: string[];
  notes: string[];
  /** reproduced: the sha256 both normal forms share. */
  normalizedSha256?: string;
  /** refused: why. */
  message?: string;
  comparison: PairComparison;
}

const DIST_INFO = /^[^/]+\.dist-info\//;

/** Members a wheel or sdist build writes itself, whatever the project's files are. */
function isToolWritten(kind: ArtefactKind, name: string): boolean {
  if (kind === 'wheel') {
    if (/^[^/]+\.dist-info\/(METADATA|WHEEL|RECORD|top_level\.txt|INSTALLER|REQUESTED|zip-safe|entry_points\.txt)$/.test(name)) return true;
    // Licence files: setuptools 77+ moves them to licenses/; their place is the tool's choice.
    return DIST_INFO.test(name) && /(^|\/)(licenses\/.+|(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*)$/.test(name);
  }
  return /^[^/]+\/PKG-INFO$/.test(name) || /(^|\/)[^/]+\.egg-info\/[^/]+$/.test(name);
}

const MEMBER_READ_LIMIT = 1 << 20;

/** Compares the published file (A) with its rebuild (B) and judges it; `scratch` is an empty directory for the normal forms. */
export async function judge(published: string, rebuilt: string, scratch: string): Promise<Judgement> {
  const comparison = await compareFiles(published, rebuilt, { labels: { a: 'published', b: 'rebuilt' } });
  const base = { toolFiles: [], projectFiles: [], notes: [], comparison };
  if (comparison.status === 'refused' || comparison.status === 'error') return { ...base, verdict: 'refused', message: comparison.message ?? comparison.status };
  if (comparison.status === 'identical') return { ...base, verdict: 'identical' };
  if (comparison.verdict === 'same-content') {
    const normalized = await normalizeBoth(published, rebuilt, scratch);
    if (normalized.a === normalized.b) return { ...base, verdict: 'reproduced', normalizedSha256: normalized.a };
    return { ...base, verdict: 'differs', notes: [`equal content, but the normal forms differ (${normalized.a} and ${normalized.b}): a reprodist bug, please report it`] };
  }
  const kind = comparison.kind!;
  const handler = handlerFor(published)!;
  const differing = comparison.members;
  const names = [...new Set(differing.map((d) => d.name))];
  const toolFiles: string[] = [];
  const projectFiles: string[] = [];
  const notes: string[] = [];
  const heads = await Promise.all([
    handler.readMemberHeads(published, names, MEMBER_READ_LIMIT),
    handler.readMemberHeads(rebuilt, differing.map((d) => d.nameB ?? d.name), MEMBER_READ_LIMIT),
  ]);
  const text = (side: 0 | 1, name: string) => heads[side].get(name)?.head.toString('utf8');
  for (const name of names) {
    const kinds = differing.filter((d) => d.name === name);
    const a = text(0, name);
    const b = text(1, kinds[0]!.nameB ?? name);
    // A py.typed marker on one side only: setuptools 69 and later add the project's as package data, earlier ones leave it out.
    const addedMarker = kind === 'wheel' && /(^|\/)py\.typed$/.test(name) && kinds.every((d) => d.difference === 'only-in-a' || d.difference === 'only-in-b');
    let tool = addedMarker || isToolWritten(kind, name);
    if (/\.dist-info\/entry_points\.txt$/.test(name) && a !== undefined && b !== undefined && sortedLines(a) !== sortedLines(b)) tool = false;
    (tool ? toolFiles : projectFiles).push(name);
    if (a !== undefined && b !== undefined && a !== b && a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n')) notes.push(`${name}: line endings only (CRLF on one side)`);
    else if (/\.dist-info\/entry_points\.txt$/.test(name) && tool) notes.push(`${name}: the same entry points in another order`);
    else if (addedMarker) notes.push(`${name}: a typing marker on one side only (setuptools 69 and later add the project's py.typed to the wheel, earlier versions do not)`);
    for (const difference of kinds) {
      if (difference.difference === 'only-in-a') notes.push(`${name}: only in the published file (${heads[0].get(name)?.size ?? '?'} bytes)`);
      if (difference.difference === 'only-in-b') notes.push(`${name}: only in the rebuild (${heads[1].get(name)?.size ?? '?'} bytes)`);
    }
  }
  const record = names.find((name) => /\.dist-info\/RECORD$/.test(name));
  if (record) {
    const others = new Set(names.filter((name) => name !== record));
    const rows = (side: 0 | 1) => sortedLines((text(side, record) ?? '').split('\n').filter((row) => !others.has(row.split(',')[0]!) && row.split(',')[0] !== record).join('\n'));
    if (rows(0) === rows(1)) notes.push(`${record}: changed only because the members it hashes did`);
  }
  return { ...base, verdict: projectFiles.length === 0 ? 'tool-metadata' : 'differs', toolFiles, projectFiles, notes };
}

function sortedLines(text: string): string {
  return text.replace(/\r\n/g, '\n').split('\n').map((line) => line.trim()).filter(Boolean).sort().join('\n');
}

async function normalizeBoth(a: string, b: string, scratch: string): Promise<{ a: string; b: string }> {
  const options = { epoch: DEFAULT_EPOCH, mtime: 'epoch' as const, keepCompression: false };
  const hash = async (path: string, dir: string) => {
    await mkdir(dir, { recursive: true });
    const result = await normalizeArtefact(handlerFor(path)!, path, options, dir);
    if (result.status === 'refused' || result.status === 'error') throw new Error(result.message);
    return sha256File(result.output ?? join(dir, path.split('/').pop()!));
  };
  return { a: await hash(a, join(scratch, 'published')), b: await hash(b, join(scratch, 'rebuilt')) };
}
