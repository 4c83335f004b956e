// The diff of a text member as HTML, for the page of html-report.ts. diff2html lays the unified diff
// out (line numbers, hunks, word-level changes between a removed and an added line) and highlight.js
// colours the other lines in the member's language, one line at a time, as diff2html's own browser
// code would (the page has no scripts, so it is done here). Both escape the text they are given: no
// byte of a member becomes markup.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { html as diffToHtml, parse as parseDiff } from 'diff2html';
import hljs from 'highlight.js/lib/core';
import type { LanguageFn } from 'highlight.js';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import ini from 'highlight.js/lib/languages/ini';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { escapeLine } from './output.js';
import { PAGE_SHEETS } from './page-sheets.js';

/** What sdists and wheels hold most, by file name extension (TOML and setup.cfg read well as INI). */
const LANGUAGES: Record<string, LanguageFn> = {
  py: python, pyi: python, pyx: python, pxd: python,
  toml: ini, cfg: ini, ini,
  md: markdown, json, yaml, yml: yaml, xml, html: xml, svg: xml,
  c, h: c, cpp, cc: cpp, cxx: cpp, hpp: cpp, rs: rust,
  js: javascript, mjs: javascript, ts: typescript, css, sh: bash,
};
for (const [extension, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(extension, language);

const require = createRequire(import.meta.url);

/**
 * `{ sheet: its text }` as JSON text, put here by scripts/bundle.mjs in the bundled CLI; the library
 * reads the sheets from its dependencies. A string, so that it stays in the page's own chunk.
 */
declare const REPRODIST_BUNDLED_SHEETS: string | undefined;

/** The page's stylesheets, one after the other. */
export function diffStyles(): string {
  const bundled = typeof REPRODIST_BUNDLED_SHEETS === 'undefined' ? undefined : (JSON.parse(REPRODIST_BUNDLED_SHEETS) as Record<string, string>);
  return PAGE_SHEETS.map((sheet) => bundled?.[sheet] ?? readFileSync(require.resolve(sheet), 'utf8')).join('\n');
}

/** diff2html escapes a plain line's text into this span; lines with word-level marks hold tags. */
const PLAIN_LINE = /(<span class="d2h-code-line-ctn">)([^<]*)(<\/span>)/g;
const ENTITY = /&(?:(amp|lt|gt|quot)|#x([0-9a-f]+)|#(\d+));/gi;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

function unescapeHtml(text: string): string {
  return text.replace(ENTITY, (_, named: string | undefined, hex: string | undefined, decimal: string | undefined) =>
    named ? NAMED_ENTITIES[named.toLowerCase()]! : String.fromCodePoint(hex ? parseInt(hex, 16) : Number(decimal)));
}

/**
 * One member's unified diff lines as HTML. `name` picks the language; highlight.js escapes what it
 * highlights, so a line's text goes back into the page escaped again.
 */
export function diffHtml(diffLines: readonly string[], name: string): string {
  // One line per line (a missing final newline is noted on a line of its own), control characters
  // made visible as in the terminal, tabs kept. Both sides are named alike: diff2html would call
  // `A/name` and `B/name` a rename.
  const lines = diffLines.flatMap((line) => line.split('\n')).map((line) => {
    if (line.startsWith('--- ')) return `--- a/${escapeLine(name)}`;
    if (line.startsWith('+++ ')) return `+++ b/${escapeLine(name)}`;
    return line.split('\t').map((part) => escapeLine(part)).join('\t');
  });
  const files = parseDiff(lines.join('\n'));
  // No diffMaxChanges: a "too big" diff would keep its hunk headers unescaped.
  const page = diffToHtml(files, { drawFileList: false, outputFormat: 'line-by-line', matching: 'lines', diffStyle: 'word' });
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!extension || !hljs.getLanguage(extension)) return page;
  return page.replace(PLAIN_LINE, (_, open: string, text: string, close: string) =>
    `${open}${hljs.highlight(unescapeHtml(text), { language: extension, ignoreIllegals: true }).value}${close}`);
}
