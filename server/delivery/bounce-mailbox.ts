import type { AppContext } from '../context.js';
import { withMailbox } from '../lib/imap.js';
import { recordBounce, type BounceOutcome } from './bounce.service.js';
import { parseBounceMessage } from './bounce.parse.js';

/**
 * Reads the bounce mailbox (BOUNCE_IMAP_URL, imap[s]://user:password@host:port/Mailbox): every
 * message is parsed, applied, then deleted, so a message is handled once even if the job runs
 * in several processes (the mailbox lock serialises them).
 */
export async function pollBounceMailbox(ctx: Pick<AppContext, 'config' | 'logger'>): Promise<Record<BounceOutcome, number>> {
  const counts: Record<BounceOutcome, number> = { suppressed: 0, counted: 0, unsubscribed: 0, ignored: 0 };
  const url = ctx.config.bounces.imapUrl;
  if (!url) return counts;
  await withMailbox(url, async (client) => {
    if (!client.mailbox || !client.mailbox.exists) return;
    const handled: number[] = [];
    for await (const message of client.fetch('1:*', { uid: true, source: true }, { uid: true })) {
      if (!message.source) continue;
      try {
        const report = await parseBounceMessage(message.source);
        counts[report ? await recordBounce(ctx, report, 'imap') : 'ignored']++;
        handled.push(message.uid);
      } catch (error) {
        ctx.logger.error({ err: error, uid: message.uid }, 'bounce message not handled');
      }
    }
    if (handled.length) await client.messageDelete(handled.join(','), { uid: true });
  });
  return counts;
}
