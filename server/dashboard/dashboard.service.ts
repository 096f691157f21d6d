import { countContacts } from '../contacts/contact.store.js';
import { contactQuery } from '../contacts/contact.filter.js';
import { List } from '../lists/list.model.js';
import { latestNewsletter } from '../newsletters/newsletter.service.js';
import { countWaitingSolicitations } from '../solicitations/solicitation.worklist.js';
import { parisParts, parisYearRange } from '../lib/paris-time.js';
import { subscriptionSpan } from '../reports/report.service.js';
import { Subscription } from '../subscriptions/subscription.model.js';

/**
 * The dashboard's counts in one read: the contacts as the contact list counts them, the
 * solicitations still waiting for an answer, the latest newsletter.
 */
export async function dashboardCounts() {
  const [contacts, openSolicitations, newsletter] = await Promise.all([countContacts(await contactQuery({})), countWaitingSolicitations(), latestNewsletter()]);
  return { contacts, openSolicitations, latestNewsletter: newsletter };
}

export type MonthlyFlow = { month: string; gained: number; lost: number };

/**
 * Subscribers gained and lost per Paris month of a year on one list, for the admin's chart.
 * Dated as the activity report dates them (`subscriptionSpan`). Counted
 * in code: FerretDB has no date operators in pipelines.
 */
export async function monthlySubscriptionFlows(year: number, listCode = 'lettre-mensuelle') {
  const list = await List.findOne({ code: listCode }, { code: 1, name: 1 }).lean();
  const months: MonthlyFlow[] = Array.from({ length: 12 }, (_, i) => ({ month: `${year}-${String(i + 1).padStart(2, '0')}`, gained: 0, lost: 0 }));
  if (!list) return { year, list: undefined, months };
  const { start, end } = parisYearRange(year);
  const inYear = (date: Date | undefined | null): date is Date => Boolean(date && date >= start && date < end);
  const cursor = Subscription.find({ list: list._id }, { status: 1, consent: 1, unsubscribedAt: 1, updatedAt: 1 }).lean().cursor({ batchSize: 5000 });
  for await (const s of cursor) {
    const { joined, left } = subscriptionSpan(s);
    if (inYear(joined)) months[parisParts(joined).month - 1].gained++;
    if (inYear(left)) months[parisParts(left).month - 1].lost++;
  }
  return { year, list: { code: list.code, name: list.name }, months };
}
