import type { Config } from '../lib/config.js';
import { preferencesUrl, unsubscribeToken, unsubscribeUrl } from '../subscriptions/subscription.links.js';
import type { OutgoingMessage } from './mailer.js';
import { personalize, type MailContent } from './personalize.js';

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

/** The mailto: unsubscribe address; the token rides in the subject (read by the bounce mailbox job). */
export function unsubscribeMailto(config: Config, subscriptionId: string): string {
  const { local, domain } = senderDomain(config);
  return `mailto:${local}+unsubscribe@${domain}?subject=${encodeURIComponent(`unsubscribe ${unsubscribeToken(config, subscriptionId)}`)}`;
}

export type BulkRecipient = {
  deliveryId: string;
  mailingId: string;
  contactId: string;
  subscriptionId: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
};

/**
 * One personalised bulk message with what Gmail/Yahoo bulk-sender rules ask for: List-Unsubscribe
 * (https and mailto) with List-Unsubscribe-Post (RFC 8058; Nodemailer's `list` option formats
 * that one as a URL, hence `headers`), List-Id, a stable Message-ID, a text part, the VERP
 * Return-Path. The visible unsubscribe link is in the content (see ensureUnsubscribeLink).
 */
export function bulkMessage(
  config: Config,
  list: { code: string; name: string },
  content: MailContent,
  browserUrl: string | undefined,
  recipient: BulkRecipient,
): OutgoingMessage {
  const { domain } = senderDomain(config);
  const httpsUnsubscribe = unsubscribeUrl(config, recipient.subscriptionId);
  const personal = personalize(content, {
    firstName: recipient.firstName,
    lastName: recipient.lastName,
    email: recipient.email,
    unsubscribeUrl: httpsUnsubscribe,
    preferencesUrl: preferencesUrl(config, recipient.contactId),
    browserUrl,
  });
  return {
    to: recipient.email,
    ...personal,
    list: {
      unsubscribe: [httpsUnsubscribe, unsubscribeMailto(config, recipient.subscriptionId)],
      id: { url: `${list.code}.${domain}`, comment: list.name },
    },
    headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', Precedence: 'bulk' },
    messageId: `<${recipient.deliveryId}.${recipient.mailingId}@${domain}>`,
    envelopeFrom: verpAddress(config, recipient.deliveryId),
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
