// What an sdist's hard link must be, as installers read one: another name for an earlier regular
// file, with that file's x bit. Checked as the member is read when its file is in the same member
// table (./read.ts), and once the runs are merged otherwise (./run-index.ts).
import { quotedName, shownName } from '../../formats/errors.js';
import { RefusedInput } from '../failure.js';

/** The refusal of a hard link whose target (`linkname`, as shown) is missing, later, or not a file. */
export function notAnEarlierFile(path: string, linkname: string): RefusedInput {
  return new RefusedInput(`${shownName(path)}: hard link to ${quotedName(linkname)}, which is not an earlier regular file`);
}

/** Refuses a hard link whose header's x bit is not its target's. */
export function checkLinkXBit(path: string, mode: number, target: string, targetMode: number): void {
  // pip gives the link its own header's x bit; tarfile sets the shared inode's mode from the link.
  if (((mode & 0o111) !== 0) !== ((targetMode & 0o111) !== 0)) {
    throw new RefusedInput(`${shownName(path)}: hard link whose x bit (mode 0${(mode & 0o7777).toString(8)}) differs from its target ${shownName(target)}'s (installers disagree on both files)`);
  }
}
