// MS-DOS dates and times (APPNOTE 4.4.6, read and written as UTC) and the attribute and host values of
// src/formats/zip/records.ts. test/cli/zip-oracles.test.ts checks the times against what Python writes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXTERNAL_ATTR_S_IFDIR, EXTERNAL_ATTR_S_IFLNK, EXTERNAL_ATTR_S_IFREG, HOST_MSDOS, HOST_UNIX, MSDOS_ATTR_DIRECTORY, S_IFREG,
  externalAttrToUnixMode, fromDosDateTime, hostOf, makeVersionMadeBy, toDosDateTime, unixModeToExternalAttr,
} from '../../src/formats/zip/index.js';

describe('MS-DOS date and time', () => {
  test('converts in UTC, rounding down to an even second, within 1980..2107', () => {
    assert.deepEqual(toDosDateTime(315532800), { dosDate: (1 << 5) | 1, dosTime: 0 }); // 1980-01-01T00:00:00Z
    assert.deepEqual(toDosDateTime(315532801.9), { dosDate: (1 << 5) | 1, dosTime: 0 });
    const t = Date.UTC(2024, 5, 30, 23, 59, 59) / 1000;
    assert.deepEqual(toDosDateTime(t), { dosDate: (44 << 9) | (6 << 5) | 30, dosTime: (23 << 11) | (59 << 5) | 29 });
    assert.equal(fromDosDateTime(toDosDateTime(t)), t - 1);
    const max = Date.UTC(2107, 11, 31, 23, 59, 59) / 1000;
    assert.equal(fromDosDateTime(toDosDateTime(max)), max - 1);
    assert.throws(() => toDosDateTime(315532799), RangeError);
    assert.throws(() => toDosDateTime(max + 1), RangeError);
    assert.throws(() => toDosDateTime(Number.NaN), RangeError);
    assert.throws(() => fromDosDateTime({ dosDate: 0, dosTime: 0 }), /invalid MS-DOS date/); // month 0
    assert.throws(() => fromDosDateTime({ dosDate: (1 << 5) | 1, dosTime: 24 << 11 }), RangeError);
    assert.throws(() => fromDosDateTime({ dosDate: (2 << 5) | 30, dosTime: 0 }), RangeError); // 30 February
  });
});

test('attribute and host constants', () => {
  assert.equal(EXTERNAL_ATTR_S_IFREG, 0x80000000);
  assert.equal(EXTERNAL_ATTR_S_IFDIR, 0x40000000);
  assert.equal(EXTERNAL_ATTR_S_IFLNK, 0xa0000000);
  assert.equal(unixModeToExternalAttr(S_IFREG | 0o644), 0x81a40000);
  assert.equal(externalAttrToUnixMode(0x81a40000 | MSDOS_ATTR_DIRECTORY), S_IFREG | 0o644);
  assert.equal(HOST_UNIX, 3);
  assert.equal(HOST_MSDOS, 0);
  assert.equal(makeVersionMadeBy(HOST_UNIX, 20), 0x0314);
  assert.equal(hostOf(0x0314), HOST_UNIX);
});
