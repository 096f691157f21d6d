import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { pollBounceMailbox } from '../server/delivery/bounce-mailbox.js';

/** Reads the bounce mailbox every 5 minutes when BOUNCE_IMAP_URL is set. */
export const BOUNCE_MAILBOX = 'bounce:poll-mailbox';

export function defineBounceMailbox(agenda: Agenda, ctx: AppContext): void {
  agenda.define(BOUNCE_MAILBOX, async () => {
    const counts = await pollBounceMailbox(ctx);
    ctx.logger.info(counts, 'bounce mailbox read');
  });
}

export async function scheduleBounceMailbox(agenda: Agenda, ctx: AppContext): Promise<void> {
  if (ctx.config.bounces.imapUrl) await scheduleRecurring(agenda, '5 minutes', BOUNCE_MAILBOX, { skipImmediate: true });
}
