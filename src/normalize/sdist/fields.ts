// Every sdist field that check reports as changed and compare as different, named once for both.
export const SDIST_FIELDS = {
  gzipFlags: 'gzip flags',
  gzipName: 'gzip FNAME',
  gzipMtime: 'gzip MTIME',
  gzipOs: 'gzip OS',
  gzipXfl: 'gzip XFL',
  gzipComment: 'gzip FCOMMENT',
  gzipExtra: 'gzip FEXTRA',
  /** The same tar, deflated differently. */
  gzipData: 'gzip compressed data',
  tarOwner: 'tar owner',
  tarMode: 'tar mode',
  tarSpecialBits: 'tar setuid/setgid/sticky bits',
  tarMtime: 'tar mtime',
  tarPax: 'tar pax records',
  tarType: 'tar member type',
  tarHardLinks: 'tar hard links',
  tarDirectories: 'tar directory entries',
  tarOrder: 'tar member order',
  /** The same members and fields, encoded differently. */
  tarEncoding: 'tar header encoding (format, numeric fields, padding)',
} as const;
