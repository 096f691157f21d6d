import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { sendDueReminders } from '../server/memberships/reminder.service.js';

/**
 * Renewal reminders: runs every morning; the reminder dates themselves are set per year in
 * the fee schedule (default 15 January and 15 March), and the service sends each at most once.
 */
export const MEMBERSHIP_REMINDERS = 'memberships:renewal-reminders';

export function defineMembershipReminders(agenda: Agenda, ctx: AppContext): void {
  agenda.define(MEMBERSHIP_REMINDERS, async () => {
    const run = await sendDueReminders(ctx);
    ctx.logger.info(run, 'membership reminders');
  });
}

export async function scheduleMembershipReminders(agenda: Agenda): Promise<void> {
  await scheduleRecurring(agenda, '0 9 * * *', MEMBERSHIP_REMINDERS, { timezone: 'Europe/Paris', skipImmediate: true });
}
