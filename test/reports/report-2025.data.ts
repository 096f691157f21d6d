import { noteContactsChanged } from '../../server/contacts/contact.index.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { List } from '../../server/lists/list.model.js';
import { createFeeSchedule, createMembership } from '../../server/memberships/membership.service.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { createSolicitation } from '../../server/solicitations/solicitation.service.js';
import type { Actor } from '../../server/users/user.service.js';
import { Vocabulary } from '../../server/vocabularies/vocabulary.model.js';
import { expand, insertRaw, subscriptionDoc } from './report-2017.data.js';

/**
 * Data shaped like the 2025 activity report (/work/shared/seeds 002_*.txt) in the base's first
 * year: nothing recorded for 2024, so no sentence may compare. 517 news items, about 400 new
 * newsletter subscribers (33 a month) and one unsubscription a month, 12 letters, 28 members
 * (17 legal persons, 11 natural persons), 120 solicitations of which about fifty ask for
 * collaboration, support or networking.
 */
const actor: Actor = { id: '64b000000000000000000003', role: 'staff', name: 'Jeu 2025' };

export const SOLICITATIONS_2025 = {
  types: { information: 40, 'relais-emploi': 20, 'relais-evenement': 10, 'mise-en-lien': 20, collaboration: 30 },
  requesters: { collectivite: 45, 'association-locale': 25, 'structure-nationale': 15, 'ars-etat': 10, 'centre-ressources': 8, 'promotion-sante': 7, 'universite-formation': 5, chercheur: 3, journaliste: 2 },
  fromMembers: 12,
};
/** 17 legal persons (8 local authorities) and 11 natural persons. */
const LEGAL_MEMBERS = { commune: 6, epci: 2, 'association-locale': 5, 'association-nationale': 2, 'promotion-sante': 2 };
const NATURAL_MEMBERS = 11;

const dayOf2025 = (index: number, total: number) => new Date(Date.UTC(2025, 0, 3) + Math.floor((index / total) * 355) * 86_400_000);


async function seedMembers(): Promise<string[]> {
  await createFeeSchedule({ year: 2025, fees: [{ category: 'collectivite-20000-100000', amount: 300 }, { category: 'association', amount: 100 }, { category: 'personne-physique', amount: 30 }] });
  const organisations = Object.entries(LEGAL_MEMBERS).flatMap(([type, count]) => Array.from({ length: count }, (_, i) => ({ type, i })));
  const representatives = await Contact.insertMany(organisations.map(({ type, i }) => ({ email: `representant-${type}-${i}@adherents-2025.test`, firstName: 'Rep', lastName: `${type} ${i}` })));
  const persons = await Contact.insertMany(Array.from({ length: NATURAL_MEMBERS }, (_, i) => ({ email: `adherent-${i}@adherents-2025.test`, firstName: 'Adhérente', lastName: String(i) })));
  await noteContactsChanged([...representatives, ...persons].map((c) => c._id));
  const paid = { year: 2025, paymentStatus: 'paid' as const, paymentMethod: 'virement' as const, paidAt: new Date('2025-03-10T10:00:00Z') };
  for (const [index, { type, i }] of organisations.entries()) {
    const organisation = await Organisation.create({ name: `Adhérent ${type} ${i + 1}`, type });
    const category = ['commune', 'epci'].includes(type) ? 'collectivite-20000-100000' : 'association';
    await createMembership({ ...paid, organisation: String(organisation._id), representative: String(representatives[index]._id), category }, actor);
  }
  for (const person of persons) await createMembership({ ...paid, contact: String(person._id), category: 'personne-physique' }, actor);
  return [...representatives, ...persons].map((c) => String(c._id));
}

async function seedSolicitations(members: string[]) {
  const types = expand(SOLICITATIONS_2025.types);
  const requesters = expand(SOLICITATIONS_2025.requesters);
  const others = await Contact.insertMany(types.map((_, index) => ({ email: `demandeur-2025-${index}@exemple.fr` })));
  await noteContactsChanged(others.map((c) => c._id));
  for (const [index, type] of types.entries()) {
    const receivedAt = dayOf2025(index, types.length);
    await createSolicitation(
      {
        receivedAt,
        channel: index % 6 === 0 ? 'telephone' : 'email',
        type,
        // Every fifth request of a kind comes from a member, up to 12.
        requester: index % 10 === 0 && index / 10 < SOLICITATIONS_2025.fromMembers ? members[index / 10] : String(others[index]._id),
        requesterType: requesters[index],
        status: 'answered',
        answeredAt: new Date(receivedAt.getTime() + (index % 4) * 86_400_000),
      },
      actor,
    );
  }
}

/** The monthly letter's list: 400 joined in 2025, 12 of them left (one a month); 12 letters; 517 news items. */
async function seedLetterAndNews() {
  const newsletter = await List.findOne({ code: 'lettre-mensuelle' }).lean();
  const month = (i: number) => String(1 + (i % 12)).padStart(2, '0');
  await insertRaw(
    'subscriptions',
    Array.from({ length: 400 }, (_, i) => subscriptionDoc(newsletter!._id, new Date(`2025-${month(i)}-05T10:00:00Z`), i < 12 ? new Date(`2025-${month(i)}-25T10:00:00Z`) : undefined)),
  );
  await insertRaw(
    'newsletters',
    Array.from({ length: 12 }, (_, i) => ({ month: `2025-${month(i)}`, slug: `lettre-2025-${month(i)}`, title: `Lettre ${month(i)}/2025`, status: 'sent', sentAt: new Date(`2025-${month(i)}-02T08:00:00Z`), content: {} })),
  );
  const categories = new Map((await Vocabulary.find({ kind: 'newsCategories' }).lean()).map((v) => [v.code, v._id]));
  const news = expand({ evenements: 160, 'offres-emploi': 110, 'articles-ouvrages': 90, 'avis-rapports': 60, 'appels-a-projets': 50, 'politique-nationale': 30, fabrique: 17 });
  await insertRaw(
    'news',
    news.map((category, i) => ({ title: `Actualité ${i}`, publishedAt: new Date(`2025-${month(i)}-15T10:00:00Z`), category: categories.get(category), guid: `maillage:2025-${i}`, themes: [], territories: [] })),
  );
}

export async function seed2025Report(): Promise<void> {
  const members = await seedMembers();
  await seedSolicitations(members);
  await seedLetterAndNews();
}
