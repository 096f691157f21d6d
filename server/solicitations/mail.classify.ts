import type { ParsedMail } from 'mailparser';

/**
 * Why an incoming message of the contact mailbox is not a request from a person, or undefined
 * when it is one: automatic replies (RFC 3834 Auto-Submitted, Precedence, vendor headers),
 * delivery reports (DSN, RFC 3464) and mailing-list traffic (List-Id).
 */
export function automaticReason(mail: ParsedMail): string | undefined {
  const header = (name: string) => {
    const value = mail.headers.get(name);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'object' && 'value' in value ? String((value as { value: unknown }).value) : String(value);
  };
  const autoSubmitted = header('auto-submitted');
  if (autoSubmitted && autoSubmitted.trim().toLowerCase() !== 'no') return 'réponse automatique';
  if (/^(bulk|junk|list|auto_reply)$/i.test(header('precedence')?.trim() ?? '')) return 'message de masse ou automatique';
  if (header('x-autoreply') || header('x-autorespond') || header('x-auto-response-suppress')?.match(/all|oof/i)) return 'réponse automatique';
  if (header('list-id')) return 'liste de diffusion';
  const contentType = header('content-type') ?? '';
  if (/multipart\/report/i.test(contentType) || mail.attachments.some((a) => /delivery-status|feedback-report/i.test(a.contentType))) return 'rapport de distribution';
  const from = mail.from?.value[0]?.address ?? '';
  if (!from || /^(mailer-daemon|postmaster|no-?reply|ne-?pas-?repondre)@/i.test(from)) return 'expéditeur automatique';
  return undefined;
}

/** Message-IDs without their angle brackets, as mailparser gives them (string or list). */
export function messageIds(value: string | string[] | undefined): string[] {
  const all = Array.isArray(value) ? value : value ? value.split(/\s+/) : [];
  return all.map((id) => id.trim().replace(/^<|>$/g, '')).filter(Boolean);
}

/** The `[S-2026-0042]` tag Maillage puts in the subject of its answers. */
export function referenceInSubject(subject: string | undefined): string | undefined {
  return /\[(S-\d{4}-\d{4,})\]/.exec(subject ?? '')?.[1];
}
