import type { AppContext } from '../context.js';
import { readContact } from '../contacts/contact.store.js';
import { isDuplicateKey, withId } from '../lib/db.js';
import type { ListQuery } from '../lib/rest.js';
import { sendTransactional } from '../delivery/transactional.js';
import { parisDay, parisYear } from '../lib/paris-time.js';
import { isSuppressed } from '../suppressions/suppression.service.js';
import { renderEmail } from '../templates/render.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { formatEuros } from './membership.certificate.js';
import { FeeSchedule, Membership, MembershipReminder, type MembershipRecord } from './membership.model.js';
import { contactName, memberNames } from './membership.service.js';
import { isSettledAt, memberOf } from './member-state.js';

type Candidate = { memberKey: string; current?: MembershipRecord; previous?: MembershipRecord };
export type ReminderRun = { year: number; reminderDate?: string; sent: number; skipped: number; failed: number; alreadyDone: number };

/** The reminder due on `now`: the latest reminder date of the year's schedule that has come (Paris time). */
export async function dueReminderDate(now: Date): Promise<{ year: number; reminderDate?: string }> {
  const year = parisYear(now);
  const schedule = await FeeSchedule.findOne({ year }).lean();
  const today = parisDay(now);
  const reminderDate = (schedule?.reminderDates ?? []).filter((day) => day <= today).sort().at(-1);
  return { year, reminderDate };
}

/**
 * Members to remind for year Y: a membership of Y not paid yet, or a settled membership of
 * Y−1 with none for Y — the members whose state is "en retard". Waived members are settled.
 */
async function candidates(year: number, now: Date): Promise<Candidate[]> {
  const [current, previous] = await Promise.all([Membership.find({ year }).lean(), Membership.find({ year: year - 1 }).lean()]);
  const renewed = new Set(current.map((m) => memberOf(m)));
  return [
    ...current.filter((m) => !isSettledAt(m, now)).map((m) => ({ memberKey: memberOf(m), current: m })),
    ...previous.filter((m) => !renewed.has(memberOf(m)) && isSettledAt(m, now)).map((m) => ({ memberKey: memberOf(m), previous: m })),
  ];
}

/**
 * Sends the reminder due today to every member still unpaid for the year, at most once per
 * member and reminder: a row is claimed (unique member + year + reminder date) before the
 * e-mail goes out, so two runs, even in two processes, never send it twice. A failed
 * attempt is retried on the next run.
 */
export async function sendDueReminders(ctx: Pick<AppContext, 'config'>, now = new Date()): Promise<ReminderRun> {
  const { year, reminderDate } = await dueReminderDate(now);
  const run: ReminderRun = { year, reminderDate, sent: 0, skipped: 0, failed: 0, alreadyDone: 0 };
  if (!reminderDate) return run;
  const members = await candidates(year, now);
  const names = await memberNames(members.map((c) => c.current ?? c.previous!));
  const categories = new Map((await Vocabulary.find({ kind: 'membershipCategories' }).lean()).map((v) => [v.code, v.label]));
  for (const candidate of members) {
    const outcome = await remindOne(ctx, candidate, { year, reminderDate, memberName: names.get(candidate.memberKey) ?? '', categories });
    run[outcome]++;
  }
  return run;
}

async function claim(candidate: Candidate, year: number, reminderDate: string) {
  const membership = candidate.current ?? candidate.previous!;
  try {
    return await MembershipReminder.create({
      memberKey: candidate.memberKey,
      organisation: membership.organisation,
      contact: membership.contact,
      membership: candidate.current?._id,
      year,
      reminderDate,
      status: 'sending',
    });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return MembershipReminder.findOneAndUpdate(
      { memberKey: candidate.memberKey, year, reminderDate, status: 'failed' },
      { $set: { status: 'sending' } },
      { returnDocument: 'after' },
    );
  }
}

async function remindOne(
  ctx: Pick<AppContext, 'config'>,
  candidate: Candidate,
  info: { year: number; reminderDate: string; memberName: string; categories: Map<string, string> },
): Promise<'sent' | 'skipped' | 'failed' | 'alreadyDone'> {
  const reminder = await claim(candidate, info.year, info.reminderDate);
  if (!reminder) return 'alreadyDone';
  const membership = candidate.current ?? candidate.previous!;
  const recipientId = membership.organisation ? (candidate.current?.representative ?? candidate.previous?.representative) : membership.contact;
  const recipient = await readContact(recipientId, { email: 1, firstName: 1, lastName: 1 });
  if (!recipient?.email || (await isSuppressed(recipient.email))) {
    const error = recipient?.email ? 'adresse bloquée (désinscription ou rejet)' : 'aucune adresse : indiquez un·e représentant·e';
    await reminder.updateOne({ $set: { status: 'skipped', error, email: recipient?.email } });
    return 'skipped';
  }
  try {
    const email = await renderEmail(
      'membership-reminder',
      {
        year: info.year,
        previousYear: info.year - 1,
        greetingName: contactName(recipient),
        memberName: info.memberName,
        membership: Boolean(candidate.current),
        categoryLabel: candidate.current ? (info.categories.get(candidate.current.category) ?? candidate.current.category) : '',
        fee: candidate.current ? formatEuros(candidate.current.fee) : '',
      },
      ctx.config,
    );
    await sendTransactional(ctx, { to: recipient.email, ...email });
    await reminder.updateOne({ $set: { status: 'sent', sentAt: new Date(), email: recipient.email }, $unset: { error: 1 } });
    return 'sent';
  } catch (error) {
    await reminder.updateOne({ $set: { status: 'failed', error: (error as Error).message.slice(0, 500), email: recipient.email } });
    return 'failed';
  }
}

export async function listReminders(query: ListQuery<{ year?: number; reminderDate?: string; status?: string; memberKey?: string; membership?: string }>) {
  const where: Record<string, unknown> = { ...query.filter };
  const [items, total] = await Promise.all([
    MembershipReminder.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit).lean(),
    MembershipReminder.countDocuments(where),
  ]);
  const names = await memberNames(items);
  return { items: items.map((r) => ({ ...withId(r), memberName: names.get(memberOf(r)) ?? '' })), total };
}
