import type { Document, WithId } from 'mongodb';
import mongoose, { Types } from 'mongoose';
import { AppError, badRequest, conflict, notFound } from '../lib/errors.js';
import { isDuplicateKey, rawCollection, withId } from '../lib/db.js';
import { normalizeEmail, normalizeText } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { historyOf } from '../history/history.service.js';
import { memberOf } from '../memberships/member-state.js';
import { Organisation } from '../organisations/organisation.model.js';
import { assertOrganisations } from '../organisations/organisation.service.js';
import { Suppression } from '../suppressions/suppression.model.js';
import { emailHash, suppress } from '../suppressions/suppression.service.js';
import { getTerritory, assertTerritories, territoryScope } from '../territories/territory.service.js';
import { assertThemes } from '../themes/theme.service.js';
import type { Actor } from '../users/user.service.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { assertCodes } from '../vocabularies/vocabulary.service.js';
import { contactQuery } from './contact.filter.js';
import {
  contactIdsOfOrganisation,
  contactNames,
  contactPage,
  deleteContact as deleteStoredContact,
  findContact,
  findContactByAddress,
  HISTORY_FIELDS,
  insertContact,
  mergeInto,
  noteFactsChanged,
  removeTheme,
  saveContact,
  type Change,
} from './contact.store.js';
import type { ContactCreateInput, ContactFilter, ContactUpdateInput } from './contact.schemas.js';

export { HISTORY_FIELDS };

/** A write by staff (or by the system when there is no actor). */
const byStaff = (actor?: Actor): Change => ({ actor, via: 'staff' });

type ContactLike = {
  firstName?: string | null;
  lastName?: string | null;
  email: string;
  emails?: string[] | null;
  function?: string | null;
  organisations?: (Types.ObjectId | string)[] | null;
  territories?: string[] | null;
};
type OrganisationFacts = { _id: Types.ObjectId | string; name: string; type: string };
export type Derived = { searchTokens: string[]; territoryScope: string[]; organisationTypes: string[]; sortName: string };

let functionLabels: { at: number; labels: Map<string, string> } | undefined;

/** Function labels change rarely: read them at most every 30 s, not once per contact. */
async function functionLabel(code: string | null | undefined): Promise<string> {
  if (!code) return '';
  if (!functionLabels || Date.now() - functionLabels.at > 30_000) {
    const entries = await Vocabulary.find({ kind: 'functions' }, { code: 1, label: 1 }).lean();
    functionLabels = { at: Date.now(), labels: new Map(entries.map((e) => [e.code, e.label])) };
  }
  return functionLabels.labels.get(code) ?? code;
}

/**
 * The one place where a contact's derived fields are computed (importers call it too):
 * `searchTokens` (the words of names, e-mails, organisation names, function: folded),
 * `territoryScope` (tags + ancestors), `organisationTypes`, `sortName`. Pass the contact's
 * organisations when you have them (batch imports); otherwise they are read.
 */
export async function deriveContactFields<T extends ContactLike>(contact: T, organisations?: readonly OrganisationFacts[]): Promise<T & Derived> {
  const ids = (contact.organisations ?? []).map(String);
  const known = organisations ?? (ids.length ? await Organisation.find({ _id: { $in: ids } }, { name: 1, type: 1 }).lean() : []);
  const mine = known.filter((o) => ids.includes(String(o._id)));
  const emails = [contact.email, ...(contact.emails ?? [])].filter(Boolean);
  const words = normalizeText(
    [contact.firstName, contact.lastName, ...emails, ...mine.map((o) => o.name), contact.function, await functionLabel(contact.function)].join(' '),
  );
  const emailParts = emails.flatMap((e) => normalizeText(e).split(/[.@]/));
  const searchTokens = [...new Set([...words.split(' '), ...emailParts])].filter(Boolean);
  const name = normalizeText(`${contact.lastName ?? ''} ${contact.firstName ?? ''}`);
  return Object.assign(contact, {
    searchTokens,
    territoryScope: territoryScope(contact.territories ?? []),
    organisationTypes: [...new Set(mine.map((o) => o.type))],
    sortName: name || normalizeText(contact.email),
  });
}

/** Checks every reference of a contact input, naming the field of the first unknown value. */
async function assertReferences(input: Partial<ContactCreateInput>): Promise<void> {
  if (input.function) await assertCodes('functions', [input.function], 'function');
  await assertCodes('dispositifs', input.dispositifs ?? [], 'dispositifs');
  await assertThemes(input.themes ?? [], 'themes');
  assertTerritories(input.territories ?? [], 'territories');
  await assertOrganisations(input.organisations ?? [], 'organisations');
}

/** The contact holding this address (primary or other), found through the in-memory index. */
export async function findContactByEmail(email: string) {
  const address = normalizeEmail(email);
  // No database fallback (a full scan on FerretDB): every write goes through the store, which logs it.
  return findContactByAddress(address);
}

const displayName = (c: { firstName?: string | null; lastName?: string | null; email: string }) =>
  `${c.firstName ?? ''} ${c.lastName ?? ''}`.trim() || c.email;

/** 409 naming the contact that already holds one of these addresses (other than `self`). */
async function assertAddressesFree(addresses: string[], self?: Types.ObjectId): Promise<void> {
  for (const address of addresses) {
    const existing = await findContactByEmail(address);
    if (existing && !existing._id.equals(self)) {
      throw new AppError(409, 'duplicate', `Un contact existe déjà avec l'adresse ${address} : ${displayName(existing)}.`, 'email', {
        existing: { id: String(existing._id), name: displayName(existing), email: existing.email },
      });
    }
  }
}

/** An erased person's address comes back only through a new explicit consent (which lifts the suppression). */
async function assertNotErased(email: string): Promise<void> {
  if (await Suppression.exists({ emailHash: emailHash(email), reason: 'erased' })) {
    throw new AppError(
      409,
      'erased',
      'Cette adresse appartient à une personne dont les données ont été effacées à sa demande (RGPD) : elle ne peut revenir que par un nouveau consentement explicite.',
      'email',
    );
  }
}

function otherEmails(primary: string, emails: readonly string[] | undefined | null): string[] {
  return [...new Set((emails ?? []).map(normalizeEmail))].filter((e) => e && e !== primary);
}

export async function createContact(input: ContactCreateInput, actor?: Actor, change: Change = byStaff(actor)) {
  const email = normalizeEmail(input.email);
  const emails = otherEmails(email, input.emails);
  await assertReferences(input);
  await assertNotErased(email);
  await assertAddressesFree([email, ...emails]);
  const fields = await deriveContactFields({ ...input, email, emails });
  return insertContact({ ...fields, createdBy: actor?.id, updatedBy: actor?.id }, change);
}

/** The contact with this address, or a new one; `created` tells which. Existing values are kept. */
export async function findOrCreateContactByEmail(input: ContactCreateInput, actor?: Actor, change: Change = byStaff(actor)) {
  const existing = await findContactByEmail(input.email);
  if (existing) return { contact: existing, created: false };
  try {
    return { contact: await createContact(input, actor, change), created: true };
  } catch (error) {
    // created meanwhile by another request: the store's log now has it
    if (!isDuplicateKey(error)) throw error;
    const found = await findContactByEmail(input.email);
    if (!found) throw error;
    return { contact: found, created: false };
  }
}

export async function getContact(id: string) {
  const contact = await findContact(id);
  if (!contact) throw notFound('Contact');
  return contact;
}

export async function updateContact(id: string, input: ContactUpdateInput, actor?: Actor, change: Change = byStaff(actor)) {
  const contact = await getContact(id);
  if (contact.erasedAt) throw badRequest('Ce contact a été effacé (RGPD) : il ne peut plus être modifié.');
  const changes = Object.fromEntries(HISTORY_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])) as Partial<ContactCreateInput>;
  await assertReferences(changes);
  if (changes.email !== undefined) changes.email = normalizeEmail(changes.email);
  const email = changes.email ?? contact.email;
  if (changes.emails !== undefined || changes.email !== undefined) changes.emails = otherEmails(email, changes.emails ?? contact.emails);
  if (changes.email && changes.email !== contact.email) await assertNotErased(changes.email);
  await assertAddressesFree([email, ...(changes.emails ?? [])], contact._id);
  const before = contact.toObject();
  contact.set({ ...changes, updatedBy: actor?.id });
  contact.set(await deriveContactFields(contact.toObject()));
  await saveContact(contact, before, change);
  return contact;
}

export async function deleteContact(id: string, actor?: Actor) {
  const contact = await getContact(id);
  await deleteStoredContact(contact, byStaff(actor));
  return contact;
}

export const CONTACT_SORTABLE = ['sortName', 'lastName', 'firstName', 'email', 'createdAt', 'updatedAt', 'id'] as const;

/** A page of contacts, filtered and sorted by the store's one evaluator. */
export async function listContacts(query: ListQuery<ContactFilter>) {
  const where = await contactQuery(query.filter);
  // "lastName" sorts like the folded "lastname firstname"
  const field = ['lastName', 'name'].includes(query.sort.field) ? 'sortName' : query.sort.field;
  return contactPage(where, { sort: { field, order: query.sort.order }, skip: query.skip, limit: query.limit });
}

/** Re-derives the contacts of an organisation after it was renamed, retyped or deleted. */
export async function refreshContactsOfOrganisation(organisationId: Types.ObjectId, actor?: Actor): Promise<void> {
  const exists = await Organisation.exists({ _id: organisationId });
  for (const id of await contactIdsOfOrganisation(organisationId)) {
    const contact = await findContact(id);
    if (!contact) continue;
    const before = contact.toObject();
    if (!exists) contact.organisations = contact.organisations.filter((o) => !o.equals(organisationId));
    contact.set(await deriveContactFields(contact.toObject()));
    await saveContact(contact, before, { actor, via: 'organisation-change' });
  }
}

/** Untags a deleted theme from every contact holding it. */
export async function removeThemeFromContacts(themeId: Types.ObjectId, actor?: Actor): Promise<void> {
  await removeTheme(themeId, { actor, via: 'theme-deletion' });
}

export async function contactHistory(id: string) {
  await getContact(id);
  return historyOf('contacts', id);
}

/** The other features' references to a contact, by collection and field (team contract). */
type ContactReference = {
  collection: string;
  field: string;
  /** A key derived from the contact, kept in step with it (a membership's member). */
  key?: { field: string; of: (contact: Types.ObjectId) => string };
  /** Rows that would clash stop a merge instead of being dropped: they carry dues. */
  refuseClash?: (clashing: Record<string, unknown>[]) => string;
};

export const CONTACT_REFERENCES: ReadonlyArray<ContactReference> = [
  { collection: 'subscriptions', field: 'contact' },
  { collection: 'deliveries', field: 'contact' },
  {
    collection: 'memberships',
    field: 'contact',
    key: { field: 'memberKey', of: (contact) => memberOf({ contact }) },
    refuseClash: (rows) =>
      `Les deux contacts ont chacun une adhésion pour ${rows.map((row) => row.year).join(', ')} : supprimez ou modifiez l’une d’elles avant de les fusionner.`,
  },
  { collection: 'memberships', field: 'representative' },
  { collection: 'solicitations', field: 'requester' },
  { collection: 'event_registrations', field: 'contact' },
];


type Repoint = { reference: ContactReference; row: WithId<Document>; set: Record<string, unknown>; clashes: boolean };

/**
 * What re-pointing every reference from one contact to another would do, row by row: the
 * new values (the reference and its derived key) and whether the kept contact already has
 * an equal row. Clashes are looked up through the collection's unique indexes beforehand,
 * because FerretDB/SQLite reports a unique violation on update as an internal error.
 */
async function plannedRepoints(from: Types.ObjectId, to: Types.ObjectId): Promise<Repoint[]> {
  const existing = new Set((await mongoose.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const planned: Repoint[] = [];
  for (const reference of CONTACT_REFERENCES) {
    const { collection: name, field, key } = reference;
    if (!existing.has(name)) continue;
    const set = { [field]: to, ...(key ? { [key.field]: key.of(to) } : {}) };
    const uniqueKeys = (await rawCollection(name).indexes())
      .filter((index) => index.unique && Object.keys(set).some((changed) => changed in index.key))
      .map((index) => Object.keys(index.key));
    for (const row of await rawCollection(name).find({ [field]: from }).toArray()) {
      const after = { ...row, ...set };
      const clashes = await Promise.all(
        uniqueKeys.map((keys) => rawCollection(name).countDocuments({ ...Object.fromEntries(keys.map((k) => [k, after[k] ?? null])), _id: { $ne: row._id } }, { limit: 1 })),
      );
      planned.push({ reference, row, set, clashes: clashes.some(Boolean) });
    }
  }
  return planned;
}

/** Re-points the references; a row that would duplicate one the kept contact has (same list, same mailing...) is dropped. */
async function repoint(planned: readonly Repoint[]): Promise<void> {
  for (const { reference, row, set, clashes } of planned) {
    if (clashes) await rawCollection(reference.collection).deleteOne({ _id: row._id });
    else await rawCollection(reference.collection).updateOne({ _id: row._id }, { $set: set });
  }
  const rows = (name: string) => planned.filter((p) => p.reference.collection === name).map((p) => p.row._id);
  await noteFactsChanged({ subscriptions: rows('subscriptions'), memberships: rows('memberships') });
}

const union = <T>(a: readonly T[] | null | undefined, b: readonly T[] | null | undefined, key: (v: T) => string = String) => {
  const seen = new Map<string, T>();
  for (const v of [...(a ?? []), ...(b ?? [])]) if (!seen.has(key(v))) seen.set(key(v), v);
  return [...seen.values()];
};

/**
 * Merges `sourceId` into `targetId`: the kept contact gains every e-mail, phone, tag and
 * organisation of the other, fills its empty fields from it, takes over its subscriptions,
 * deliveries, memberships and solicitations, and both histories. The other is deleted.
 */
export async function mergeContacts(targetId: string, sourceId: string, actor?: Actor) {
  if (targetId === sourceId) throw badRequest('Un contact ne peut pas être fusionné avec lui-même.', 'source');
  const target = await getContact(targetId);
  const source = await findContact(sourceId);
  if (!source) throw badRequest(`Contact à fusionner introuvable « ${sourceId} ».`, 'source');
  if (target.erasedAt || source.erasedAt) throw badRequest('Un contact effacé (RGPD) ne peut pas être fusionné.', 'source');
  const repoints = await plannedRepoints(source._id, target._id);
  for (const reference of CONTACT_REFERENCES) {
    const refused = repoints.filter((r) => r.reference === reference && r.clashes).map((r) => r.row);
    if (reference.refuseClash && refused.length) throw conflict(reference.refuseClash(refused), 'source');
  }
  const before = target.toObject();
  const s = source.toObject();
  const merged = {
    emails: otherEmails(target.email, union(target.emails, [s.email, ...s.emails])),
    phones: union(target.phones, s.phones),
    organisations: union(target.organisations, s.organisations),
    dispositifs: union(target.dispositifs, s.dispositifs),
    themes: union(target.themes, s.themes),
    territories: union(target.territories, s.territories),
    notes: [target.notes, s.notes].filter(Boolean).join('\n\n'),
    civility: target.civility ?? s.civility,
    firstName: target.firstName || s.firstName,
    lastName: target.lastName || s.lastName,
    function: target.function ?? s.function,
    updatedBy: actor?.id,
  };
  target.set(merged);
  target.set(await deriveContactFields(target.toObject()));
  await mergeInto(target, before, source, { actor, via: 'merge' });
  await repoint(repoints);
  return target;
}

/**
 * Possible duplicates: contacts with the same folded name, or the same last name in the same
 * organisation ("J. Martin" and "Julie Martin" at the same commune). Done in code: grouping
 * on derived keys needs string operators FerretDB lacks.
 */
export async function findDuplicates(limit = 200) {
  const contacts = (await contactNames()).filter((c) => c.sortName);
  const groups = new Map<string, { reason: 'same-name' | 'same-name-and-organisation'; ids: Set<string> }>();
  const add = (key: string, reason: 'same-name' | 'same-name-and-organisation', id: string) => {
    const group = groups.get(key) ?? { reason, ids: new Set<string>() };
    group.ids.add(id);
    groups.set(key, group);
  };
  for (const c of contacts) {
    const lastName = normalizeText(c.lastName ?? '');
    if (!lastName) continue;
    add(`name:${c.sortName}`, 'same-name', c.id);
    for (const o of c.organisations) add(`org:${o}:${lastName}`, 'same-name-and-organisation', c.id);
  }
  const byId = new Map(contacts.map((c) => [c.id, c]));
  const seen = new Set<string>();
  const result = [];
  for (const group of groups.values()) {
    if (group.ids.size < 2) continue;
    const signature = [...group.ids].sort().join(',');
    if (seen.has(signature)) continue;
    seen.add(signature);
    result.push({
      reason: group.reason,
      contacts: [...group.ids].map((id) => {
        const c = byId.get(id)!;
        return { id, firstName: c.firstName, lastName: c.lastName, email: c.email, organisations: c.organisations };
      }),
    });
    if (result.length >= limit) break;
  }
  return result;
}

/** RGPD right of access: everything held on the person, in one JSON document. */
export async function exportContactData(id: string) {
  const contact = await getContact(id);
  const references = Object.fromEntries(
    await Promise.all(
      [...new Set(CONTACT_REFERENCES.map((r) => r.collection))].map(async (name) => {
        const fields = CONTACT_REFERENCES.filter((r) => r.collection === name).map((r) => ({ [r.field]: contact._id }));
        const rows = await rawCollection(name).find({ $or: fields }).toArray();
        return [name, rows.map((row) => withId(row))];
      }),
    ),
  );
  const organisations = await Organisation.find({ _id: { $in: contact.organisations } }).lean();
  return {
    exportedAt: new Date().toISOString(),
    contact: withId(contact.toObject()),
    organisations: organisations.map(withId),
    territories: contact.territories.map((t) => getTerritory(t) ?? { id: t }),
    history: await historyOf('contacts', id),
    ...references,
  };
}

/**
 * RGPD erasure: names, addresses, phones, notes, organisations and history values are
 * removed; the record stays (themes, territories at département level, function, source and
 * dates) so that yearly figures still add up. The e-mail joins the suppression list, hashed.
 */
export async function eraseContact(id: string, actor?: Actor) {
  const contact = await getContact(id);
  if (contact.erasedAt) return contact;
  for (const address of [contact.email, ...contact.emails]) await suppress(address, 'erased', 'rgpd');
  // territories kept at département level (or région, quality): enough for figures, too coarse to identify
  const scope = territoryScope(contact.territories);
  const departements = scope.filter((t) => /^(departement|qualite)-/.test(t));
  const coarse = departements.some((t) => t.startsWith('departement-')) ? departements : scope.filter((t) => /^(region|qualite)-/.test(t));
  contact.set({
    civility: undefined,
    firstName: '',
    lastName: '',
    email: `efface-${contact._id}@efface.invalid`,
    emails: [],
    phones: [],
    organisations: [],
    notes: '',
    territories: coarse,
    erasedAt: new Date(),
    updatedBy: actor?.id,
  });
  contact.set(await deriveContactFields(contact.toObject()));
  contact.set({ searchText: undefined, searchTokens: [], sortName: '' });
  await saveContact(contact, {}, { actor, via: 'erasure' }, 'erase');
  const left = await rawCollection('subscriptions').find({ contact: contact._id, status: { $in: ['pending', 'subscribed'] } }, { projection: { _id: 1 } }).toArray();
  await rawCollection('subscriptions').updateMany(
    { _id: { $in: left.map((s) => s._id) } },
    { $set: { status: 'unsubscribed', unsubscribedAt: new Date(), unsubscribeSource: 'staff' } },
  );
  await noteFactsChanged({ subscriptions: left.map((s) => s._id) });
  return contact;
}
