// tar archives: POSIX.1-1988 ustar headers with POSIX.1-2001 pax extended headers.
//   layout.ts  the header block's fields (offset, width, encoding), typeflags and magic: read and written alike
//   header.ts  one member's header block(s), field by field; padding and the end of the archive
//   block.ts   one header block read field by field, every byte interpreted or checked
//   read.ts    readTar: the strict reader, members in archive order (pax.ts records, source.ts exact reads)
//   write.ts   TarWriter: members, data and padding to a byte sink
export { PAX_HEADER_NAME, TAR_RECORD_SIZE, encodeTarHeaders, tarEnd, tarHeadersSize, tarPaddingLength } from './header.js';
export { TAR_BLOCK_SIZE } from './layout.js';
export type { TarHeaderFields, TarMemberType, TarWriteMember } from './header.js';
export { readTar } from './read.js';
export type { TarReadType } from './block.js';
export type { TarEntry, TarEntryHeader } from './read.js';
export { TarWriter } from './write.js';
