import type { Config } from '../lib/config.js';
import { preferencesUrl, unsubscribeToken, unsubscribeUrl } from '../subscriptions/subscription.links.js';
import type { ComposedMessage } from './mailer.js';
import { alternativeMessage, asciiAddress, formatAddress, header, listIdName, mimeDate, newBoundary, qpBody } from './mime.js';
import { compiledContent, personalSubject, placeholderValues, type MailContent, type Recipient } from './personalize.js';

/** Where bulk mail comes from: the domain of the bounce address, and its local part for VERP. */
export function senderDomain(config: Config): { local: string; domain: string } {
  const [local, domain] = config.bounces.address.split('@');
  return { local, domain };
}

/** `bounces+<delivery id>@domain`: a bounce sent to it names the mailing and the recipient. */
export function verpAddress(config: Config, deliveryId: string): string {
  const { local, domain } = senderDomain(config);
  return `${local}+${deliveryId}@${domain}`;
}

/** The SMTP envelope of a bulk message: from its VERP address, to its recipient. */
export function bulkEnvelope(config: Config, recipient: { deliveryId: string; email: string }): { from: string; to: string } {
  return { from: verpAddress(config, recipient.deliveryId), to: recipient.email };
}

/** The mailto: unsubscribe address; the token (`unsubscribeToken`) rides in the subject (read by the bounce mailbox job). */
export function unsubscribeMailto(config: Config, token: string): string {
  const { local, domain } = senderDomain(config);
  return `mailto:${local}+unsubscribe@${domain}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
}

export type BulkRecipient = {
  deliveryId: string;
  mailingId: string;
  contactId: string;
  subscriptionId: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  organisation?: string | null;
};

/**
 * The composer of a mailing's messages, set up once per mailing (bodies encoded, From and
 * List-Id formatted), then one call per recipient. Each message carries what the Gmail/Yahoo
 * bulk-sender rules ask for: List-Unsubscribe (https and mailto) with List-Unsubscribe-Post
 * (RFC 8058), List-Id, a stable Message-ID, Date, a text part, the VERP Return-Path as its
 * envelope sender. The visible unsubscribe link is in the content (see ensureUnsubscribeLink).
 */
export function bulkComposer(
  config: Config,
  list: { code: string; name: string },
  content: MailContent,
  browserUrl: string | undefined,
  fromName?: string | null,
): (recipient: BulkRecipient) => ComposedMessage {
  const { domain } = senderDomain(config);
  const parts = compiledContent(content);
  const [textBody, htmlBody] = [qpBody(parts.text), qpBody(parts.html)];
  const fixed = { from: header('From', formatAddress(config.mailFrom, fromName)), listId: header('List-Id', `${listIdName(list.name)} <${list.code}.${domain}>`) };
  const boundary = newBoundary();
  const dateHeader = oncePerSecond(() => header('Date', mimeDate()));
  return (recipient) => {
    const token = unsubscribeToken(config, recipient.subscriptionId); // one HMAC for both addresses
    const httpsUnsubscribe = unsubscribeUrl(config, recipient.subscriptionId, token);
    const values: Recipient = {
      firstName: recipient.firstName,
      lastName: recipient.lastName,
      organisation: recipient.organisation,
      email: recipient.email,
      unsubscribeUrl: httpsUnsubscribe,
      preferencesUrl: preferencesUrl(config, recipient.contactId),
      browserUrl,
    };
    const headers = [
      fixed.from,
      header('To', asciiAddress(recipient.email)),
      header('Subject', personalSubject(parts.subject, values), true),
      dateHeader(),
      header('Message-ID', `<${recipient.deliveryId}.${recipient.mailingId}@${domain}>`),
      // one List-Unsubscribe header holding both addresses (RFC 2369), as RFC 8058 expects
      header('List-Unsubscribe', `<${httpsUnsubscribe}>, <${unsubscribeMailto(config, token)}>`),
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      fixed.listId,
      'Precedence: bulk',
    ];
    const chunks = alternativeMessage(headers, boundary, textBody(placeholderValues(parts.text, values, false)), htmlBody(placeholderValues(parts.html, values, true)));
    const envelope = bulkEnvelope(config, recipient);
    return {
      to: envelope.to,
      envelopeFrom: envelope.from,
      chunks,
      get raw() {
        return Buffer.concat(chunks).toString('utf8');
      },
    };
  };
}

/** `make()`'s value, made again when the second changes (a Date header has no finer precision). */
function oncePerSecond(make: () => string): () => string {
  let second = -1;
  let value = '';
  return () => {
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) [second, value] = [now, make()];
    return value;
  };
}

/** Every bulk message shows an unsubscribe link: added at the end when the content has none. */
export function ensureUnsubscribeLink(content: MailContent): MailContent {
  const html = content.html.includes('%%UNSUBSCRIBE_URL%%')
    ? content.html
    : appendBeforeBodyEnd(
        content.html,
        '<p style="font-size:13px;text-align:center"><a href="%%UNSUBSCRIBE_URL%%">Se désabonner</a> · <a href="%%PREFERENCES_URL%%">Gérer mes préférences</a></p>',
      );
  const text = content.text.includes('%%UNSUBSCRIBE_URL%%')
    ? content.text
    : `${content.text.trimEnd()}\n\n--\nSe désabonner : %%UNSUBSCRIBE_URL%%\nGérer mes préférences : %%PREFERENCES_URL%%\n`;
  return { subject: content.subject, html, text };
}

function appendBeforeBodyEnd(html: string, fragment: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at < 0 ? html + fragment : html.slice(0, at) + fragment + html.slice(at);
}
