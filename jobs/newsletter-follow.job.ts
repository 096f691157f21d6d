import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { refreshSendingCampaigns } from '../server/campaigns/campaign.service.js';
import { refreshSendingNewsletters } from '../server/newsletters/newsletter.service.js';

/** Every few minutes: figures of the issues and campaigns being sent, and `sent` once their mailing is done. */
export const NEWSLETTER_FOLLOW = 'newsletter:follow';

export function defineNewsletterFollow(agenda: Agenda, ctx: AppContext): void {
  agenda.define(NEWSLETTER_FOLLOW, async () => {
    const followed = (await refreshSendingNewsletters()) + (await refreshSendingCampaigns());
    if (followed) ctx.logger.debug({ followed }, 'newsletter figures refreshed');
  });
}

export async function scheduleNewsletterFollow(agenda: Agenda): Promise<void> {
  await scheduleRecurring(agenda, '5 minutes', NEWSLETTER_FOLLOW, { skipImmediate: true });
}
