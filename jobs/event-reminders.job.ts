import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { sendEventReminders } from '../server/events/reminder.service.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';

/** The day-before reminder of events: every day at 10:00 Paris, for the events of the next day. */
export const EVENT_REMINDERS = 'events:reminders';

export function defineEventReminders(agenda: Agenda, ctx: AppContext): void {
  agenda.define(EVENT_REMINDERS, async () => {
    const run = await sendEventReminders(ctx);
    ctx.logger.info(run, 'event reminders');
  });
}

export async function scheduleEventReminders(agenda: Agenda): Promise<void> {
  await scheduleRecurring(agenda, '0 10 * * *', EVENT_REMINDERS, { timezone: 'Europe/Paris', skipImmediate: true });
}
