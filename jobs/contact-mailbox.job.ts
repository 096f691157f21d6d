import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { pollContactMailbox } from '../server/solicitations/contact-mailbox.js';
import { sendWaitingReminders } from '../server/solicitations/solicitation.worklist.js';

/** Reads the contact mailbox every 2 minutes when CONTACT_IMAP_URL is set. */
export const CONTACT_MAILBOX = 'solicitations:poll-mailbox';
/** Every working morning: reminds assignees of requests waiting too long. */
export const SOLICITATION_REMINDERS = 'solicitations:reminders';

export function defineSolicitationJobs(agenda: Agenda, ctx: AppContext): void {
  agenda.define(CONTACT_MAILBOX, async () => {
    const counts = await pollContactMailbox(ctx);
    ctx.logger.info(counts, 'contact mailbox read');
  });
  agenda.define(SOLICITATION_REMINDERS, async () => {
    ctx.logger.info(await sendWaitingReminders(ctx), 'solicitation reminders');
  });
}

export async function scheduleSolicitationJobs(agenda: Agenda, ctx: AppContext): Promise<void> {
  if (ctx.config.solicitations.imapUrl) await scheduleRecurring(agenda, '2 minutes', CONTACT_MAILBOX, { skipImmediate: true });
  await scheduleRecurring(agenda, '0 9 * * 1-5', SOLICITATION_REMINDERS, { timezone: 'Europe/Paris', skipImmediate: true });
}
