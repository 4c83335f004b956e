// One attempt of a recipe: a fresh venv, the build requirements installed under the attempt's pins
// from the timewarp index, and the PEP 517 hooks called. From an sdist it builds the wheel in the
// unpacked sdist, as pip does; from a source checkout it builds the sdist, then the wheel from that
// sdist, as `python -m build` does.
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuildFailure, BuildLog, buildEnvironment, callHook, createVenv, installedDistributions, pipInstall } from './python-env.js';
import type { PythonInterpreter, StepContext } from './python-env.js';
import { constraintsText } from './recipe.js';
import type { Recipe } from './recipe.js';

const run = promisify(execFile);

export interface AttemptInput {
  recipe: Recipe;
  pins: Record<string, string>;
  interpreter: PythonInterpreter;
  /** The published sdist (route sdist), or a checkout of the source (route source). */
  sdist?: string;
  checkout?: (dir: string) => Promise<void>;
  /** An empty directory of this attempt. */
  dir: string;
  indexUrl: string;
  timeoutMs: number;
  onStep?: (message: string) => void;
}

export interface AttemptBuild {
  /** The files built, in `dir/out`. */
  files: string[];
  /** What the venv held: project to version. */
  installed: Record<string, string>;
  log: BuildLog;
  /** Set when the build failed: one line. */
  failure?: string;
}

export async function runAttempt(input: AttemptInput): Promise<AttemptBuild> {
  const { dir, recipe } = input;
  const log = new BuildLog();
  const out = join(dir, 'out');
  const result: AttemptBuild = { files: [], installed: {}, log };
  for (const sub of ['home', 'tmp', 'out', 'work']) await mkdir(join(dir, sub), { recursive: true });
  const context: StepContext = { env: buildEnvironment(dir, input.indexUrl, recipe.env), log, deadline: Date.now() + input.timeoutMs };
  const constraints = join(dir, 'constraints.txt');
  await writeFile(constraints, constraintsText(input.pins));
  const venv = await createVenvOrFail(input, join(dir, 'venv'), context, result);
  if (!venv) return result;
  try {
    const built = async (tree: string, kind: 'sdist' | 'wheel', into: string): Promise<string> => {
      input.onStep?.(`building the ${kind}`);
      const requires = await callHook(venv, recipe.backend, recipe.backendPath, `get_requires_for_build_${kind}`, into, tree, context);
      if (Array.isArray(requires)) await pipInstall(venv, requires.map(String), constraints, tree, context);
      const name = await callHook(venv, recipe.backend, recipe.backendPath, `build_${kind}`, into, tree, context);
      if (typeof name !== 'string' || name.includes('/')) throw new BuildFailure(`build_${kind} returned ${JSON.stringify(name)}, not a file name`);
      return join(into, name);
    };
    const install = async (tree: string) => {
      input.onStep?.(`installing ${Object.entries(input.pins).map(([p, v]) => `${p} ${v}`).join(', ') || recipe.requires.join(', ')}`);
      await pipInstall(venv, recipe.requires, constraints, tree, context);
    };
    let sdist = input.sdist;
    if (input.checkout) {
      const tree = join(dir, 'work', 'source');
      await input.checkout(tree);
      await install(tree);
      sdist = await built(tree, 'sdist', out);
      result.files.push(sdist);
    } else {
      await install(join(dir, 'work'));
    }
    const tree = await unpackSdist(sdist!, join(dir, 'work', 'unpacked'), context);
    result.files.push(await built(tree, 'wheel', out));
  } catch (error) {
    result.failure = error instanceof BuildFailure ? error.message : String((error as Error).message ?? error).split('\n')[0];
  }
  result.installed = await installedDistributions(venv);
  result.files = (await readdir(out)).map((name) => join(out, name)).filter((path) => result.files.includes(path));
  return result;
}

async function createVenvOrFail(input: AttemptInput, dir: string, context: StepContext, result: AttemptBuild) {
  input.onStep?.(`making a venv with Python ${input.interpreter.version}`);
  try {
    return await createVenv(input.interpreter, dir, context);
  } catch (error) {
    result.failure = (error as Error).message;
    return undefined;
  }
}

/**
 * The sdist unpacked with tar (it was read through the strict reader before: no member escapes, no
 * link points out), its one top directory returned: where pip builds the wheel.
 */
async function unpackSdist(sdist: string, into: string, context: StepContext): Promise<string> {
  await mkdir(into, { recursive: true });
  context.log.add(`$ tar -xzf ${sdist}\n`);
  try {
    await run('tar', ['-xzf', sdist, '-C', into, '--no-same-owner', '--no-same-permissions'], { env: context.env });
  } catch (error) {
    throw new BuildFailure(`unpacking ${sdist}: ${String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim().split('\n')[0]}`);
  }
  const top = await readdir(into);
  if (top.length !== 1) throw new BuildFailure(`the sdist has ${top.length} top-level entries, not one directory`);
  return join(into, top[0]!);
}
