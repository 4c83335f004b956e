// Output bounded by input (docs/limits.md): the normal form adds a directory entry for every parent
// directory of every member, so deep names could ask for far more output than the input holds. This
// counts the members and bytes of the tar the normal form would write, adding the parent directories
// one at a time, and refuses as soon as either passes its bound: the work done is at most the bound,
// whatever the input asks for, and the content view and the plan that follow are bounded by it too.
import { TAR_BLOCK_SIZE, tarHeadersSize, tarPadding } from '../../formats/tar/index.js';
import type { TarMemberType } from '../../formats/tar/index.js';
import { RefusedInput } from '../failure.js';
import { MAX_NAME_DEPTH, MAX_OUTPUT_BYTES_FACTOR, MAX_OUTPUT_MEMBERS_FACTOR, OUTPUT_BYTES_ALLOWANCE, sizeText } from '../limits.js';

/** What the bound needs of an indexed member (./read.ts). */
interface BoundedMember {
  path: string;
  type: TarMemberType;
  linkname: string;
  size: number;
}

/** Refuses an input whose normal form would hold more members or bytes than its bounds; hard links are counted with their target as read. */
export function checkOutputBounds(members: readonly BoundedMember[], inputTarSize: number): void {
  const maxMembers = MAX_OUTPUT_MEMBERS_FACTOR * members.length + MAX_NAME_DEPTH;
  const maxBytes = MAX_OUTPUT_BYTES_FACTOR * inputTarSize + OUTPUT_BYTES_ALLOWANCE;
  let count = members.length;
  let bytes = 2 * TAR_BLOCK_SIZE; // the end-of-archive blocks
  const over = () => {
    if (count > maxMembers) {
      return `the normal form would hold more than ${maxMembers} members (${MAX_OUTPUT_MEMBERS_FACTOR} × the input's ${members.length} + ${MAX_NAME_DEPTH}) once every parent directory has its entry, over the limit for an sdist's output (docs/limits.md)`;
    }
    if (bytes > maxBytes) {
      return `the normal form's tar would be more than ${sizeText(maxBytes)} (${MAX_OUTPUT_BYTES_FACTOR} × the input's ${inputTarSize} bytes + ${sizeText(OUTPUT_BYTES_ALLOWANCE)}) once every parent directory has its entry, over the limit for an sdist's output (docs/limits.md)`;
    }
    return undefined;
  };
  for (const member of members) {
    bytes += tarHeadersSize({ name: member.path, type: member.type, linkname: member.linkname, size: member.size });
    bytes += member.size + tarPadding(member.size).length;
  }
  const known = new Set(members.map((member) => member.path));
  for (const member of members) {
    for (let dir = parentOf(member.path); dir !== '' && !known.has(dir); dir = parentOf(dir)) {
      known.add(dir);
      count += 1;
      bytes += tarHeadersSize({ name: dir, type: 'directory', size: 0 });
      const message = over();
      if (message) throw new RefusedInput(message);
    }
  }
  const message = over();
  if (message) throw new RefusedInput(message);
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
