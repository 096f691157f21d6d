import { Types } from 'mongoose';
import { logPosition, mailingFieldsWhere, type MailingFields } from '../contacts/contact.store.js';
import { isDuplicateKey } from '../lib/db.js';
import { List, type ListRecord } from '../lists/list.model.js';
import { Organisation } from '../organisations/organisation.model.js';
import { segmentContactQuery } from '../segments/segment.service.js';
import { Subscription, type SubscriptionStatus } from '../subscriptions/subscription.model.js';
import { suppressionReasons } from '../suppressions/suppression.service.js';
import { Delivery, deliveriesOf } from './delivery.model.js';
import { Mailing, type MailingRecord } from './mailing.model.js';

/**
 * Who a mailing reaches: the one rule, shared by the newsletter, campaigns, their counts
 * before approval and the sender. The legal basis comes from the list:
 * - consent (and membership) lists: their subscribed members only;
 * - a legitimate-interest list ("Informations du réseau"): every contact of the base, less
 *   those who objected (left that list).
 * A segment narrows either. Whatever the basis, erased contacts, suppressed addresses (hard
 * bounces, complaints, unsubscribed from everything) and bounced subscriptions are left out,
 * and each exclusion is counted with its reason.
 */
export const AUDIENCE_BASES = ['consent', 'legitimate-interest'] as const;
export type AudienceBasis = (typeof AUDIENCE_BASES)[number];

export const EXCLUSION_REASONS = ['not-subscribed', 'unsubscribed', 'objected', 'bounced', 'suppressed', 'erased'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
export const EXCLUSION_LABELS: Record<ExclusionReason, string> = {
  'not-subscribed': 'abonnement non confirmé',
  unsubscribed: 'désabonné·es de la liste',
  objected: 'opposé·es à ces envois',
  bounced: 'adresse en erreur',
  suppressed: "sur la liste d'exclusion",
  erased: 'effacé·es (RGPD)',
};

export type AudienceSpec = { list: Pick<ListRecord, '_id' | 'legalBasis'>; segment?: string | null };

export type AudienceRecipient = MailingFields & { subscription?: Types.ObjectId; organisation?: string };

export type Audience = { basis: AudienceBasis; recipients: AudienceRecipient[]; excluded: Record<ExclusionReason, number> };

export type AudienceSummary = { basis: AudienceBasis; count: number; excluded: Record<ExclusionReason, number>; sample: string[] };

export const basisOf = (list: Pick<ListRecord, 'legalBasis'>): AudienceBasis => (list.legalBasis === 'legitimate-interest' ? 'legitimate-interest' : 'consent');

const SUPPRESSION_CHUNK = 1000;
const SAMPLE_SIZE = 8;

/** The recipients of a list (narrowed by a segment) as of now, and who was left out and why. */
export async function evaluateAudience(spec: AudienceSpec): Promise<Audience> {
  const basis = basisOf(spec.list);
  const where = spec.segment ? await segmentContactQuery(spec.segment) : {};
  const [contacts, subscriptions] = await Promise.all([
    mailingFieldsWhere(where),
    Subscription.find({ list: spec.list._id }, { contact: 1, status: 1 }).lean(),
  ]);
  const subscriptionOf = new Map(subscriptions.map((s) => [String(s.contact), s]));
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const kept: AudienceRecipient[] = [];
  for (const contact of contacts) {
    const subscription = subscriptionOf.get(contact.id);
    const reason = exclusionOf(basis, contact, subscription?.status as SubscriptionStatus | undefined);
    if (reason === 'outside') continue;
    if (reason) excluded[reason]++;
    else kept.push({ ...contact, subscription: subscription?._id });
  }
  const recipients: AudienceRecipient[] = [];
  for (let start = 0; start < kept.length; start += SUPPRESSION_CHUNK) {
    const chunk = kept.slice(start, start + SUPPRESSION_CHUNK);
    const suppressed = await suppressionReasons(chunk.map((c) => c.email));
    for (const recipient of chunk) {
      const reason = suppressed.get(recipient.email);
      if (!reason) recipients.push(recipient);
      else excluded[/bounce/.test(reason) ? 'bounced' : reason === 'erased' ? 'erased' : 'suppressed']++;
    }
  }
  await nameOrganisations(recipients);
  return { basis, recipients, excluded };
}

/** `outside`: not part of this list's audience at all (a consent list's non-member), not an exclusion. */
function exclusionOf(basis: AudienceBasis, contact: MailingFields, status: SubscriptionStatus | undefined): ExclusionReason | 'outside' | undefined {
  if (basis === 'consent' && !status) return 'outside';
  if (contact.erasedAt) return 'erased';
  if (status === 'bounced') return 'bounced';
  if (basis === 'legitimate-interest') return status === 'unsubscribed' || status === 'rejected' ? 'objected' : undefined;
  if (status === 'unsubscribed') return 'unsubscribed';
  return status === 'subscribed' ? undefined : 'not-subscribed';
}

async function nameOrganisations(recipients: AudienceRecipient[]): Promise<void> {
  const ids = [...new Set(recipients.map((r) => r.organisations[0]).filter(Boolean))];
  if (!ids.length) return;
  const names = new Map((await Organisation.find({ _id: { $in: ids } }, { name: 1 }).lean()).map((o) => [String(o._id), o.name]));
  for (const recipient of recipients) if (recipient.organisations[0]) recipient.organisation = names.get(recipient.organisations[0]);
}

/** The count, the exclusions and a few names: what staff see before approving and sending. */
export async function audienceSummary(spec: { list: string | Types.ObjectId; segment?: string | Types.ObjectId | null }): Promise<AudienceSummary> {
  const list = await List.findById(spec.list, { legalBasis: 1 }).lean();
  if (!list) return { basis: 'consent', count: 0, excluded: Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>, sample: [] };
  const { basis, recipients, excluded } = await evaluateAudience({ list, segment: spec.segment ? String(spec.segment) : null });
  return { basis, count: recipients.length, excluded, sample: sampleNames(recipients) };
}

export function sampleNames(recipients: AudienceRecipient[]): string[] {
  return [...recipients]
    .sort((a, b) => a.sortName.localeCompare(b.sortName, 'fr'))
    .slice(0, SAMPLE_SIZE)
    .map((r) => `${[r.firstName, r.lastName].filter(Boolean).join(' ') || r.email}${r.organisation ? ` (${r.organisation})` : ''}`);
}

/**
 * Freezes a mailing's audience: one delivery per recipient, the total on the mailing. Safe to
 * run again after a crash (deliveries are unique per mailing and contact). Recipients of a
 * legitimate-interest list without a subscription get one, so that every message carries a
 * working link to object (unsubscribe).
 */
export async function resolveAudience(mailing: MailingRecord): Promise<AudienceSummary> {
  const readAt = new Date(Date.now() - 1000); // overlap: a write in flight during the read is looked at again
  const logPositionAtRead = await logPosition();
  const list = (await List.findById(mailing.list).lean())!;
  const { basis, recipients, excluded } = await evaluateAudience({ list, segment: mailing.segment ? String(mailing.segment) : null });
  if (basis === 'legitimate-interest') await subscribeUnlisted(list, recipients);
  for (let start = 0; start < recipients.length; start += 1000) {
    await insertIgnoringDuplicates(
      Delivery,
      recipients.slice(start, start + 1000).map((r) => ({
        mailing: mailing._id,
        contact: new Types.ObjectId(r.id),
        subscription: r.subscription,
        email: r.email,
        firstName: r.firstName,
        lastName: r.lastName,
        organisation: r.organisation,
      })),
    );
  }
  const total = await Delivery.countDocuments(deliveriesOf(mailing));
  await Mailing.updateOne({ _id: mailing._id }, { $set: { total, audienceResolvedAt: new Date(), audienceReadAt: readAt, audienceLogPosition: logPositionAtRead } });
  return { basis, count: total, excluded, sample: sampleNames(recipients) };
}

/** Resolves a mailing's audience now if it has none yet: the worker does it before forking the sending process, which then keeps no contact index. */
export async function ensureAudience(mailingId: string): Promise<void> {
  const mailing = await Mailing.findById(mailingId).lean();
  if (mailing?.status === 'sending' && !mailing.audienceResolvedAt) await resolveAudience(mailing);
}

async function subscribeUnlisted(list: ListRecord, recipients: AudienceRecipient[]): Promise<void> {
  const missing = recipients.filter((r) => !r.subscription);
  const at = new Date();
  for (let start = 0; start < missing.length; start += 1000) {
    const chunk = missing.slice(start, start + 1000);
    for (const r of chunk) r.subscription = new Types.ObjectId();
    await insertIgnoringDuplicates(
      Subscription,
      chunk.map((r) => ({
        _id: r.subscription,
        contact: new Types.ObjectId(r.id),
        list: list._id,
        status: 'subscribed',
        source: 'staff',
        consent: { at, source: 'staff', wording: list.consentWording ?? '' },
      })),
    );
  }
  if (!missing.length) return;
  // another process may have created some first: use the stored ones
  const stored = await Subscription.find({ list: list._id, contact: { $in: missing.map((r) => new Types.ObjectId(r.id)) } }, { contact: 1 }).lean();
  const idOf = new Map(stored.map((s) => [String(s.contact), s._id]));
  for (const r of missing) r.subscription = idOf.get(r.id) ?? r.subscription;
}

async function insertIgnoringDuplicates(model: { insertMany(rows: object[], options: { ordered: false }): Promise<unknown> }, rows: object[]): Promise<void> {
  if (!rows.length) return;
  try {
    await model.insertMany(rows, { ordered: false });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}
