import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { runMonthlyNewsletter } from '../server/newsletters/newsletter.service.js';

/** On the 1st (08:00 Paris by default): last month's draft issue, and a word to staff. */
export const NEWSLETTER_COMPILE = 'newsletter:compile';

export function defineNewsletterCompile(agenda: Agenda, ctx: AppContext): void {
  agenda.define(NEWSLETTER_COMPILE, async (job: { attrs: { data?: { month?: string } } }) => {
    const { month, outcome } = await runMonthlyNewsletter(ctx, new Date(), job.attrs.data?.month);
    ctx.logger.info({ month, outcome }, 'monthly newsletter compiled');
  });
}

export async function scheduleNewsletterCompile(agenda: Agenda, ctx: AppContext): Promise<void> {
  await scheduleRecurring(agenda, ctx.config.news.newsletterCron, NEWSLETTER_COMPILE, { timezone: 'Europe/Paris', skipImmediate: true });
}
