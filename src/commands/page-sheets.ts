// The stylesheets the HTML page inlines, as package paths: diff2html's own and a highlight.js theme.
// The library reads them from its dependencies (html-diff.ts); the CLI bundle carries their text,
// because the Python distribution has no node_modules (scripts/bundle.mjs reads this list, which is
// why this module imports nothing).
export const PAGE_SHEETS: readonly string[] = ['diff2html/bundles/css/diff2html.min.css', 'highlight.js/styles/github.min.css'];
