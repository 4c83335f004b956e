// The repository rebuild infers from a release's core metadata when no --source is given, and its
// clone's time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cloneSource, repositoryOf } from '../../src/verify/source-repo.js';
import { tmpDir } from '../helpers/tools.js';

const metadata = (...headers: string[]) => ['Metadata-Version: 2.1', 'Name: demo', 'Version: 1.0', ...headers, '', 'A description. Project-URL: Source, https://github.com/not/this'].join('\n');

test('a Project-URL labelled as the source wins over the home page, whatever its spelling', () => {
  assert.deepEqual(repositoryOf(metadata('Home-page: https://github.com/home/page', 'Project-URL: Documentation, https://demo.readthedocs.io', 'Project-URL: Source Code, https://git.example.org/demo.git')), { url: 'https://git.example.org/demo.git', why: 'Project-URL Source Code' });
  assert.deepEqual(repositoryOf(metadata('Project-URL: homepage, https://demo.example.org', 'Project-URL: REPOSITORY, file:///srv/git/demo')), { url: 'file:///srv/git/demo', why: 'Project-URL REPOSITORY' });
});

test('a home page names the repository only on a forge, cut to its owner and name', () => {
  assert.deepEqual(repositoryOf(metadata('Home-page: https://www.github.com/pypa/pip/tree/main/src')), { url: 'https://github.com/pypa/pip', why: 'Home-page' });
  assert.deepEqual(repositoryOf(metadata('Project-URL: Homepage, https://gitlab.com/group/demo.git')), { url: 'https://gitlab.com/group/demo', why: 'Project-URL Homepage' });
  assert.equal(repositoryOf(metadata('Home-page: https://demo.example.org', 'Project-URL: Homepage, https://github.com/onlyowner')), undefined);
});

test('only URLs git may clone from a published file are taken, and only from the headers', () => {
  assert.equal(repositoryOf(metadata('Project-URL: Source, ext::sh', 'Project-URL: Repository, ssh://git@example.org/demo', 'Project-URL: Code, not a url')), undefined);
  assert.equal(repositoryOf(metadata()), undefined);
});

test('a remote that accepts the connection and never answers: the clone stops at its time limit', async (t) => {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/demo.git`;
  await assert.rejects(cloneSource(url, join(tmpDir(t), 'clone'), 1000, 'demo', '1.0'), { name: 'SourceError', message: 'git clone: stopped after 1 s' });
});
