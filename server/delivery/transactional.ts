import type { AppContext } from '../context.js';
import { mailerFor, type MailAttachment, type SendResult } from './mailer.js';

/**
 * One-to-one messages (opt-in confirmation, reminders, staff notices), sent through the
 * transactional pool: no list headers, never counted as bulk.
 */
export async function sendTransactional(
  ctx: Pick<AppContext, 'config'>,
  message: { to: string; subject: string; html: string; text: string; headers?: Record<string, string>; attachments?: MailAttachment[] },
): Promise<SendResult> {
  return mailerFor(ctx.config, 'transactional').send({
    ...message,
    headers: { 'Auto-Submitted': 'auto-generated', ...message.headers },
  });
}
