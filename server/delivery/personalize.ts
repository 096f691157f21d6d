import { escapeHtml } from '../public/page.js';

/** Compiled content a mailing sends; the placeholders below are substituted per recipient. */
export type MailContent = { subject: string; html: string; text: string };

export type Recipient = {
  firstName?: string | null;
  lastName?: string | null;
  email: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
  browserUrl?: string | null;
};

export const PLACEHOLDERS = {
  '%%FIRST_NAME%%': (r: Recipient) => r.firstName ?? '',
  '%%LAST_NAME%%': (r: Recipient) => r.lastName ?? '',
  '%%EMAIL%%': (r: Recipient) => r.email,
  '%%UNSUBSCRIBE_URL%%': (r: Recipient) => r.unsubscribeUrl,
  '%%PREFERENCES_URL%%': (r: Recipient) => r.preferencesUrl,
  '%%BROWSER_URL%%': (r: Recipient) => r.browserUrl ?? '',
} as const;
type Placeholder = keyof typeof PLACEHOLDERS;

const PATTERN = /%%(?:FIRST_NAME|LAST_NAME|EMAIL|UNSUBSCRIBE_URL|PREFERENCES_URL|BROWSER_URL)%%/g;

/** Literal pieces alternating with placeholders: substitution is a join, no regex per recipient. */
type Compiled = Array<string | Placeholder>;

function compile(template: string): Compiled {
  const parts: Compiled = [];
  let last = 0;
  for (const match of template.matchAll(PATTERN)) {
    parts.push(template.slice(last, match.index), match[0] as Placeholder);
    last = match.index! + match[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

function fill(parts: Compiled, recipient: Recipient, escape: boolean): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i % 2 === 0) out += part;
    else {
      const value = PLACEHOLDERS[part as Placeholder](recipient);
      out += escape ? escapeHtml(value) : value;
    }
  }
  return out;
}

const compiled = new WeakMap<MailContent, { subject: Compiled; html: Compiled; text: Compiled }>();

/** Compiles once per content object (cached), then substitutes per recipient; values are HTML-escaped in html. */
export function personalize(content: MailContent, recipient: Recipient): MailContent {
  let parts = compiled.get(content);
  if (!parts) {
    parts = { subject: compile(content.subject), html: compile(content.html), text: compile(content.text) };
    compiled.set(content, parts);
  }
  return {
    subject: fill(parts.subject, recipient, false).replace(/[\r\n]+/g, ' '),
    html: fill(parts.html, recipient, true),
    text: fill(parts.text, recipient, false),
  };
}
