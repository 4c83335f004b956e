// The sdist handler (docs/normal-form.md, "sdist"): `.tar.gz` files. Normalizing is two passes, none
// holding member data in memory: index (inflate, validate, hash the file and every member, and spool
// file data beside the output, since sorting needs random access), and write (planned order, from
// the spool), which verifies what it writes as it goes (./write.ts). With a deflate pool, an input
// already in normal order is written while it is indexed (./early.ts).
import { open, stat } from 'node:fs/promises';
import type { ArtefactHandler } from '../handler.js';
import { DEFAULT_LEVEL } from '../options.js';
import { parseNameVersion } from '../project-name.js';
import { removeScratch, scratchPath } from '../scratch.js';
import { compareSdistMetadata } from './metadata.js';
import { planSdist } from './plan.js';
import { SDIST_FIELDS } from './fields.js';
import { SDIST_ROOTS, sdistMemberRoles } from './roles.js';
import { readSdistContent, readSdistMemberHeads, startIndexSdist } from './read.js';
import type { SdistIndex } from './read.js';
import { EarlyWrite } from './early.js';
import { RUN_ROWS } from './runs.js';
import { noteGzipChanges, writeSdist } from './write.js';

export const sdistHandler: ArtefactHandler = {
  kind: 'sdist',
  suffix: '.tar.gz',
  described: 'an sdist (.tar.gz)',
  pairedAs: 'sdist',
  // `{name}-{version}.tar.gz` (PEP 625; legacy names may hold `-`, so the version is after the last).
  parseName: (fileName) => (fileName.endsWith('.tar.gz') ? parseNameVersion('sdist', fileName.slice(0, -'.tar.gz'.length)) : undefined),
  roots: SDIST_ROOTS,
  // A hard link stays a link and a copy a file (normal-form.md, "hard links").
  preservedFields: [SDIST_FIELDS.tarType],
  memberRoles: sdistMemberRoles,
  async normalize(inputPath, sink, options, workDir, verify = false) {
    const level = options.level ?? DEFAULT_LEVEL;
    // The tar is at least as long as its gzip: a lower bound of what the write pass compresses.
    if (options.expectCompression) options.expectCompression((await stat(inputPath)).size);
    const spoolPath = scratchPath(workDir, 'spool');
    const spool = await open(spoolPath, 'wx+', 0o600);
    try {
      const indexing = startIndexSdist(inputPath, spool, { workDir, rowsPerRun: options.membersPerRun ?? RUN_ROWS });
      // With a pool, the normal form is written while the index pass runs, in case the input is in normal order already (./early.ts).
      const early = options.compressor ? new EarlyWrite(indexing.feed, spool, workDir, level, options, verify) : undefined;
      let index: SdistIndex;
      try {
        index = await indexing.index;
      } catch (error) {
        await early?.discard();
        throw error;
      }
      if (index.runs) {
        // Past one table's members, the plan makes the content view's runs as it goes (./run-index.ts);
        // the early writing stopped at the first run.
        await early?.discard();
        const plan = index.runs.plan(index.changes, options, verify);
        try {
          const written = await writeSdist(plan, spool, sink, level, options, verify ? plan.written : undefined);
          noteGzipChanges(index, written, level);
        } catch (error) {
          await plan.content.dispose();
          throw error;
        } finally {
          await index.runs.dispose();
        }
        return { changes: index.changes.list(), content: plan.content.view(), verified: verify };
      }
      const content = index.table.contentView();
      // Planned only when the early writing did not deliver: planning notes the header changes.
      const writePlanned = () => {
        const plan = planSdist(index.table, index.changes, options);
        return writeSdist(plan, spool, sink, level, options, verify ? plan.written : undefined);
      };
      const written = (await early?.deliver(index, sink)) ?? (await writePlanned());
      noteGzipChanges(index, written, level);
      return { changes: index.changes.list(), content, verified: verify };
    } finally {
      await spool.close();
      await removeScratch(spoolPath);
    }
  },
  readContent: readSdistContent,
  compareMetadata: compareSdistMetadata,
  readMemberHeads: readSdistMemberHeads,
};
