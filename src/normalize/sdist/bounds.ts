// Output bounded by input (docs/limits.md): the normal form adds a directory entry for every parent
// directory of every member, so deep names could ask for far more output than the input holds. This
// counts the members and bytes of the tar the normal form would write, adding the parent directories
// to the member table one at a time, and refuses as soon as either passes its bound: the work done
// is at most the bound, whatever the input asks for, and the content view and the plan that follow
// are bounded by it too.
import { TAR_BLOCK_SIZE, tarHeadersSize, tarPaddingLength } from '../../formats/tar/index.js';
import { RefusedInput } from '../failure.js';
import type { MemberTable } from '../member-table.js';
import { MAX_NAME_DEPTH, MAX_OUTPUT_BYTES_FACTOR, MAX_OUTPUT_MEMBERS_FACTOR, OUTPUT_BYTES_ALLOWANCE, sizeText } from '../limits.js';

/**
 * Adds a row for every parent directory that has none (marked implied), and refuses an input whose
 * normal form would then hold more members or bytes than its bounds; hard links are counted with
 * their target as read.
 */
export function addParentDirectories(table: MemberTable, inputTarSize: number): void {
  const inputMembers = table.count;
  const maxMembers = MAX_OUTPUT_MEMBERS_FACTOR * inputMembers + MAX_NAME_DEPTH;
  const maxBytes = MAX_OUTPUT_BYTES_FACTOR * inputTarSize + OUTPUT_BYTES_ALLOWANCE;
  let bytes = 2 * TAR_BLOCK_SIZE; // the end-of-archive blocks
  const over = () => {
    if (table.count > maxMembers) {
      return `the normal form would hold more than ${maxMembers} members (${MAX_OUTPUT_MEMBERS_FACTOR} × the input's ${inputMembers} + ${MAX_NAME_DEPTH}) once every parent directory has its entry, over the limit for an sdist's output (docs/limits.md)`;
    }
    if (bytes > maxBytes) {
      return `the normal form's tar would be more than ${sizeText(maxBytes)} (${MAX_OUTPUT_BYTES_FACTOR} × the input's ${inputTarSize} bytes + ${sizeText(OUTPUT_BYTES_ALLOWANCE)}) once every parent directory has its entry, over the limit for an sdist's output (docs/limits.md)`;
    }
    return undefined;
  };
  for (let row = 0; row < inputMembers; row++) {
    const size = table.size(row);
    const kind = table.kind(row);
    const linkname = kind === 'symlink' ? table.linkTarget(row) : kind === 'link' ? table.name(table.linkRow(row)) : '';
    bytes += tarHeadersSize({ name: table.name(row), type: kind, linkname, size }) + size + tarPaddingLength(size);
  }
  table.addParentDirectories((dir) => {
    bytes += tarHeadersSize({ name: dir, type: 'directory', size: 0 });
    const message = over();
    if (message) throw new RefusedInput(message);
  });
  const message = over();
  if (message) throw new RefusedInput(message);
}
