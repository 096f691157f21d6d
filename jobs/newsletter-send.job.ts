import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { getNewsletterRecord, NEWSLETTER_SEND_JOB, startNewsletterSending } from '../server/newsletters/newsletter.service.js';

/** Sends an approved issue at the time staff scheduled; the issue is re-read, never trusted from the payload. */
export const NEWSLETTER_SEND = NEWSLETTER_SEND_JOB;

export function defineNewsletterSend(agenda: Agenda, ctx: AppContext): void {
  agenda.define(NEWSLETTER_SEND, async (job: { attrs: { data?: { newsletterId?: string } } }) => {
    const id = job.attrs.data?.newsletterId;
    if (!id) return;
    const issue = await getNewsletterRecord(id);
    // Reopened or rescheduled since: this run is stale.
    if (issue.status !== 'approved' || !issue.scheduledAt || issue.scheduledAt.getTime() > Date.now() + 1000) return;
    await startNewsletterSending(ctx, id);
  });
}
