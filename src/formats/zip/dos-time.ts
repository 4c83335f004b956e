import { checkUint, hex16 } from './records.js';
// ---------------------------------------------------------------------------------------------------
// MS-DOS date and time (APPNOTE 4.4.6): local time by convention; here always read as UTC.
//   time: bits 15-11 hour, 10-5 minute, 4-0 second / 2
//   date: bits 15-9 year - 1980, 8-5 month (1-12), 4-0 day (1-31)
// ---------------------------------------------------------------------------------------------------

/** 1980-01-01T00:00:00Z, the earliest MS-DOS date. */
export const DOS_EPOCH_MIN_SECONDS = Date.UTC(1980, 0, 1) / 1000;
/** 2107-12-31T23:59:59Z: the 7-bit year runs out after 1980 + 127. */
export const DOS_EPOCH_MAX_SECONDS = Date.UTC(2107, 11, 31, 23, 59, 59) / 1000;

/** MS-DOS date and time of a Unix time, in UTC, rounded down to an even second. */
export function toDosDateTime(unixSeconds: number): { dosDate: number; dosTime: number } {
  if (!Number.isFinite(unixSeconds)) throw new RangeError(`not a time: ${unixSeconds}`);
  const s = Math.floor(unixSeconds);
  if (s < DOS_EPOCH_MIN_SECONDS || s > DOS_EPOCH_MAX_SECONDS) {
    throw new RangeError(`${unixSeconds} (${new Date(s * 1000).toISOString()}) is outside the MS-DOS date range 1980-01-01 to 2107-12-31 (UTC)`);
  }
  const d = new Date(s * 1000);
  const dosDate = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  return { dosDate, dosTime };
}

/** Unix time (seconds, UTC) of an MS-DOS date and time. Throws a RangeError for impossible fields. */
export function fromDosDateTime(value: { dosDate: number; dosTime: number }): number {
  checkUint(value.dosDate, 0xffff, 'dosDate');
  checkUint(value.dosTime, 0xffff, 'dosTime');
  const year = 1980 + (value.dosDate >>> 9);
  const month = (value.dosDate >>> 5) & 0x0f;
  const day = value.dosDate & 0x1f;
  const hour = value.dosTime >>> 11;
  const minute = (value.dosTime >>> 5) & 0x3f;
  const second = (value.dosTime & 0x1f) * 2;
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(
      `invalid MS-DOS date/time ${hex16(value.dosDate)}/${hex16(value.dosTime)}: ${year}-${month}-${day} ${hour}:${minute}:${second}`,
    );
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}
