import { Types } from 'mongoose';
import { rawCollection } from '../lib/db.js';
import { badRequest } from '../lib/errors.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import { memberOf, memberStateFrom, type MemberState } from '../memberships/member-state.js';
import { allListIds } from '../lists/list.service.js';
import { segmentFilter } from '../segments/segment.filter.js';
import { assertTerritories } from '../territories/territory.service.js';
import { assertThemes, themeDescendants } from '../themes/theme.service.js';
import { assertCodes } from '../vocabularies/vocabulary.service.js';
import type { ContactFilter } from './contact.schemas.js';
import { membershipFacts, subscriberIds, type MembershipFact } from './contact.store.js';

type Where = Record<string, unknown>;

/** The words of a search: each must begin one of the contact's `searchTokens`. */
export function searchWords(q: string | undefined): string[] {
  return [...new Set(normalizeText(q ?? '').split(' ').filter(Boolean))];
}

/**
 * The Mongo filter for the contact filter vocabulary (API.md): every criterion narrows the
 * result (AND); the values of one criterion widen it (OR), except themes in `all` mode.
 * Unknown codes or ids are a 400 naming `<field>.<criterion>`. Erased contacts are left out
 * unless asked for by id.
 */
export async function contactQuery(filter: ContactFilter, field = 'filter', depth = 0): Promise<Where> {
  const and: Where[] = [];
  const at = (name: string) => `${field}.${name}`;
  for (const word of searchWords(filter.q)) and.push({ searchTokens: { $regex: `^${escapeRegExp(word)}` } });
  if (filter.themes?.length) {
    await assertThemes(filter.themes, at('themes'));
    if (filter.themesMode === 'all') {
      for (const theme of filter.themes) and.push({ themes: { $in: objectIds(await themeDescendants([theme])) } });
    } else {
      and.push({ themes: { $in: objectIds(await themeDescendants(filter.themes)) } });
    }
  }
  if (filter.territories?.length) {
    assertTerritories(filter.territories, at('territories'));
    and.push({ territoryScope: { $in: filter.territories } });
  }
  if (filter.organisationTypes?.length) {
    await assertCodes('organisationTypes', filter.organisationTypes, at('organisationTypes'));
    and.push({ organisationTypes: { $in: filter.organisationTypes } });
  }
  if (filter.organisations?.length) and.push({ organisations: { $in: objectIds(filter.organisations) } });
  if (filter.functions?.length) {
    await assertCodes('functions', filter.functions, at('functions'));
    and.push({ function: { $in: filter.functions } });
  }
  if (filter.dispositifs?.length) {
    await assertCodes('dispositifs', filter.dispositifs, at('dispositifs'));
    and.push({ dispositifs: { $in: filter.dispositifs } });
  }
  if (filter.lists?.length) and.push(await subscribedTo(filter.lists, filter.subscriptionStatus ?? ['subscribed'], at('lists')));
  if (filter.membership?.length) and.push(await inMembershipStates(filter.membership));
  if (filter.segment) {
    if (depth > 3) throw badRequest('Trop de segments imbriqués.', at('segment'));
    const saved = await segmentFilter(filter.segment, at('segment'));
    and.push(await contactQuery(saved, at('segment'), depth + 1));
  }
  if (filter.events?.length) {
    await assertKnown('events', filter.events, 'Rencontre inconnue', at('events'));
    and.push({ _id: { $in: await registeredContactIds(filter.events, { attended: filter.eventAttendance === 'present' }) } });
  }
  if (filter.id?.length) and.push({ _id: { $in: objectIds(filter.id) } });
  else and.push({ erasedAt: null });
  return and.length === 1 ? and[0] : { $and: and };
}

function objectIds(ids: readonly string[]): Types.ObjectId[] {
  return ids.map((id) => new Types.ObjectId(id));
}


/**
 * The contacts registered to these events (not cancelled, not erased), or only those marked
 * present: the `events` criterion, and an event's audience (events/registration.service.ts).
 */
export async function registeredContactIds(events: readonly string[], options: { attended?: boolean } = {}): Promise<Types.ObjectId[]> {
  const where: Where = { event: { $in: objectIds(events) }, status: { $ne: 'cancelled' }, erasedAt: { $exists: false } };
  if (options.attended) where.attendance = 'present';
  const rows = await rawCollection('event_registrations').find(where, { projection: { contact: 1 } }).toArray();
  return [...new Map(rows.map((r) => [String(r.contact), r.contact as Types.ObjectId])).values()];
}

/** Rejects ids that name no document of `name` (looked up by `_id`). */
async function assertKnown(name: string, ids: readonly string[], message: string, field: string): Promise<void> {
  const wanted = [...new Set(ids)];
  const found = await rawCollection(name).find({ _id: { $in: objectIds(wanted) } }, { projection: { _id: 1 } }).toArray();
  if (found.length !== wanted.length) throw unknownIn(message, field);
}

const unknownIn = (message: string, field: string) => badRequest(`${message} pour le champ « ${field} ».`, field);

/** Contacts with a subscription in one of these states to one of these lists (from the store's memory). */
async function subscribedTo(lists: string[], statuses: string[], field: string): Promise<Where> {
  const known = await allListIds();
  if (!lists.every((id) => known.has(id))) throw unknownIn('Liste inconnue', field);
  return { _id: { $in: await subscriberIds(lists, statuses) } };
}

/**
 * Contacts by membership state this year (rule in memberships/member-state.ts): a contact
 * counts through its own membership, as the representative of a member, or through one of
 * its organisations. Non-members are the complement of the other states. The memberships'
 * facts come from the store's memory.
 */
async function inMembershipStates(states: MemberState[]): Promise<Where> {
  const byMember = new Map<string, { facts: MembershipFact[]; contacts: Set<string>; organisation?: string }>();
  for (const row of await membershipFacts()) {
    const key = memberOf(row);
    const member = byMember.get(key) ?? { facts: [] as MembershipFact[], contacts: new Set<string>(), organisation: row.organisation };
    member.facts.push(row);
    if (row.contact) member.contacts.add(row.contact);
    if (row.representative) member.contacts.add(row.representative);
    byMember.set(key, member);
  }
  const now = new Date();
  const wanted = new Set(states);
  const complement = wanted.has('non-membre');
  const contacts: string[] = [];
  const organisations: string[] = [];
  for (const member of byMember.values()) {
    const state = memberStateFrom(member.facts, now);
    if (state === 'non-membre' || wanted.has(state) === complement) continue;
    contacts.push(...member.contacts);
    if (member.organisation) organisations.push(member.organisation);
  }
  const among = { $or: [{ _id: { $in: objectIds(contacts) } }, { organisations: { $in: objectIds(organisations) } }] };
  return complement ? { $nor: [among] } : among;
}
