// rebuild's verdict on a published wheel against its rebuild, on wheels written by Python's zipfile
// (an independent writer): a py.typed marker that only one build added is the tool's doing
// (tool-metadata), a module that only one side has is the project's (differs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { judge } from '../../src/verify/verdict.js';
import { python, tmpDir } from '../helpers/tools.js';

/** A wheel of `files` (name to text) with its RECORD, as a build backend writes one. */
const WHEEL = `
import base64, hashlib, json, sys, zipfile
path, files = sys.argv[1], json.loads(sys.argv[2])
files["demo-1.0.dist-info/METADATA"] = "Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n"
files["demo-1.0.dist-info/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: bdist_wheel (0.40.0)\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
def row(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))
record = "".join(row(n, d.encode()) + "\\n" for n, d in sorted(files.items())) + "demo-1.0.dist-info/RECORD,,\\n"
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in sorted(files.items()):
        z.writestr(name, data)
    z.writestr("demo-1.0.dist-info/RECORD", record)
`;

function wheel(dir: string, side: string, files: Record<string, string>): string {
  const path = join(dir, side, 'demo-1.0-py3-none-any.whl');
  python(`import os, sys; os.makedirs(os.path.dirname(sys.argv[1]))\n${WHEEL}`, path, JSON.stringify(files));
  return path;
}

const PROJECT = { 'demo/__init__.py': 'VERSION = "1.0"\n', 'demo/core.py': 'def run():\n    return 1\n' };

test('a py.typed that only the rebuild has: tool-metadata, RECORD explained by it', async (t) => {
  const dir = tmpDir(t);
  const published = wheel(dir, 'published', PROJECT);
  const rebuilt = wheel(dir, 'rebuilt', { ...PROJECT, 'demo/py.typed': '' });
  const judgement = await judge(published, rebuilt, join(dir, 'scratch'));
  assert.equal(judgement.verdict, 'tool-metadata');
  assert.deepEqual(judgement.projectFiles, []);
  assert.deepEqual(judgement.toolFiles.sort(), ['demo-1.0.dist-info/RECORD', 'demo/py.typed']);
  assert.ok(judgement.notes.includes('demo-1.0.dist-info/RECORD: changed only because the members it hashes did'), judgement.notes.join('\n'));
  assert.ok(judgement.notes.some((note) => note.startsWith('demo/py.typed: a typing marker on one side only')), judgement.notes.join('\n'));
});

test('a module that only the published wheel has: differs, named', async (t) => {
  const dir = tmpDir(t);
  const published = wheel(dir, 'published', { ...PROJECT, 'demo/extra.py': 'import os\n' });
  const rebuilt = wheel(dir, 'rebuilt', PROJECT);
  const judgement = await judge(published, rebuilt, join(dir, 'scratch'));
  assert.equal(judgement.verdict, 'differs');
  assert.deepEqual(judgement.projectFiles, ['demo/extra.py']);
});

test('a py.typed on both sides with other content is the project\'s: differs', async (t) => {
  const dir = tmpDir(t);
  const published = wheel(dir, 'published', { ...PROJECT, 'demo/py.typed': 'partial\n' });
  const rebuilt = wheel(dir, 'rebuilt', { ...PROJECT, 'demo/py.typed': '' });
  const judgement = await judge(published, rebuilt, join(dir, 'scratch'));
  assert.equal(judgement.verdict, 'differs');
  assert.deepEqual(judgement.projectFiles, ['demo/py.typed']);
});
