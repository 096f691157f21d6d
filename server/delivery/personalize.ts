import { escapeHtml } from '../public/page.js';

/** Compiled content a mailing sends; the placeholders below are substituted per recipient. */
export type MailContent = { subject: string; html: string; text: string };

export type Recipient = {
  firstName?: string | null;
  lastName?: string | null;
  organisation?: string | null;
  email: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
  browserUrl?: string | null;
};

export const PLACEHOLDERS = {
  FIRST_NAME: (r: Recipient) => r.firstName ?? '',
  LAST_NAME: (r: Recipient) => r.lastName ?? '',
  ORGANISATION: (r: Recipient) => r.organisation ?? '',
  EMAIL: (r: Recipient) => r.email,
  UNSUBSCRIBE_URL: (r: Recipient) => r.unsubscribeUrl,
  PREFERENCES_URL: (r: Recipient) => r.preferencesUrl,
  BROWSER_URL: (r: Recipient) => r.browserUrl ?? '',
} as const;
type PlaceholderName = keyof typeof PLACEHOLDERS;
/** `%%NAME%%`, or `%%NAME~<hex of the fallback>%%`: the fallback is used when the value is empty. */
type Placeholder = string;

const PATTERN = /%%(?:FIRST_NAME|LAST_NAME|ORGANISATION|EMAIL|UNSUBSCRIBE_URL|PREFERENCES_URL|BROWSER_URL)(?:~(?:[0-9a-f]{2})*)?%%/g;

/** The placeholder of a personal value with a fallback (hex keeps it intact through Markdown and MJML). */
export const placeholder = (name: PlaceholderName, fallback = '') =>
  fallback ? `%%${name}~${Buffer.from(fallback, 'utf8').toString('hex')}%%` : `%%${name}%%`;

const readers = new Map<Placeholder, (r: Recipient) => string>();
function readerOf(token: Placeholder): (r: Recipient) => string {
  let reader = readers.get(token);
  if (!reader) {
    const [name, hex] = token.slice(2, -2).split('~') as [PlaceholderName, string | undefined];
    const fallback = hex ? Buffer.from(hex, 'hex').toString('utf8') : '';
    const value = PLACEHOLDERS[name];
    reader = fallback ? (r) => value(r).trim() || fallback : value;
    readers.set(token, reader);
  }
  return reader;
}

/** Literal pieces alternating with placeholders: substitution is a join, no regex per recipient. */
export type Compiled = Array<string | Placeholder>;

function compile(template: string): Compiled {
  const parts: Compiled = [];
  let last = 0;
  for (const match of template.matchAll(PATTERN)) {
    parts.push(template.slice(last, match.index), match[0]);
    last = match.index! + match[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

/** The recipient's values of the placeholders of `parts`, in order; HTML-escaped when `escape`. */
export function placeholderValues(parts: Compiled, recipient: Recipient, escape: boolean): string[] {
  const values: string[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const value = readerOf(parts[i])(recipient);
    values.push(escape ? escapeHtml(value) : value);
  }
  return values;
}

function fill(parts: Compiled, recipient: Recipient, escape: boolean): string {
  const values = placeholderValues(parts, recipient, escape);
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) out += values[(i - 1) / 2] + parts[i + 1];
  return out;
}

const compiled = new WeakMap<MailContent, { subject: Compiled; html: Compiled; text: Compiled }>();

/** The content split at its placeholders, once per content object (cached). */
export function compiledContent(content: MailContent): { subject: Compiled; html: Compiled; text: Compiled } {
  let parts = compiled.get(content);
  if (!parts) {
    parts = { subject: compile(content.subject), html: compile(content.html), text: compile(content.text) };
    compiled.set(content, parts);
  }
  return parts;
}

/** Substitutes the placeholders for one recipient; values are HTML-escaped in html. */
export function personalize(content: MailContent, recipient: Recipient): MailContent {
  const parts = compiledContent(content);
  return {
    subject: personalSubject(parts.subject, recipient),
    html: fill(parts.html, recipient, true),
    text: fill(parts.text, recipient, false),
  };
}

/** The subject's filled-in text on one line. */
export const personalSubject = (parts: Compiled, recipient: Recipient) => oneLine(fill(parts, recipient, false));

const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');
