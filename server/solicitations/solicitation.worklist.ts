import type { AppContext } from '../context.js';
import { sendTransactional } from '../delivery/transactional.js';
import { renderEmail } from '../templates/render.js';
import { User } from '../users/user.model.js';
import { Solicitation, type SolicitationStatus } from './solicitation.model.js';
import { workingDaysBetween } from './working-days.js';

/** A solicitation still waiting for its answer ("ouverte" on the dashboard). */
const WAITING_STATUSES: SolicitationStatus[] = ['new', 'in-progress'];

export async function countWaitingSolicitations(): Promise<number> {
  return Solicitation.countDocuments({ status: { $in: WAITING_STATUSES } });
}

/** The head of the staff's work list: unread requests, unanswered ones, and how long the oldest has waited. */
export async function workSummary(ctx: Pick<AppContext, 'config'>, now = new Date()) {
  const waiting = await Solicitation.find({ status: { $in: WAITING_STATUSES } }, { receivedAt: 1, unread: 1 }).lean();
  const oldest = waiting.reduce<Date | undefined>((min, s) => (!min || s.receivedAt < min ? s.receivedAt : min), undefined);
  const limit = ctx.config.solicitations.reminderWorkingDays;
  return {
    unread: waiting.filter((s) => s.unread).length,
    unanswered: waiting.length,
    oldestUnansweredWorkingDays: oldest ? workingDaysBetween(oldest, now) : null,
    overdue: waiting.filter((s) => workingDaysBetween(s.receivedAt, now) > limit).length,
    reminderWorkingDays: limit,
  };
}

/**
 * Reminds each assignee, in one e-mail, of the requests that have waited more than the
 * configured number of working days; a request is recalled at most once a day.
 */
export async function sendWaitingReminders(ctx: Pick<AppContext, 'config' | 'logger'>, now = new Date()) {
  const limit = ctx.config.solicitations.reminderWorkingDays;
  const dayAgo = new Date(now.getTime() - 20 * 3_600_000);
  const waiting = (await Solicitation.find({ status: { $in: WAITING_STATUSES }, assignee: { $ne: null } }).lean()).filter(
    (s) => s.assignee && workingDaysBetween(s.receivedAt, now) > limit && !(s.remindedAt && s.remindedAt > dayAgo),
  );
  const byAssignee = new Map<string, typeof waiting>();
  for (const s of waiting) byAssignee.set(String(s.assignee), [...(byAssignee.get(String(s.assignee)) ?? []), s]);
  let sent = 0;
  for (const [assignee, requests] of byAssignee) {
    const user = await User.findById(assignee, { email: 1, name: 1 }).lean();
    if (!user) continue;
    const email = await renderEmail(
      'solicitation-reminder',
      {
        name: user.name,
        limit,
        requests: requests.map((s) => ({ reference: s.reference ?? '', subject: s.subject || s.organisationName || 'Sans objet', days: workingDaysBetween(s.receivedAt, now), url: `${ctx.config.publicUrl}/admin/solicitations/${s._id}` })),
      },
      ctx.config,
    );
    await sendTransactional(ctx, { to: user.email, ...email });
    await Solicitation.updateMany({ _id: { $in: requests.map((s) => s._id) } }, { $set: { remindedAt: now } });
    sent++;
  }
  return { reminded: waiting.length, emails: sent };
}
