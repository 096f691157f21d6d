import type { AppContext } from '../context.js';
import { retryBusy } from '../lib/busy.js';
import { parisDay, parisMidnight } from '../lib/paris-time.js';
import { sendReminderMail } from './event.mail.js';
import { Event, Registration, type EventRecord, type RegistrationRecord } from './event.model.js';

/**
 * The day-before reminder: events starting tomorrow (Paris calendar), each confirmed person
 * reminded once (the `reminderSentAt` claim makes a rerun or a second process harmless).
 */
export async function sendEventReminders(ctx: Pick<AppContext, 'config' | 'logger'>, now = new Date()) {
  const tomorrow = parisMidnight(parisDay(new Date(parisMidnight(parisDay(now)).getTime() + 36 * 3600_000)));
  const after = parisMidnight(parisDay(new Date(tomorrow.getTime() + 36 * 3600_000)));
  const events = await Event.find({ startsAt: { $gte: tomorrow, $lt: after } }).lean();
  let sent = 0;
  let failed = 0;
  for (const event of events) {
    for (const registration of await Registration.find({ event: event._id, status: 'registered', erasedAt: { $exists: false } }).lean()) {
      if (registration.reminderSentAt) continue;
      const { modifiedCount } = await retryBusy(() => Registration.updateOne({ _id: registration._id, reminderSentAt: { $exists: false } }, { $set: { reminderSentAt: new Date() } }));
      if (!modifiedCount) continue;
      try {
        await sendReminderMail(ctx, event as EventRecord, registration as RegistrationRecord);
        sent++;
      } catch (error) {
        failed++;
        ctx.logger.warn({ err: error }, 'event reminder not sent');
        await Registration.updateOne({ _id: registration._id }, { $unset: { reminderSentAt: 1 } });
      }
    }
  }
  return { events: events.length, sent, failed };
}
