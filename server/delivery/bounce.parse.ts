import { parseMail } from '../lib/parse-mail.js';

/**
 * What an incoming report says: a delivery status notification (RFC 3464), a feedback report
 * (ARF, RFC 5965), or a List-Unsubscribe mailto request.
 */
export type BounceReport =
  | { kind: 'hard' | 'soft' | 'complaint'; deliveryId?: string; recipient?: string; status?: string; reason: string }
  | { kind: 'unsubscribe'; token: string };

const VERP = /bounces?\+([a-f0-9]{24})@/i;
const OUR_MESSAGE_ID = /Message-ID:\s*<([a-f0-9]{24})\.[a-f0-9]{24}@/i;

/** Undefined for anything that is neither (an out-of-office reply, spam): it is just deleted. */
export async function parseBounceMessage(raw: Buffer | string): Promise<BounceReport | undefined> {
  const mail = await parseMail(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const to = [mail.headers.get('delivered-to'), mail.headers.get('x-original-to'), mail.to]
    .flat()
    .map((v) => (v && typeof v === 'object' && 'text' in v ? (v as { text: string }).text : String(v ?? '')))
    .join(' ');
  if (/\+unsubscribe@/i.test(to)) {
    const token = /unsubscribe\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail.subject ?? '')?.[1];
    return token ? { kind: 'unsubscribe', token } : undefined;
  }
  const parts = new Map<string, string>();
  for (const attachment of mail.attachments) parts.set(attachment.contentType.toLowerCase(), attachment.content.toString('utf8'));
  const whole = typeof raw === 'string' ? raw : raw.toString('utf8');
  const deliveryId = VERP.exec(to)?.[1] ?? OUR_MESSAGE_ID.exec(parts.get('message/rfc822') ?? parts.get('text/rfc822-headers') ?? whole)?.[1];

  const feedback = parts.get('message/feedback-report') ?? (/Feedback-Type:/i.test(whole) ? whole : undefined);
  if (feedback && /^Feedback-Type:\s*(abuse|fraud|virus|other)/im.test(feedback)) {
    const recipient = field(feedback, 'Original-Rcpt-To') ?? field(feedback, 'Removal-Recipient');
    return { kind: 'complaint', deliveryId: deliveryId ?? VERP.exec(field(feedback, 'Original-Mail-From') ?? '')?.[1], recipient, reason: `Plainte (${field(feedback, 'Feedback-Type')})` };
  }

  const status = parts.get('message/delivery-status') ?? parts.get('message/global-delivery-status') ?? (/^Final-Recipient:/im.test(whole) ? whole : undefined);
  if (!status) return undefined;
  const action = field(status, 'Action')?.toLowerCase();
  const code = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(status)?.[1];
  if (!action || ['delivered', 'relayed', 'expanded'].includes(action)) return undefined;
  const recipient = field(status, 'Final-Recipient')?.replace(/^rfc822;\s*/i, '') ?? field(status, 'Original-Recipient')?.replace(/^rfc822;\s*/i, '');
  const diagnostic = field(status, 'Diagnostic-Code')?.replace(/^smtp;\s*/i, '');
  const hard = action === 'failed' && code?.startsWith('5');
  return { kind: hard ? 'hard' : 'soft', deliveryId, recipient, status: code, reason: [code, diagnostic].filter(Boolean).join(' ').slice(0, 300) || action };
}

/** A header-style field of a report part, unfolded. */
function field(text: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)`, 'im').exec(text);
  return match?.[1].replace(/\r?\n[ \t]+/g, ' ').trim() || undefined;
}
