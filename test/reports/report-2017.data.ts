import mongoose, { Types } from 'mongoose';
import { noteContactsChanged } from '../../server/contacts/contact.index.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { List } from '../../server/lists/list.model.js';
import { createFeeSchedule, createMembership } from '../../server/memberships/membership.service.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { createSolicitation } from '../../server/solicitations/solicitation.service.js';
import { Theme } from '../../server/themes/theme.model.js';
import type { Actor } from '../../server/users/user.service.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';

/**
 * Data shaped like the 2017 activity report (000_*.txt, "Sollicitations" and "Vie associative"):
 * 63 solicitations in 2017 (50 in 2016), job-offer relays down from 30 % to 14 % (9 of 63 —
 * 15 % is not reachable with 63), a third from local authorities, a fifth from local
 * associations, more from national structures, requests from training bodies appearing;
 * 43 members both years, a third of them local authorities; 1,100-like contact growth (+30 %).
 */
const actor: Actor = { id: '64b000000000000000000002', role: 'staff', name: 'Jeu 2017' };

export const SOLICITATIONS = {
  2016: {
    types: { information: 20, 'relais-emploi': 15, 'relais-evenement': 9, 'mise-en-lien': 3, collaboration: 2, intervention: 1 },
    requesters: { collectivite: 17, 'association-locale': 12, 'structure-nationale': 3, 'ars-etat': 5, 'centre-ressources': 5, 'promotion-sante': 4, chercheur: 2, journaliste: 1, autre: 1 },
    fromMembers: 4,
  },
  2017: {
    types: { information: 24, 'relais-emploi': 9, 'relais-evenement': 10, 'mise-en-lien': 10, collaboration: 5, formation: 3, intervention: 2 },
    requesters: {
      collectivite: 20,
      'association-locale': 13,
      'structure-nationale': 9,
      'ars-etat': 5,
      'centre-ressources': 4,
      'promotion-sante': 4,
      'universite-formation': 3,
      chercheur: 2,
      journaliste: 2,
      autre: 1,
    },
    fromMembers: 6,
  },
} as const;

/** 43 members: 14 local authorities, 16 other legal persons, 13 natural persons (3 of them waived). */
export const MEMBERS = { commune: 10, epci: 4, 'association-nationale': 4, 'promotion-sante': 3, 'centre-ressources-pv': 3, 'association-locale': 6, naturalPaid: 10, naturalWaived: 3 };

/**
 * Runs `task` over `items`, `size` at a time. One at a time is the fastest here: FerretDB over
 * SQLite serialises writers, so concurrent seeding only adds lock waits (measured: 9 s vs 14 s).
 */
async function inPool<T>(items: readonly T[], task: (item: T, index: number) => Promise<unknown>, size = 1): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  }));
}

export const expand = (counts: Record<string, number>) => Object.entries(counts).flatMap(([code, n]) => Array<string>(n).fill(code));
const at = (year: number, index: number, total: number) => {
  // Spread over the year; the first one of each year falls 30 minutes after midnight in Paris
  // (still the previous year in UTC), so the Paris year boundary is exercised.
  if (index === 0) return new Date(`${year - 1}-12-31T23:30:00Z`);
  return new Date(Date.UTC(year, 0, 2) + Math.floor((index / total) * 360) * 86_400_000);
};

export async function insertRaw(collection: string, docs: Array<Record<string, unknown>>) {
  if (!docs.length) return;
  const { insertedIds } = await mongoose.connection.db!.collection(collection).insertMany(docs);
  // Contacts written outside contact.service.ts must be announced to the contacts' index.
  if (collection === 'contacts') await noteContactsChanged(Object.values(insertedIds));
}

async function seedMembers() {
  for (const year of [2016, 2017, 2018]) {
    await createFeeSchedule({
      year,
      fees: [
        { category: 'collectivite-20000-100000', amount: 150 },
        { category: 'association', amount: 80 },
        { category: 'personne-physique', amount: 20 },
      ],
    });
  }
  const memberContacts: string[] = [];
  const member = async (fields: { organisation?: string; representative?: string; contact?: string; category: string }, status: 'paid' | 'waived') => {
    for (const year of [2016, 2017]) {
      await createMembership({ ...fields, year, paymentStatus: status, paymentMethod: status === 'paid' ? 'virement' : undefined, paidAt: status === 'paid' ? new Date(`${year}-02-15T10:00:00Z`) : undefined }, actor);
    }
  };
  const organisations = Object.entries(MEMBERS)
    .filter(([key]) => !key.startsWith('natural'))
    .flatMap(([type, count]) => Array.from({ length: count }, (_, i) => ({ type, i })));
  const people = Array.from({ length: MEMBERS.naturalPaid + MEMBERS.naturalWaived }, (_, i) => i);
  const representatives = await Contact.insertMany(organisations.map(({ type, i }) => ({ email: `representant-${type}-${i}@adherents-2017.test`, firstName: 'Rep', lastName: `${type} ${i}` })));
  const persons = await Contact.insertMany(people.map((i) => ({ email: `adherent-${i}@adherents-2017.test`, firstName: 'Adhérent', lastName: String(i) })));
  memberContacts.push(...representatives.map((c) => String(c._id)), ...persons.map((c) => String(c._id)));
  await noteContactsChanged([...representatives, ...persons].map((c) => c._id));
  await inPool(organisations, async ({ type, i }, index) => {
    const organisation = await Organisation.create({ name: `Membre ${type} ${i + 1}`, type });
    const category = ['commune', 'epci'].includes(type) ? 'collectivite-20000-100000' : 'association';
    await member({ organisation: String(organisation._id), representative: String(representatives[index]._id), category }, 'paid');
  });
  await inPool(people, (i) => member({ contact: String(persons[i]._id), category: 'personne-physique' }, i < MEMBERS.naturalPaid ? 'paid' : 'waived'));
  // Two 2017 memberships recorded but never paid: not counted as members.
  for (let i = 0; i < 2; i++) {
    const late = await Contact.create({ email: `retard-${i}@adherents-2017.test` });
    await noteContactsChanged([late._id]);
    await createMembership({ contact: String(late._id), year: 2017, category: 'personne-physique' }, actor);
  }
  return memberContacts;
}

async function seedSolicitations(memberContacts: string[]) {
  for (const year of [2016, 2017] as const) {
    const shape = SOLICITATIONS[year];
    const types = expand(shape.types);
    const requesters = expand(shape.requesters);
    // Requesters other than members: inserted at once (matching by e-mail is tested in test/solicitations).
    const others = await Contact.insertMany(types.map((_, index) => ({ email: `demandeur-${year}-${index}@exemple.fr` })));
    await noteContactsChanged(others.map((c) => c._id));
    await inPool(types, async (type, index) => {
      const fromMember = index < shape.fromMembers;
      const receivedAt = at(year, index, types.length);
      await createSolicitation(
        {
          receivedAt,
          channel: index % 5 === 0 ? 'telephone' : 'email',
          type,
          requesterType: requesters[index],
          requester: fromMember ? memberContacts[index] : String(others[index]._id),
          status: 'answered',
          answeredAt: new Date(receivedAt.getTime() + (index % 5) * 86_400_000),
        },
        actor,
      );
    });
  }
  // 00:30 on 1 January 2018 in Paris: a 2018 solicitation, though 2017 in UTC.
  await createSolicitation({ receivedAt: new Date('2017-12-31T23:30:00Z'), channel: 'email', type: 'presse', requesterType: 'journaliste' }, actor);
}

/** Contacts: 40 at the end of 2016, 52 at the end of 2017 (+30 %), 39 of them qualified (75 %). */
async function seedContacts() {
  const theme = await Theme.findOne().lean();
  const docs = Array.from({ length: 52 }, (_, i) => ({
    email: `base-${i}@contacts-2017.test`,
    firstName: 'Contact',
    lastName: String(i),
    themes: i < 39 ? [theme!._id] : [],
    territories: i < 39 ? ['departement-93'] : [],
    territoryScope: i < 39 ? ['departement-93', 'region-11'] : [], // as the store derives it
    organisationTypes: [i % 2 ? 'commune' : 'association-locale'],
    emails: [],
    organisations: [],
    createdAt: i < 40 ? new Date(`2016-0${1 + (i % 9)}-10T10:00:00Z`) : new Date(`2017-0${1 + (i % 9)}-10T10:00:00Z`),
    updatedAt: new Date('2017-12-01T10:00:00Z'),
  }));
  // The 41st contact arrives at 00:30 on 1 January 2017 in Paris (2016 in UTC): a 2017 contact.
  docs[40].createdAt = new Date('2016-12-31T23:30:00Z');
  await insertRaw('contacts', docs);
}

/** A subscription as stored, joined through the public form (and left, when `left` is given). */
export const subscriptionDoc = (list: Types.ObjectId, joined: Date, left?: Date) => ({
  contact: new Types.ObjectId(),
  list,
  status: left ? 'unsubscribed' : 'subscribed',
  source: 'form',
  consent: { at: joined, source: 'form', wording: 'Oui', confirmedAt: joined },
  ...(left ? { unsubscribedAt: left } : {}),
  createdAt: joined,
  updatedAt: left ?? joined,
});

/** Newsletter list: 500 subscribers at the end of 2016, 420 joined and 20 left in 2017 → 900. Network list: 1,000 → 1,250. */
async function seedSubscriptions() {
  const newsletter = await List.findOne({ code: 'lettre-mensuelle' }).lean();
  const network = await List.findOne({ code: 'informations-reseau' }).lean();
  const sub = subscriptionDoc;
  const docs = [
    ...Array.from({ length: 500 }, (_, i) => sub(newsletter!._id, new Date(`2016-0${1 + (i % 9)}-05T10:00:00Z`), i < 20 ? new Date(`2017-0${1 + (i % 9)}-20T10:00:00Z`) : undefined)),
    ...Array.from({ length: 420 }, (_, i) => sub(newsletter!._id, new Date(`2017-0${1 + (i % 9)}-12T10:00:00Z`))),
    ...Array.from({ length: 1250 }, (_, i) => sub(network!._id, i < 1000 ? new Date('2016-05-05T10:00:00Z') : new Date('2017-05-05T10:00:00Z'))),
  ];
  await insertRaw('subscriptions', docs);
}

/** 10 monthly newsletters sent in 2017 (none in August and December), 48 news items. */
async function seedNewsletters() {
  const months = ['01', '02', '03', '04', '05', '06', '07', '09', '10', '11'];
  await insertRaw(
    'newsletters',
    months.map((month) => ({ month: `2017-${month}`, slug: `lettre-2017-${month}`, title: `Lettre ${month}/2017`, status: 'sent', sentAt: new Date(`2017-${month}-02T08:00:00Z`), content: {} })),
  );
  const categories = new Map((await Vocabulary.find({ kind: 'newsCategories' }).lean()).map((v) => [v.code, v._id]));
  const news = expand({ 'offres-emploi': 12, evenements: 16, 'politique-nationale': 8, 'articles-ouvrages': 12 });
  await insertRaw(
    'news',
    news.map((category, i) => ({ title: `Actualité ${i}`, publishedAt: new Date(`2017-0${1 + (i % 9)}-15T10:00:00Z`), category: categories.get(category), guid: `maillage:2017-${i}`, themes: [], territories: [] })),
  );
}

export async function seed2017Report(): Promise<void> {
  let t = Date.now();
  const lap = (label: string) => { if (process.env.SEED_TIMING) console.log(label, Date.now() - t); t = Date.now(); };
  const memberContacts = await seedMembers();
  lap('members');
  await seedSolicitations(memberContacts);
  lap('solicitations');
  await seedContacts();
  await seedSubscriptions();
  await seedNewsletters();
  lap('rest');
}
