// Output bounded by input (docs/limits.md): the normal form adds a directory entry for every parent
// directory of every member, so deep names could ask for far more output than the input holds. This
// counts the members and bytes of the tar the normal form would write, the input's members as they
// are indexed and the parent directories as they are added, and refuses as soon as either passes its
// bound: the work done is at most the bound, whatever the input asks for, and the content view and
// the plan that follow are bounded by it too.
import { TAR_BLOCK_SIZE, tarHeadersSize, tarPaddingLength } from '../../formats/tar/index.js';
import type { TarWriteMember } from '../../formats/tar/index.js';
import { RefusedInput } from '../failure.js';
import type { MemberTable } from '../member-table.js';
import { MAX_NAME_DEPTH, MAX_OUTPUT_BYTES_FACTOR, MAX_OUTPUT_MEMBERS_FACTOR, OUTPUT_BYTES_ALLOWANCE, sizeText } from '../limits.js';

/** The members and bytes of the normal form's tar, counted as they are known. */
export class OutputSize {
  members = 0;
  /** The end-of-archive blocks to begin with. */
  bytes = 2 * TAR_BLOCK_SIZE;

  /** An input member (a hard link counted with the name of the file it shares data with). */
  addMember(member: Pick<TarWriteMember, 'name' | 'type' | 'linkname' | 'size'>): void {
    this.members += 1;
    this.bytes += tarHeadersSize(member) + member.size + tarPaddingLength(member.size);
  }
}

/** The bounds of an input's normal form, given the input's members (counted) and its tar's size. */
export class OutputBounds {
  private readonly inputMembers: number;
  private readonly maxMembers: number;
  private readonly maxBytes: number;
  private members: number;
  private bytes: number;

  constructor(input: OutputSize, private readonly inputTarSize: number) {
    this.inputMembers = input.members;
    this.members = input.members;
    this.bytes = input.bytes;
    this.maxMembers = MAX_OUTPUT_MEMBERS_FACTOR * input.members + MAX_NAME_DEPTH;
    this.maxBytes = MAX_OUTPUT_BYTES_FACTOR * inputTarSize + OUTPUT_BYTES_ALLOWANCE;
  }

  /** Counts a parent directory the normal form adds, and refuses the input once a bound is passed. */
  addDirectory(name: string): void {
    this.members += 1;
    this.bytes += tarHeadersSize({ name, type: 'directory', size: 0 });
    this.check();
  }

  /** Refuses the input when a bound is passed already. */
  check(): void {
    if (this.members > this.maxMembers) {
      throw new RefusedInput(`the normal form would hold more than ${this.maxMembers} members (${MAX_OUTPUT_MEMBERS_FACTOR} × the input's ${this.inputMembers} + ${MAX_NAME_DEPTH}) once every parent directory has its entry, over the limit for an sdist's output (docs/limits.md)`);
    }
    if (this.bytes > this.maxBytes) {
      throw new RefusedInput(`the normal form's tar would be more than ${sizeText(this.maxBytes)} (${MAX_OUTPUT_BYTES_FACTOR} × the input's ${this.inputTarSize} bytes + ${sizeText(OUTPUT_BYTES_ALLOWANCE)}) once every parent directory has its entry, over the limit for an sdist's output (docs/limits.md)`);
    }
  }
}

/** Adds a row for every parent directory that has none (marked implied), within the bounds. */
export function addParentDirectories(table: MemberTable, bounds: OutputBounds): void {
  table.addParentDirectories((dir) => bounds.addDirectory(dir));
  bounds.check();
}
