// Every wheel field that check reports as changed and compare as different, named once for both.
export const WHEEL_FIELDS = {
  archiveComment: 'zip archive comment',
  zip64: 'zip zip64 end records',
  directories: 'zip directory entries',
  order: 'zip member order',
  time: 'zip date/time',
  externalAttr: 'zip external attributes',
  extraFields: 'zip extra fields',
  flags: 'zip flags',
  versionMadeBy: 'zip version made by',
  versionNeeded: 'zip version needed',
  compressedData: 'zip compressed data',
  internalAttr: 'zip internal attributes',
  comments: 'zip member comments',
  /** Same headers in the same order: what is left is where things sit. */
  layout: 'zip layout (offsets, gaps, data descriptors)',
} as const;
