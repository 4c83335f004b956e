// The GitHub Action (action.yml): its declared interface, that no input can reach a shell as code,
// and its shell steps run for real the way GitHub's runner runs a composite action (bash
// --noprofile --norc -eo pipefail, env from the step's `env:` with expressions evaluated,
// GITHUB_OUTPUT files, GITHUB_ACTION_PATH), on a temp workspace holding raw fixture artefacts.
//
// No YAML library is installed, and action.yml keeps to a small subset of YAML that readYamlSubset()
// below reads strictly: block maps and lists, plain, 'single' and "double" quoted scalars, `|`
// block scalars, full-line comments. Anything else in action.yml makes it throw, so the file
// cannot silently drift out of what this test understands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { assertFirstLineApplied, nodeProbe } from '../helpers/node-probe.js';
import { REPO_ROOT, runAsync, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

type Yaml = string | Yaml[] | { [key: string]: Yaml };
type YamlMap = { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  number: number;
}

/** Reads the YAML subset described above; throws on anything outside it. */
export function readYamlSubset(source: string): Yaml {
  const raw = source.split('\n');
  const lines: Line[] = [];
  // Block scalars are cut out while splitting, since their content is not YAML.
  const blocks = new Map<number, string>();
  for (let i = 0; i < raw.length; i += 1) {
    const text = raw[i]!.replace(/\s+$/, '');
    if (/\t/.test(raw[i]!.match(/^\s*/)![0])) throw new Error(`line ${i + 1}: tab in indentation`);
    if (text.trim() === '' || /^\s*#/.test(text)) continue;
    const indent = text.length - text.trimStart().length;
    lines.push({ indent, text: text.trim(), number: i + 1 });
    const block = /:\s+\|(-?)$/.exec(text);
    if (block) {
      const body: string[] = [];
      let j = i + 1;
      let blockIndent = -1;
      for (; j < raw.length; j += 1) {
        const l = raw[j]!;
        if (l.trim() === '') {
          body.push('');
          continue;
        }
        const ind = l.length - l.trimStart().length;
        if (blockIndent < 0) blockIndent = ind;
        if (ind < blockIndent || ind <= indent) break;
        body.push(l.slice(blockIndent).replace(/\s+$/, ''));
      }
      while (body.length && body[body.length - 1] === '') body.pop();
      blocks.set(lines.length - 1, body.join('\n') + (block[1] === '-' ? '' : '\n'));
      i = j - 1;
    }
  }
  let at = 0;
  const scalar = (text: string, line: Line): string => {
    if (text.startsWith('"')) {
      const m = /^"((?:[^"\\]|\\["\\nt])*)"$/.exec(text);
      if (!m) throw new Error(`line ${line.number}: unsupported double-quoted scalar`);
      return m[1]!.replace(/\\(["\\nt])/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
    }
    if (text.startsWith("'")) {
      const m = /^'((?:[^']|'')*)'$/.exec(text);
      if (!m) throw new Error(`line ${line.number}: unsupported single-quoted scalar`);
      return m[1]!.replace(/''/g, "'");
    }
    if (/^[[{&*!|>%@`]/.test(text) || / #/.test(text) || /: /.test(text)) throw new Error(`line ${line.number}: unsupported plain scalar ${JSON.stringify(text)}`);
    return text;
  };
  const value = (rest: string, line: Line, index: number, indent: number): Yaml => {
    if (blocks.has(index)) return blocks.get(index)!;
    if (rest !== '') return scalar(rest, line);
    const next = lines[at];
    if (!next || next.indent <= indent) throw new Error(`line ${line.number}: empty value`);
    return node(next.indent);
  };
  const entry = (text: string, line: Line, index: number, indent: number, map: YamlMap): void => {
    const m = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(text);
    if (!m) throw new Error(`line ${line.number}: expected "key: value", got ${JSON.stringify(text)}`);
    if (m[1]! in map) throw new Error(`line ${line.number}: duplicate key ${m[1]}`);
    map[m[1]!] = value(m[2] ?? '', line, index, indent);
  };
  const node = (indent: number): Yaml => {
    const first = lines[at]!;
    if (first.indent !== indent) throw new Error(`line ${first.number}: bad indentation`);
    if (first.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (at < lines.length && lines[at]!.indent === indent) {
        const line = lines[at]!;
        if (!line.text.startsWith('- ')) throw new Error(`line ${line.number}: expected a list item`);
        const index = at;
        at += 1;
        const itemIndent = indent + 2;
        const map: YamlMap = {};
        entry(line.text.slice(2), line, index, itemIndent, map);
        while (at < lines.length && lines[at]!.indent === itemIndent) {
          const l = lines[at]!;
          const i = at;
          at += 1;
          entry(l.text, l, i, itemIndent, map);
        }
        list.push(map);
      }
      return list;
    }
    const map: YamlMap = {};
    while (at < lines.length && lines[at]!.indent === indent) {
      const line = lines[at]!;
      const index = at;
      at += 1;
      entry(line.text, line, index, indent, map);
    }
    return map;
  };
  const root = node(0);
  if (at !== lines.length) throw new Error(`line ${lines[at]!.number}: bad indentation`);
  return root;
}

const ACTION_TEXT = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');
const action = readYamlSubset(ACTION_TEXT) as YamlMap;
const inputs = action.inputs as Record<string, YamlMap>;
const outputs = action.outputs as Record<string, YamlMap>;
const runs = action.runs as YamlMap;
const steps = runs.steps as YamlMap[];

test('action.yml: a composite action with the documented inputs and outputs', () => {
  assert.equal(action.name, 'reprodist');
  assert.equal(typeof action.description, 'string');
  assert.equal(runs.using, 'composite');
  for (const name of ['mode', 'paths', 'epoch', 'against', 'pypi', 'version', 'index-url', 'working-directory', 'html-artifact']) {
    assert.ok(inputs[name], `input ${name}`);
    assert.equal(typeof inputs[name]!.description, 'string', `input ${name} has a description`);
    assert.equal(typeof inputs[name]!.default, 'string', `input ${name} has a default`);
  }
  assert.equal(inputs.mode!.default, 'normalize');
  assert.equal(inputs.paths!.default, 'dist/');
  assert.equal(inputs.epoch!.default, '');
  assert.equal(inputs.version!.default, '');
  assert.deepEqual(Object.keys(outputs).sort(), ['exit-code', 'html', 'report']);
  // Every input is documented in docs/ci.md.
  const ci = readFileSync(join(REPO_ROOT, 'docs', 'ci.md'), 'utf8');
  for (const name of Object.keys(inputs)) assert.match(ci, new RegExp(`\\| \`${name}\` \\|`), `docs/ci.md documents input ${name}`);
});

/** The one step that is not a script: upload-artifact with the page, only after a failure. */
const UPLOAD_CONDITION = /^failure\(\) && steps\.([a-z]+)\.outputs\.([a-z-]+) != ''$/;

test('action.yml: no run script holds an expression; expressions only name declared inputs and steps', () => {
  const stepIds = new Set(steps.map((s) => s.id).filter((id): id is string => typeof id === 'string'));
  const expression = /^\$\{\{ (inputs\.[a-z-]+|steps\.[a-z]+\.outputs\.[a-z-]+) \}\}$/;
  const declared = (value: string): boolean => {
    const [kind, id, , output] = value.slice(4, -3).split('.');
    return kind === 'inputs' ? Boolean(inputs[id!]) : stepIds.has(id!) && Boolean(output);
  };
  const uploads = steps.filter((s) => s.uses !== undefined);
  assert.deepEqual(uploads.map((s) => s.uses), ['actions/upload-artifact@v4']);
  for (const step of uploads) {
    assert.equal(step.run, undefined);
    const condition = UPLOAD_CONDITION.exec(step.if as string);
    assert.ok(condition && stepIds.has(condition[1]!), `step "${step.name}" runs only after a failure, when a step output says so`);
    for (const [name, value] of Object.entries(step.with as Record<string, string>)) {
      if (value.includes('${{')) assert.ok(expression.test(value) && declared(value), `with ${name}`);
    }
  }
  for (const step of steps.filter((s) => s.uses === undefined)) {
    assert.equal(typeof step.run, 'string');
    assert.equal(step.shell, 'bash');
    assert.doesNotMatch(step.run as string, /\$\{\{/, `step "${step.name}" interpolates an expression into shell code`);
    for (const [name, value] of Object.entries((step.env ?? {}) as Record<string, string>)) {
      assert.match(name, /^REPRODIST_[A-Z_]+$/);
      assert.match(value, expression, `env ${name}`);
      assert.ok(declared(value), `env ${name} names an undeclared input or step`);
    }
  }
  // And in the raw text, whatever the parser made of it: no line of a run block names inputs.
  let inRun = -1;
  for (const line of ACTION_TEXT.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (inRun >= 0 && line.trim() !== '' && indent <= inRun) inRun = -1;
    if (inRun >= 0) assert.doesNotMatch(line, /\$\{\{\s*inputs\./, line);
    if (/^\s*run:/.test(line)) {
      assert.doesNotMatch(line, /\$\{\{/, line);
      inRun = indent;
    }
  }
});

// --- Running the action as GitHub's runner would ---------------------------------------------

interface ActionRun {
  /** The exit code of the first failing step, or 0. */
  code: number;
  /** The action's outputs (its `outputs:` evaluated after the steps). */
  outputs: Record<string, string>;
  log: string;
  summary: string;
  /** The upload-artifact steps whose condition held, with their evaluated `with:` values. */
  uploads: Record<string, string>[];
}

function readOutputFile(path: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!existsSync(path)) return result;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== heredoc[2]; i += 1) body.push(lines[i]!);
      result[heredoc[1]!] = body.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

/**
 * Runs action.yml's steps with these inputs (unset ones take their defaults) in `workspace`.
 * Asynchronous, so that an HTTP server in this process can answer verify's downloads.
 */
async function runAction(given: Record<string, string>, workspace: string, actionPath = REPO_ROOT, extraEnv: NodeJS.ProcessEnv = {}): Promise<ActionRun> {
  const temp = tmpDir();
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(inputs)) values[name] = given[name] ?? (spec.default as string);
  for (const name of Object.keys(given)) assert.ok(name in inputs, `no input ${name}`);
  const stepOutputs: Record<string, Record<string, string>> = {};
  const evaluate = (expression: string): string => {
    const m = /^\$\{\{ (.+) \}\}$/.exec(expression);
    if (!m) return expression;
    const path = m[1]!.split('.');
    if (path[0] === 'inputs' && path.length === 2) return values[path[1]!] ?? '';
    if (path[0] === 'steps' && path[2] === 'outputs' && path.length === 4) return stepOutputs[path[1]!]?.[path[3]!] ?? '';
    throw new Error(`cannot evaluate ${expression}`);
  };
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(GITHUB_|INPUT_|RUNNER_|SOURCE_DATE_EPOCH$|REPRODIST_)/.test(k)) base[k] = v;
  }
  const summaryFile = join(temp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  let log = '';
  let code = 0;
  const uploads: Record<string, string>[] = [];
  for (const [index, step] of steps.entries()) {
    if (step.uses !== undefined) {
      // Not runnable here: its condition is evaluated, and what it would upload recorded.
      const [, id, output] = UPLOAD_CONDITION.exec(step.if as string)!;
      if (code !== 0 && stepOutputs[id!]?.[output!]) uploads.push(Object.fromEntries(Object.entries(step.with as Record<string, string>).map(([k, v]) => [k, evaluate(v)])));
      continue;
    }
    // After a failure only steps that ask to run then would (none of the scripts does).
    if (code !== 0) continue;
    const outputFile = join(temp, `output-${index}`);
    writeFileSync(outputFile, '');
    const scriptFile = join(temp, `step-${index}.sh`);
    writeFileSync(scriptFile, step.run as string);
    const env: NodeJS.ProcessEnv = {
      ...base,
      npm_config_prefer_offline: 'true',
      ...extraEnv,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: temp,
    };
    for (const [name, value] of Object.entries((step.env ?? {}) as Record<string, string>)) env[name] = evaluate(value);
    const result = await runAsync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], { cwd: workspace, env, timeout: 600_000 });
    log += `--- ${step.name} (exit ${result.code})\n${result.stdout}${result.stderr}`;
    if (typeof step.id === 'string') stepOutputs[step.id] = readOutputFile(outputFile);
    if (result.code !== 0) code = result.code;
  }
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(outputs)) out[name] = evaluate(spec.value as string);
  return { code, outputs: out, log, summary: readFileSync(summaryFile, 'utf8'), uploads };
}

const RAW = join(REPO_ROOT, 'fixtures', 'dist');
const SDIST = 'reprodemo-1.0.0+setuptools.tar.gz';
const WHEEL = 'reprodemo-1.0.0+flit-py3-none-any.whl';

/** A workspace with dist/ holding a raw setuptools sdist and a raw flit wheel. */
function workspaceWithDist(t: Parameters<typeof tmpDir>[0]): string {
  const workspace = tmpDir(t);
  mkdirSync(join(workspace, 'dist'));
  for (const name of [SDIST, WHEEL]) copyFileSync(join(RAW, name), join(workspace, 'dist', name));
  return workspace;
}

function report(run: ActionRun): { command: string; epoch: number; results: { path: string; name: string; status: string }[]; exitCode: number } {
  assert.ok(run.outputs.report, `no report output\n${run.log}`);
  return JSON.parse(readFileSync(run.outputs.report!, 'utf8'));
}

test('action: normalize then check pass on raw sdist and wheel, with the bytes of the CLI', async (t) => {
  const workspace = workspaceWithDist(t);
  const normalized = await runAction({}, workspace);
  assert.equal(normalized.code, 0, normalized.log);
  assert.equal(normalized.outputs['exit-code'], '0');
  const r = report(normalized);
  assert.equal(r.command, 'normalize');
  assert.deepEqual(r.results.map((x) => x.status), ['normalized', 'normalized']);
  assert.match(normalized.log, /normalized {2}dist\/reprodemo-1\.0\.0\+setuptools\.tar\.gz/);
  assert.match(normalized.summary, /### reprodist normalize: exit 0/);

  const checked = await runAction({ mode: 'check' }, workspace);
  assert.equal(checked.code, 0, checked.log);
  assert.equal(checked.outputs['exit-code'], '0');
  assert.deepEqual(report(checked).results.map((x) => x.status), ['normal', 'normal']);

  // The same bytes as the command line gives with the same (default) settings.
  const reference = tmpDir(t);
  const cli = runCli(['normalize', '--out', reference, join(RAW, SDIST), join(RAW, WHEEL)], { env: { ...process.env, SOURCE_DATE_EPOCH: '' } });
  assert.equal(cli.code, 0, cli.stderr);
  for (const name of [SDIST, WHEEL]) assert.equal(sha256File(join(workspace, 'dist', name)), sha256File(join(reference, name)), name);
});

test('action: reprodist runs with the environment and the flags of bin/reprodist\'s first line', async (t) => {
  const workspace = workspaceWithDist(t);
  // Every node the steps start is written down; the one that runs the check is looked at.
  const probe = nodeProbe(tmpDir(t));
  const run = await runAction({ mode: 'check' }, workspace, REPO_ROOT, probe.env);
  assert.equal(run.code, 1, run.log);
  const starts = probe.starts();
  const check = starts.find(({ argv }) => argv[1] === join(REPO_ROOT, 'bin', 'reprodist') && argv.includes('check'));
  assert.ok(check, `no node ran bin/reprodist check: ${starts.map(({ argv }) => argv.join(' ')).join('; ')}`);
  assertFirstLineApplied(check, 'the Action');
});

test('action: check fails on raw artefacts with exit 1, and still sets both outputs', async (t) => {
  const workspace = workspaceWithDist(t);
  const before = sha256File(join(workspace, 'dist', SDIST));
  const run = await runAction({ mode: 'check', paths: `dist/${SDIST}` }, workspace);
  assert.equal(run.code, 1, run.log);
  assert.equal(run.outputs['exit-code'], '1');
  assert.deepEqual(report(run).results.map((x) => x.status), ['not-normal']);
  assert.match(run.log, /not-normal {2}dist\/reprodemo-1\.0\.0\+setuptools\.tar\.gz\n {12}tar owner/);
  assert.match(run.log, /::error title=reprodist::an artefact is not in normal form/);
  assert.equal(sha256File(join(workspace, 'dist', SDIST)), before, 'check does not write');
});

test('action: several paths, one per line, with blanks and CRLF; a path starting with "-"', async (t) => {
  const workspace = workspaceWithDist(t);
  copyFileSync(join(RAW, SDIST), join(workspace, '-odd name.tar.gz'));
  const run = await runAction({ paths: `  dist/${SDIST}\r\n\n-odd name.tar.gz  \n\n` }, workspace);
  assert.equal(run.code, 0, run.log);
  assert.deepEqual(report(run).results.map((x) => x.path), [`dist/${SDIST}`, './-odd name.tar.gz']);
  assert.equal(sha256File(join(workspace, '-odd name.tar.gz')), sha256File(join(workspace, 'dist', SDIST)));
});

test('action: epoch "git" is the commit time of HEAD; working-directory finds [tool.reprodist]', async (t) => {
  const workspace = workspaceWithDist(t);
  const git = (...args: string[]) => runOk('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', ...args], {
    cwd: workspace, env: { ...process.env, GIT_COMMITTER_DATE: '@1700000000 +0000', GIT_AUTHOR_DATE: '@1600000000 +0000' },
  });
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'release');
  const run = await runAction({ epoch: 'git' }, workspace);
  assert.equal(run.code, 0, run.log);
  assert.equal(report(run).epoch, 1700000000);

  // A project in a subdirectory, with its own settings.
  const project = join(workspace, 'python');
  mkdirSync(join(project, 'dist'), { recursive: true });
  copyFileSync(join(RAW, WHEEL), join(project, 'dist', WHEEL));
  writeFileSync(join(project, 'pyproject.toml'), '[tool.reprodist]\nepoch = 1600000000\n');
  const sub = await runAction({ 'working-directory': 'python' }, workspace);
  assert.equal(sub.code, 0, sub.log);
  assert.deepEqual([report(sub).epoch, report(sub).results.map((x) => x.path)], [1600000000, ['dist/' + WHEEL]]);
});

test('action: inputs are data, never shell code', async (t) => {
  const workspace = workspaceWithDist(t);
  const marker = join(workspace, 'pwned');
  const hostile = [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `"; touch ${marker}; echo "`,
    `'; touch ${marker}; echo '`,
  ];
  const paths = await runAction({ mode: 'check', paths: hostile.join('\n') }, workspace);
  assert.equal(paths.code, 2, paths.log);
  const epoch = await runAction({ mode: 'check', epoch: hostile[0]! }, workspace);
  assert.equal(epoch.code, 2, epoch.log);
  assert.match(epoch.log, /--epoch: ".*" is not git or whole seconds since 1970/);
  const mode = await runAction({ mode: `check; touch ${marker}` }, workspace);
  assert.equal(mode.code, 2, mode.log);
  assert.equal(mode.outputs['exit-code'], '2');
  const version = await runAction({ version: `0.1.0; touch ${marker}` }, workspace);
  assert.equal(version.code, 2, version.log);
  assert.match(version.log, /input version: expected an exact version/);
  const options = await runAction({ mode: 'check', paths: '--help' }, workspace);
  assert.equal(options.code, 2, options.log);
  assert.doesNotMatch(options.log, /Commands:/, 'a path is never read as an option');
  assert.ok(!existsSync(marker), 'an input was run as a command');
  assert.ok(!existsSync(join(REPO_ROOT, 'pwned')));
});

test('action: verify against a URL prefix and a release on an index, identical and not', async (t) => {
  const workspace = workspaceWithDist(t);
  const normalized = await runAction({}, workspace);
  assert.equal(normalized.code, 0, normalized.log);
  const published = new Map<string, Buffer>();
  for (const name of [SDIST, WHEEL]) {
    published.set(`/good/${name}`, readFileSync(join(workspace, 'dist', name)));
    published.set(`/raw/${name}`, readFileSync(join(RAW, name)));
  }
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    const release = /^\/pypi\/reprodemo\/([^/]+)\/json$/.exec(url);
    if (release) {
      const urls = [SDIST, WHEEL].map((filename) => ({
        filename,
        url: `/good/${filename}`,
        digests: { sha256: createHash('sha256').update(published.get(`/good/${filename}`)!).digest('hex') },
      }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ urls }));
      return;
    }
    const body = published.get(decodeURIComponent(url));
    if (body) response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const same = await runAction({ mode: 'verify', against: `${base}/good\n`, pypi: 'reprodemo==1.0.0', 'index-url': base }, workspace);
  assert.equal(same.code, 0, same.log);
  const r = report(same);
  assert.equal(r.command, 'verify');
  assert.deepEqual(r.results.map((c) => c.status), ['identical', 'identical', 'identical', 'identical']);
  assert.match(same.log, /identical {3}reprodemo-1\.0\.0\+setuptools\.tar\.gz vs http:/);
  assert.deepEqual(same.uploads, [], 'no page uploaded when verify passes');

  const differs = await runAction({ mode: 'verify', against: `${base}/good\n${base}/raw` }, workspace);
  assert.equal(differs.code, 1, differs.log);
  assert.deepEqual(report(differs).results.map((c) => c.status), ['identical', 'identical', 'differs', 'differs']);
  // The log explains the difference as verify does, member by member and field by field, and says
  // where the full report is.
  assert.match(differs.log, /differs {5}reprodemo-1\.0\.0\+setuptools\.tar\.gz vs http:\S+\n {12}same content; differs only in what reprodist normalizes/);
  assert.match(differs.log, /^ {12}tar mtime \[\d+\]: reprodemo-1\.0\.0/m);
  assert.match(differs.log, /^ {12}zip date\/time \[\d+\]: /m);
  assert.match(differs.log, /the full report \(diffs of text members too\): \S+report\.json; docs\/ci\.md shows how to upload it/);
  // The page of the result is written and uploaded under the default name.
  const page = readFileSync(differs.outputs.html!, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /<title>reprodist verify: differ<\/title>/);
  assert.deepEqual(differs.uploads, [{ name: 'reprodist-verify', path: differs.outputs.html, 'if-no-files-found': 'ignore' }]);
  const named = await runAction({ mode: 'verify', against: `${base}/raw`, 'html-artifact': 'verify-page' }, workspace);
  assert.deepEqual(named.uploads.map((u) => u.name), ['verify-page']);
  const none = await runAction({ mode: 'verify', against: `${base}/raw`, 'html-artifact': '' }, workspace);
  assert.equal(none.code, 1, none.log);
  assert.deepEqual([none.outputs.html, none.uploads], ['', []], 'no page asked for, none written or uploaded');

  const nothing = await runAction({ mode: 'verify' }, workspace);
  assert.equal(nothing.code, 2, nothing.log);
  assert.match(nothing.log, /nothing to verify against/);
});

test('action: a fresh checkout of the action installs and builds itself from its lockfile', async (t) => {
  // What `uses: <owner>/reprodist@<ref>` gets: the files git would hold, without node_modules or dist.
  const checkout = tmpDir(t);
  const files = runOk('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT }).split('\0').filter(Boolean);
  for (const file of files) {
    if (/^(test|fixtures|bench)\//.test(file) || !existsSync(join(REPO_ROOT, file))) continue;
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(checkout, file));
  }
  assert.ok(!existsSync(join(checkout, 'node_modules')) && !existsSync(join(checkout, 'dist')));
  const workspace = workspaceWithDist(t);
  const run = await runAction({ mode: 'check', paths: `dist/${WHEEL}` }, workspace, checkout);
  assert.equal(run.code, 1, run.log);
  assert.match(run.log, /npm ci in /);
  assert.ok(existsSync(join(checkout, 'dist', 'cli.js')));
  assert.ok(readdirSync(join(checkout, 'node_modules')).length > 0);
  // A second use in the same job does not install again.
  const again = await runAction({ mode: 'check', paths: `dist/${WHEEL}` }, workspace, checkout);
  assert.equal(again.code, 1, again.log);
  assert.doesNotMatch(again.log, /npm ci in /);
});
