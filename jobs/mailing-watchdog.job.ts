import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { enqueueSend } from '../server/delivery/mailing.service.js';
import { orphanedMailings } from '../server/delivery/sender.js';
import { resumeStalledNewsletters } from '../server/newsletters/newsletter.service.js';
import { resumeStalledPreparations } from '../server/campaigns/campaign.service.js';

/**
 * Restarts the sender of every mailing left `sending` without a live sender (a crash, a
 * restart), sends the newsletters whose sending crashed before their mailing existed, and
 * prepares again the campaigns whose preparation stopped (a crash during the audience's freezing).
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
    for (const id of await resumeStalledPreparations(ctx)) ctx.logger.info({ campaign: id }, 'campaign still preparing: its preparation enqueued again (kept by its claim if running)');
  });
}

export async function scheduleMailingWatchdog(agenda: Agenda): Promise<void> {
  await scheduleRecurring(agenda, '1 minute', MAILING_WATCHDOG);
}
