// Names and comments (APPNOTE 4.4.17, Appendix D): UTF-8 when flag bit 11 says so, else CP437.
import { isAscii } from 'node:buffer';
import { ZipFormatError } from './records.js';
export const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Code page 437 for bytes 0x80..0xFF (the IBM PC character set that APPNOTE Appendix D names as the
 * default encoding); bytes below 0x80 are ASCII, as in Python's cp437 codec.
 */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decodes a name or comment as Python's zipfile (and so pip and installer) does: UTF-8 if flag bit 11 says so (it must then be valid), else CP437. */
export function decodeZipText(bytes: Uint8Array, utf8Flag: boolean): string {
  return decodeText(bytes, utf8Flag, () => 'text', 0);
}

/** `what` names the bytes in an error; it is called only then. */
export function decodeText(bytes: Uint8Array, utf8Flag: boolean, what: () => string, offset: number): string {
  // ASCII reads the same in both encodings (most names are ASCII, written without the flag).
  if (utf8Flag || isAscii(bytes)) {
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw new ZipFormatError(`${what()} at offset ${offset} is not valid UTF-8, although flag bit 11 (UTF-8) is set`, offset);
    }
  }
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return out;
}
