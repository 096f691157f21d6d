import { indexedContacts } from '../contacts/contact.store.js';
import { eventsOfYear } from '../events/event.figures.js';
import { List } from '../lists/list.model.js';
import { Membership } from '../memberships/membership.model.js';
import { News } from '../news/news.model.js';
import { Newsletter } from '../newsletters/newsletter.model.js';
import { campaignYearFigures } from '../campaigns/campaign.service.js';
import { LOCAL_AUTHORITY_TYPES, Organisation } from '../organisations/organisation.model.js';
import { Solicitation } from '../solicitations/solicitation.model.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import type { VocabularyKind } from '../vocabularies/vocabulary.model.js';
import { parisYearRange } from '../lib/paris-time.js';

/**
 * The yearly activity report's figures, computed with plain queries and code: FerretDB has no
 * $facet, no date operators and only $sum/$count, so each collection is read once for the
 * year (and the year before) with a projection, and counted here. Years are Paris calendar
 * years: [1 January 00:00 Paris, next 1 January 00:00 Paris).
 */
export type Share = { code: string; label: string; count: number; share: number; previousCount?: number; previousShare?: number; changePoints?: number };

export { LOCAL_AUTHORITY_TYPES };
/** The public newsletter list, whose subscribers gained and lost the report counts. */
export const NEWSLETTER_LIST = 'lettre-mensuelle';
export const UNSET = 'non-renseigne';

const round1 = (value: number) => Math.round(value * 10) / 10;
const percent = (part: number, whole: number) => (whole ? round1((100 * part) / whole) : 0);
const growth = (current: number, previous: number) => (previous ? round1((100 * (current - previous)) / previous) : undefined);

async function labels(kind: VocabularyKind): Promise<Map<string, string>> {
  return new Map((await Vocabulary.find({ kind }, { code: 1, label: 1 }).sort({ order: 1 }).lean()).map((v) => [v.code, v.label]));
}

function tally(values: Iterable<string | null | undefined>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value || UNSET, (counts.get(value || UNSET) ?? 0) + 1);
  return counts;
}

/** Counts and shares, in vocabulary order, with the previous year's share and the change in points. */
function shares(current: Map<string, number>, total: number, names: Map<string, string>, previous?: { counts: Map<string, number>; total: number }): Share[] {
  const codes = [...names.keys(), ...[...current.keys(), ...(previous?.counts.keys() ?? [])].filter((code) => !names.has(code))];
  return [...new Set(codes)]
    .filter((code) => current.get(code) || previous?.counts.get(code))
    .map((code) => {
      const count = current.get(code) ?? 0;
      const row: Share = { code, label: names.get(code) ?? (code === UNSET ? 'Non renseigné' : code), count, share: percent(count, total) };
      if (previous) {
        row.previousCount = previous.counts.get(code) ?? 0;
        row.previousShare = percent(row.previousCount, previous.total);
        row.changePoints = round1(row.share - row.previousShare);
      }
      return row;
    });
}

function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const DAY = 86_400_000;

/**
 * Contacts are counted on the contact store's in-memory index (server/contacts/contact.store.ts),
 * not in the database: FerretDB/SQLite decodes every document of any filtered read, about
 * 20 s for 100,000 contacts here, while the index is already loaded in the app process.
 */
async function contactFigures(year: number) {
  const end = parisYearRange(year).end.getTime();
  const previousEnd = parisYearRange(year - 1).end.getTime();
  const alive = (c: { createdAt: number; erasedAt: Date | null }, at: number) => c.createdAt < at && !(c.erasedAt && c.erasedAt.getTime() < at);
  let total = 0;
  let previousTotal = 0;
  let qualified = 0;
  const byType = new Map<string, number>();
  for (const contact of await indexedContacts()) {
    if (alive(contact, previousEnd)) previousTotal++;
    if (!alive(contact, end)) continue;
    total++;
    if (contact.themes.length && contact.territoryScope.length) qualified++; // the scope holds the tagged territories
    const types = contact.organisationTypes.length ? contact.organisationTypes : [UNSET];
    for (const type of types) byType.set(type, (byType.get(type) ?? 0) + 1);
  }
  return {
    total,
    previousTotal,
    growthPercent: growth(total, previousTotal),
    qualified,
    qualifiedShare: percent(qualified, total),
    byOrganisationType: shares(byType, total, await labels('organisationTypes')),
  };
}

/** A subscription is on its list from its confirmation (or consent, without double opt-in) until it leaves. */
export function subscriptionSpan(s: { status: string; consent?: { at?: Date; confirmedAt?: Date | null } | null; unsubscribedAt?: Date | null; updatedAt?: Date }) {
  const joined = s.consent?.confirmedAt ?? (s.status === 'pending' || s.status === 'rejected' ? undefined : s.consent?.at);
  const left = s.unsubscribedAt ?? (s.status === 'unsubscribed' || s.status === 'bounced' ? s.updatedAt : undefined);
  return { joined, left };
}

async function listFigures(year: number) {
  const { start, end } = parisYearRange(year);
  const previousEnd = start;
  const lists = await List.find({}, { code: 1, name: 1 }).sort({ order: 1 }).lean();
  const size = new Map<string, number>();
  const previousSize = new Map<string, number>();
  let gained = 0;
  let lost = 0;
  const newsletterList = lists.find((l) => l.code === NEWSLETTER_LIST);
  const on = (span: { joined?: Date; left?: Date }, at: Date) => Boolean(span.joined && span.joined < at && !(span.left && span.left < at));
  const cursor = Subscription.find({}, { list: 1, status: 1, consent: 1, unsubscribedAt: 1, updatedAt: 1 }).lean().cursor({ batchSize: 5000 });
  for await (const subscription of cursor) {
    const list = String(subscription.list);
    const span = subscriptionSpan(subscription);
    if (on(span, end)) size.set(list, (size.get(list) ?? 0) + 1);
    if (on(span, previousEnd)) previousSize.set(list, (previousSize.get(list) ?? 0) + 1);
    if (newsletterList && list === String(newsletterList._id)) {
      if (span.joined && span.joined >= start && span.joined < end) gained++;
      if (span.joined && span.left && span.left >= start && span.left < end) lost++;
    }
  }
  const items = lists.map((l) => {
    const current = size.get(String(l._id)) ?? 0;
    const previous = previousSize.get(String(l._id)) ?? 0;
    return { code: l.code, name: l.name, size: current, previousSize: previous, growthPercent: growth(current, previous) };
  });
  const largest = items.reduce<(typeof items)[number] | undefined>((best, item) => (!best || item.size > best.size ? item : best), undefined);
  return {
    lists: { items, largest },
    subscriptions: {
      list: newsletterList ? { code: newsletterList.code, name: newsletterList.name } : undefined,
      gained,
      lost,
      net: gained - lost,
      gainedPerMonth: round1(gained / 12),
      lostPerMonth: round1(lost / 12),
      subscribersAtYearEnd: newsletterList ? (size.get(String(newsletterList._id)) ?? 0) : 0,
      subscribersAtPreviousYearEnd: newsletterList ? (previousSize.get(String(newsletterList._id)) ?? 0) : 0,
    },
  };
}

async function newsletterFigures(year: number) {
  const { start, end } = parisYearRange(year);
  const sent = await Newsletter.find({ status: 'sent', sentAt: { $gte: start, $lt: end } }, { month: 1, sentAt: 1, figures: 1 }).sort({ sentAt: 1 }).lean();
  return { sent: sent.length, months: sent.map((n) => n.month), lastRecipients: sent.at(-1)?.figures?.sent ?? undefined };
}

async function newsFigures(year: number) {
  const { start, end } = parisYearRange(year);
  const items = await News.find({ publishedAt: { $gte: start, $lt: end } }, { category: 1 }).lean();
  const categories = await Vocabulary.find({ kind: 'newsCategories' }, { code: 1, label: 1 }).sort({ order: 1 }).lean();
  const codeOf = new Map(categories.map((c) => [String(c._id), c.code]));
  const counts = tally(items.map((item) => codeOf.get(String(item.category))));
  return { total: items.length, byCategory: shares(counts, items.length, new Map(categories.map((c) => [c.code, c.label]))) };
}

async function solicitationFigures(year: number) {
  const current = parisYearRange(year);
  const previous = parisYearRange(year - 1);
  const projection = { receivedAt: 1, type: 1, requesterType: 1, isMember: 1, answeredAt: 1, timeSpentMinutes: 1 };
  // One read for both years: every filtered read is a full scan on FerretDB/SQLite.
  const both = await Solicitation.find({ receivedAt: { $gte: previous.start, $lt: current.end } }, projection).lean();
  const rows = both.filter((s) => s.receivedAt >= current.start);
  const previousRows = both.filter((s) => s.receivedAt < current.start);
  const [typeNames, requesterNames] = await Promise.all([labels('solicitationTypes'), labels('requesterTypes')]);
  const members = rows.filter((s) => s.isMember).length;
  const previousMembers = previousRows.filter((s) => s.isMember).length;
  const delays = rows.filter((s) => s.answeredAt && s.answeredAt >= s.receivedAt).map((s) => (s.answeredAt!.getTime() - s.receivedAt.getTime()) / DAY);
  const days = median(delays);
  const minutes = rows.reduce((sum, s) => sum + (s.timeSpentMinutes ?? 0), 0);
  const previousOf = (key: 'type' | 'requesterType') => ({ counts: tally(previousRows.map((s) => s[key])), total: previousRows.length });
  return {
    total: rows.length,
    previousTotal: previousRows.length,
    growthPercent: growth(rows.length, previousRows.length),
    members,
    memberShare: percent(members, rows.length),
    previousMemberShare: percent(previousMembers, previousRows.length),
    memberShareChangePoints: round1(percent(members, rows.length) - percent(previousMembers, previousRows.length)),
    byType: shares(tally(rows.map((s) => s.type)), rows.length, typeNames, previousOf('type')),
    byRequesterType: shares(tally(rows.map((s) => s.requesterType)), rows.length, requesterNames, previousOf('requesterType')),
    answered: delays.length,
    medianDaysToAnswer: days === undefined ? undefined : round1(days),
    timeSpentHours: round1(minutes / 60),
  };
}

/** Members of a year: its memberships paid or waived; dues are the fees of the paid ones. */
async function memberFigures(year: number) {
  const [memberships, previousCount] = await Promise.all([
    Membership.find({ year }, { organisation: 1, contact: 1, paymentStatus: 1, fee: 1 }).lean(),
    Membership.countDocuments({ year: year - 1, paymentStatus: { $in: ['paid', 'waived'] } }),
  ]);
  const settled = memberships.filter((m) => m.paymentStatus !== 'due');
  const legal = settled.filter((m) => m.organisation);
  const organisations = new Map(
    (await Organisation.find({ _id: { $in: legal.map((m) => m.organisation) } }, { type: 1 }).lean()).map((o) => [String(o._id), o.type]),
  );
  const kinds = tally(settled.map((m) => (m.organisation ? organisations.get(String(m.organisation)) : 'personne-physique')));
  const names = await labels('organisationTypes');
  const localAuthorities = legal.filter((m) => LOCAL_AUTHORITY_TYPES.includes(organisations.get(String(m.organisation)) ?? '')).length;
  return {
    total: settled.length,
    previousTotal: previousCount,
    legalPersons: legal.length,
    naturalPersons: settled.length - legal.length,
    localAuthorities,
    localAuthorityShare: percent(localAuthorities, settled.length),
    byKind: shares(kinds, settled.length, new Map([...names, ['personne-physique', 'Personnes physiques']])),
    duesCollected: memberships.filter((m) => m.paymentStatus === 'paid').reduce((sum, m) => sum + m.fee, 0),
    unpaid: memberships.length - settled.length,
  };
}

export async function activityReport(year: number, now = new Date()) {
  const [contacts, lists, newsletters, news, solicitations, members, events, campaigns] = await Promise.all([
    contactFigures(year),
    listFigures(year),
    newsletterFigures(year),
    newsFigures(year),
    solicitationFigures(year),
    memberFigures(year),
    eventsOfYear(year),
    campaignYearFigures(year),
  ]);
  const { start, end } = parisYearRange(year);
  return {
    year,
    period: { start: start.toISOString(), end: end.toISOString(), timeZone: 'Europe/Paris' },
    generatedAt: now.toISOString(),
    contacts,
    lists: lists.lists,
    subscriptions: lists.subscriptions,
    newsletters,
    campaigns,
    news,
    solicitations,
    members,
    events,
  };
}
export type ActivityReport = Awaited<ReturnType<typeof activityReport>>;
