// The clone of a release's repository is held to rebuild's time limit: a remote that never answers
// stops it (this runs git, so it is not a unit test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cloneSource } from '../../src/verify/source-repo.js';
import { tmpDir } from '../helpers/tools.js';

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
