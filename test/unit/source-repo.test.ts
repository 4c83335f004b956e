// The repository rebuild infers from a release's core metadata when no --source is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repositoryOf } from '../../src/verify/source-repo.js';

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
