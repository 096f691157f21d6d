import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { enqueueSend } from '../server/delivery/mailing.service.js';
import { orphanedMailings } from '../server/delivery/sender.js';
import { resumeStalledNewsletters } from '../server/newsletters/newsletter.service.js';

/**
 * Restarts the sender of every mailing left `sending` without a live sender (a crash, a
 * restart), and sends the newsletters whose sending crashed before their mailing existed.
 * Runs when a job process starts, then every minute.
 */
export const MAILING_WATCHDOG = 'mailing:watchdog';

export function defineMailingWatchdog(agenda: Agenda, ctx: AppContext): void {
  agenda.define(MAILING_WATCHDOG, async () => {
    for (const id of await orphanedMailings()) {
      ctx.logger.warn({ mailing: id }, 'resuming an interrupted mailing');
      await enqueueSend(ctx, id);
    }
    for (const id of await resumeStalledNewsletters(ctx)) ctx.logger.warn({ newsletter: id }, 'resumed a newsletter whose sending crashed');
  });
}

export async function scheduleMailingWatchdog(agenda: Agenda): Promise<void> {
  await scheduleRecurring(agenda, '1 minute', MAILING_WATCHDOG);
}
