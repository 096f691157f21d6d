import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWord, encodeWords, foldLines, isPlainText, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/**
 * Composing the MIME text of bulk mail, with Nodemailer's own encoders. A mailing sends the
 * same content to thousands of people with a few values changed, so its bodies are encoded
 * once, as quoted-printable pieces, and each message only encodes the values and joins: a
 * soft line break (`=` CRLF, removed by the reader) ends every piece, so no line grows past
 * 76 characters whatever the values. Nodemailer's composer, per message, cost more CPU than
 * the rest of the sending together (streams, header normalisation, encoding the whole body).
 */

/** Literal text alternating with what is filled in per message (even indexes are literal). */
export type Pieces = string[];

const CRLF = '\r\n';
const SOFT_BREAK = `=${CRLF}`;
const crlf = (text: string) => text.replace(/\r?\n/g, CRLF);
/**
 * A dot starting a line is written `=2E`, so no line of a message starts with a dot and SMTP
 * DATA needs no dot-stuffing (smtp-lanes.ts): done here, once per mailing for the shared text.
 * 73: room for that escape and for the soft break's `=` ending the piece (76 at most).
 */
const qp = (text: string) => qpWrap(qpEncode(crlf(text)), 73).replace(/^\./gm, '=2E');

/**
 * A quoted-printable body whose odd pieces are filled per message, as Buffers: the literal
 * pieces are encoded once and are the same Buffers in every message, so a message of 200 KB
 * costs only its few values, not a copy and a UTF-8 encoding of the whole text.
 */
export function qpBody(pieces: Pieces): (values: string[]) => Buffer[] {
  const literals = pieces.map((piece, i) => Buffer.from(i % 2 === 0 ? qp(piece) : ''));
  return (values) => {
    const out: Buffer[] = [];
    for (let i = 0; i < literals.length; i++) {
      const encoded = i % 2 === 0 ? literals[i] : Buffer.from(qp(values[(i - 1) / 2]));
      if (!encoded.length) continue;
      if (out.length) out.push(SOFT_BREAK_BYTES);
      out.push(encoded);
    }
    return out;
  };
}
const SOFT_BREAK_BYTES = Buffer.from(SOFT_BREAK);

/** `Name <address>`, the name quoted or RFC 2047-encoded as needed; `name` replaces the value's own. */
export function formatAddress(value: string, name?: string | null): string {
  const [parsed] = addressparser(value) as Array<{ name: string; address: string }>;
  const address = asciiAddress(parsed?.address ?? value);
  const shown = name?.replace(/[\r\n]+/g, ' ').trim() || parsed?.name;
  if (!shown) return address;
  return `${isPlainText(shown) ? quoteString(shown) : encodeWord(shown, 'Q', 52)} <${address}>`;
}

/** An address with its domain in ASCII (IDN), as SMTP servers expect it. */
export function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || /^[\x20-\x7e]*$/.test(address)) return address;
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

/** A list name as the comment of List-Id. */
export const listIdName = (name: string) => (isPlainText(name) ? quoteString(name) : encodeWord(name, 'Q', 52));

/** One header field, its value RFC 2047-encoded when `text` (Subject), folded at 76. */
export function header(name: string, value: string, text = false): string {
  return foldLines(`${name}: ${text ? encodeWords(value.replace(/[\r\n]+/g, ' '), 'Q', 52) : value}`, 76);
}

/** `Date:` as Nodemailer writes it. */
export const mimeDate = (at = new Date()) => at.toUTCString().replace(/GMT/, '+0000');

/** A boundary that quoted-printable text cannot contain (it always writes `=` as `=3D`). */
export const newBoundary = () => `=_maillage_${randomBytes(12).toString('hex')}`;

/**
 * The whole message, in the chunks it is written in: header fields, then a text and an HTML
 * alternative in quoted-printable (their chunks from `qpBody`). Ends with CRLF.
 */
export function alternativeMessage(headers: string[], boundary: string, text: Buffer[], html: Buffer[]): Buffer[] {
  const partHead = (type: string) => `--${boundary}${CRLF}Content-Type: ${type}; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`;
  const head = [...headers, 'MIME-Version: 1.0', header('Content-Type', `multipart/alternative; boundary="${boundary}"`), '', partHead('text/plain')].join(CRLF);
  return [Buffer.from(head), ...text, Buffer.from(`${CRLF}${partHead('text/html')}`), ...html, Buffer.from(`${CRLF}--${boundary}--${CRLF}`)];
}
