import { expect } from 'chai';
import { Types } from 'mongoose';
import { contactQuery } from '../../server/contacts/contact.filter.js';
import { loads } from '../../server/contacts/contact.index.js';
import { Contact } from '../../server/contacts/contact.model.js';
import type { ContactFilter } from '../../server/contacts/contact.schemas.js';
import { deriveContactFields } from '../../server/contacts/contact.service.js';
import { contactIdsMatching, contactPage, countContacts, insertContacts, newContactDefaults } from '../../server/contacts/contact.store.js';
import { List } from '../../server/lists/list.model.js';
import { memberOf, memberStateFrom, type MemberState, type MembershipFacts } from '../../server/memberships/member-state.js';
import { Membership } from '../../server/memberships/membership.model.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { createSegment } from '../../server/segments/segment.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { createSubscription, unsubscribe, updateSubscription } from '../../server/subscriptions/subscription.service.js';
import { createFeeSchedule, createMembership, deleteMembership, recordPayment, updateMembership } from '../../server/memberships/membership.service.js';
import type { Actor } from '../../server/users/user.service.js';
import { resetDatabase } from '../helpers.js';
import { themeIds } from './fixtures.js';

/**
 * The store's evaluator (the in-memory index) against the database itself (FerretDB running
 * the same Mongo filter), over every criterion of the filter vocabulary, on a generated base
 * of 2,400 varied contacts. Deterministic: a seeded generator.
 */
const COUNT = 2400;
const actor: Actor = { id: '64b000000000000000000001', role: 'staff', name: 'Test' };
const TERRITORIES = ['commune-93066', 'commune-69123', 'commune-13055', 'departement-59', 'departement-974', 'region-84', 'qualite-qpv', 'epci-200046977'];
const FUNCTIONS = ['coordo-asv', 'coordo-cls', 'coordo-clsm', 'elu', 'charge-mission'];
const DISPOSITIFS = ['asv', 'cls', 'clsm', 'pat', 'contrat-de-ville'];
const FIRST = ['Hélène', 'Éric', 'Inès', 'Noël', 'Zoé', 'Jean-Luc', 'Aïcha', 'Çağla', 'Marc', 'Lou'];
const LAST = ['Abadie', 'Bézier', 'Çelik', 'Dupré', 'Étienne', "N'Diaye", 'Martin', 'Le Goff', 'Payet', 'Benali'];

function random(seed: number) {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  return { next, pick: <T>(values: readonly T[]) => values[Math.floor(next() * values.length)], some: <T>(values: readonly T[], most: number) => [...new Set(Array.from({ length: Math.floor(next() * (most + 1)) }, () => values[Math.floor(next() * values.length)]))] };
}

describe('the contact store: one evaluator, the same answers as the database', function () {
  this.timeout(300_000);
  let themes: Record<string, string>;
  let organisations: Types.ObjectId[];
  let lists: Types.ObjectId[];
  let contactIds: Types.ObjectId[];
  let segment: string;

  before(async () => {
    await resetDatabase();
    themes = await themeIds();
    const r = random(42);
    const types = ['commune', 'epci', 'ars', 'association-locale'];
    organisations = (await Organisation.insertMany(Array.from({ length: 12 }, (_, i) => ({ name: `Structure ${i} ${r.pick(['Santé', 'Ville', 'Réseau'])}`, type: types[i % types.length] })))).map((o) => o._id);
    const orgFacts = await Organisation.find({}, { name: 1, type: 1 }).lean();
    const themeList = Object.values(themes);
    const at = new Date('2026-03-01T10:00:00Z');
    const docs = [];
    for (let i = 0; i < COUNT; i++) {
      const first = r.pick(FIRST);
      const last = r.pick(LAST);
      const doc = await deriveContactFields(
        {
          ...newContactDefaults(),
          _id: new Types.ObjectId(),
          firstName: r.next() < 0.05 ? '' : first,
          lastName: last,
          email: `${first}.${last}.${i}@${r.pick(['ville.test', 'ars.test', 'asso.test'])}`.toLowerCase().normalize('NFD').replace(/[^a-z0-9.@-]/g, ''),
          emails: r.next() < 0.1 ? [`autre.${i}@perso.test`] : [],
          function: r.next() < 0.7 ? r.pick(FUNCTIONS) : undefined,
          organisations: r.some(organisations, 2),
          themes: r.some(themeList, 3).map((id) => new Types.ObjectId(id)),
          territories: r.some(TERRITORIES, 2),
          dispositifs: r.some(DISPOSITIFS, 2),
          createdAt: new Date(at.getTime() + i * 60_000),
          updatedAt: at,
          ...(r.next() < 0.03 ? { erasedAt: at } : {}),
        },
        orgFacts,
      );
      docs.push(doc);
    }
    for (let i = 0; i < docs.length; i += 500) await insertContacts(docs.slice(i, i + 500), { via: 'test' });
    contactIds = docs.map((d) => d._id);
    lists = (await List.find({}, { _id: 1 }).lean()).map((l) => l._id);
    const statuses = ['subscribed', 'subscribed', 'pending', 'unsubscribed', 'bounced'];
    await Subscription.insertMany(
      docs.flatMap((d) =>
        r.some(lists, 2).map((list) => ({ contact: d._id, list, status: r.pick(statuses), source: 'staff', consent: { at, source: 'staff', confirmedAt: at } })),
      ),
      { ordered: false },
    );
    const year = new Date().getFullYear();
    const memberships = [];
    for (let i = 0; i < 150; i++) {
      const contact = r.pick(contactIds);
      const y = r.pick([year, year, year - 1, year - 3]);
      const status = r.pick(['paid', 'due', 'waived']);
      memberships.push({ contact, memberKey: memberOf({ contact }), year: y, category: 'personne-physique', fee: 20, paymentStatus: status, ...(status === 'paid' ? { paidAt: new Date(`${y}-02-01T10:00:00Z`) } : {}) });
    }
    for (const [i, organisation] of organisations.slice(0, 6).entries()) {
      memberships.push({ organisation, representative: contactIds[i], memberKey: memberOf({ organisation }), year, category: 'association', fee: 100, paymentStatus: i % 2 ? 'paid' : 'due', ...(i % 2 ? { paidAt: new Date(`${year}-01-15T10:00:00Z`) } : {}) });
    }
    await Membership.insertMany(
      [...new Map(memberships.map((m) => [`${m.memberKey}:${m.year}`, m])).values()].map((m) => ({ ...m, createdAt: at, updatedAt: at })),
    );
    segment = String((await createSegment({ name: 'Coordinations de Seine-Saint-Denis', filter: { territories: ['departement-93'], functions: ['coordo-asv', 'coordo-cls'] } }))._id);
  });

  const filters = (): ContactFilter[] => [
    {},
    { q: 'hel' },
    { q: 'ETIENNE' },
    { q: 'structure sante' },
    { q: 'ville.test' },
    { q: 'autre' },
    { q: 'jean luc' },
    // as staff type them: punctuation, accents, case, an address fragment
    { q: "N'Diaye" },
    { q: 'Jean-Luc' },
    { q: 'çelik' },
    { q: '  LE   goff ' },
    { q: 'bézier@' },
    { themes: [themes['sante-mentale']] },
    { themes: [themes['cadre-vie']] },
    { themes: [themes['cadre-vie'], themes.alimentation] },
    { themes: [themes['cadre-vie'], themes.alimentation], themesMode: 'all' },
    { territories: ['departement-93'] },
    { territories: ['region-84', 'qualite-qpv'] },
    { territories: ['region-11'] },
    { organisationTypes: ['epci'] },
    { organisationTypes: ['commune', 'ars'] },
    { organisations: [String(organisations[0]), String(organisations[5])] },
    { functions: ['coordo-asv'] },
    { functions: ['elu', 'charge-mission'] },
    { dispositifs: ['asv'] },
    { dispositifs: ['pat', 'clsm'] },
    { lists: [String(lists[0])] },
    { lists: [String(lists[0]), String(lists[1])], subscriptionStatus: ['unsubscribed', 'bounced'] },
    { lists: [String(lists[2])], subscriptionStatus: ['pending'] },
    { membership: ['a-jour'] },
    { membership: ['en-retard'] },
    { membership: ['ancien-membre'] },
    { membership: ['non-membre'] },
    { membership: ['a-jour', 'non-membre'] },
    { segment },
    { segment, q: 'a' },
    { id: contactIds.slice(0, 40).map(String) },
    { q: 'e', territories: ['region-84', 'departement-59'], themes: [themes.habitat], lists: [String(lists[0])] },
    { functions: ['coordo-asv'], dispositifs: ['asv'], membership: ['non-membre'], organisationTypes: ['commune'] },
  ];

  /**
   * The database's answer: the contacts FerretDB finds for the other criteria, kept when the
   * `subscriptions` and `memberships` collections themselves say so (the store answers those
   * two criteria from its memory: this checks that memory against the collections).
   */
  async function fromDatabase(filter: ContactFilter): Promise<string[]> {
    const { lists: wantedLists, subscriptionStatus, membership, ...rest } = filter;
    let found = await Contact.find(await contactQuery(rest), { _id: 1, sortName: 1, organisations: 1 }).lean();
    if (wantedLists?.length) {
      const rows = await Subscription.find({ list: { $in: wantedLists }, status: { $in: subscriptionStatus ?? ['subscribed'] } }, { contact: 1 }).lean();
      const subscribed = new Set(rows.map((row) => String(row.contact)));
      found = found.filter((c) => subscribed.has(String(c._id)));
    }
    if (membership?.length) {
      const states = await memberStatesFromDatabase();
      const linked = (c: { _id: unknown; organisations?: unknown[] }) => [String(c._id), ...(c.organisations ?? []).map(String)].flatMap((id) => [...(states.get(id) ?? [])]);
      // a contact is a non-member when nothing links it to a member in another state
      found = membership.includes('non-membre')
        ? found.filter((c) => linked(c).every((state) => membership.includes(state)))
        : found.filter((c) => linked(c).some((state) => membership.includes(state)));
    }
    return found.sort((a, b) => (a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : String(a._id) < String(b._id) ? -1 : 1)).map((c) => String(c._id));
  }

  /** Contact or organisation id → the states of the members it stands for (members only), straight from the collection. */
  async function memberStatesFromDatabase(): Promise<Map<string, Set<MemberState>>> {
    const byMember = new Map<string, { facts: MembershipFacts[]; holders: string[] }>();
    for (const row of await Membership.find({}).lean()) {
      const member = byMember.get(row.memberKey) ?? { facts: [], holders: [] };
      member.facts.push(row);
      member.holders.push(...[row.contact, row.representative, row.organisation].filter(Boolean).map(String));
      byMember.set(row.memberKey, member);
    }
    const states = new Map<string, Set<MemberState>>();
    for (const { facts, holders } of byMember.values()) {
      const state = memberStateFrom(facts, new Date());
      if (state === 'non-membre') continue;
      for (const holder of holders) states.set(holder, (states.get(holder) ?? new Set()).add(state));
    }
    return states;
  }

  async function compare(list: ContactFilter[]): Promise<number> {
    let nonEmpty = 0;
    for (const filter of list) {
      const where = await contactQuery(filter);
      const fromDb = await fromDatabase(filter);
      const label = JSON.stringify(filter);
      expect(await contactIdsMatching(where), label).to.deep.equal(fromDb);
      expect(await countContacts(where), label).to.equal(fromDb.length);
      const page = await contactPage(where, { sort: { field: 'sortName', order: 1 }, skip: 5, limit: 10 });
      expect(page.items.map((c) => String(c.id)), label).to.deep.equal(fromDb.slice(5, 15));
      if (fromDb.length) nonEmpty++;
    }
    return nonEmpty;
  }

  it('answers every criterion, alone and combined, exactly like the database', async () => {
    expect(await compare(filters())).to.be.greaterThan(filters().length - 3); // the base is varied enough for the criteria to select
  });

  it('follows every kind of write of subscriptions and memberships, without reloading', async () => {
    const byList = filters().filter((f) => f.lists || f.membership);
    const loadsBefore = loads.count;
    const subscriptions = await Subscription.find({}, { _id: 1, contact: 1, list: 1, status: 1 }).limit(40).lean();
    // documents saved (staff change, unsubscription link), created, updated and deleted by queries
    await updateSubscription(String(subscriptions[0]._id), { status: subscriptions[0].status === 'unsubscribed' ? 'bounced' : 'unsubscribed' });
    await unsubscribe(String(subscriptions[1]._id), 'link');
    const unsubscribed = contactIds.find((id) => !subscriptions.some((s) => s.contact.equals(id)))!;
    await Subscription.deleteMany({ contact: unsubscribed, list: lists[0] });
    await createSubscription({ contact: String(unsubscribed), list: String(lists[0]), status: 'subscribed' });
    await Subscription.updateMany({ contact: subscriptions[2].contact }, { $set: { status: 'bounced' } });
    await Subscription.deleteOne({ _id: subscriptions[3]._id });
    await Subscription.updateOne({ _id: subscriptions[4]._id }, { $set: { status: 'pending' } });
    const year = new Date().getFullYear();
    await createFeeSchedule({ year, fees: [{ category: 'personne-physique', amount: 20 }] });
    const memberships = await Membership.find({ year }, { _id: 1, paymentStatus: 1, certificateNumber: 1 }).lean();
    const due = memberships.find((m) => m.paymentStatus === 'due')!;
    await recordPayment(String(due._id), { paymentMethod: 'cheque' }, actor);
    const another = memberships.find((m) => m.paymentStatus !== 'due' && !m.certificateNumber)!;
    await updateMembership(String(another._id), { paymentStatus: 'due' }, actor);
    const other = memberships.find((m) => m.paymentStatus === 'due' && !m.certificateNumber && !m._id.equals(due._id))!;
    await deleteMembership(String(other._id));
    const newcomer = contactIds.at(-1)!;
    await createMembership({ contact: String(newcomer), year, category: 'personne-physique', paymentStatus: 'waived' }, actor);
    expect(await compare(byList)).to.be.greaterThan(byList.length - 2);
    expect((await contactIdsMatching(await contactQuery({ membership: ['a-jour'] }))).includes(String(newcomer))).to.equal(true);
    expect(loads.count, 'caught up through the log, not reloaded').to.equal(loadsBefore);
  });
});
