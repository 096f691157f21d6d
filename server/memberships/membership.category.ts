import { notFound } from '../lib/errors.js';
import { Organisation } from '../organisations/organisation.model.js';
import { getTerritory } from '../territories/territory.service.js';

/** Collectivities pay by population; the fee schedule's categories name the brackets. */
const COLLECTIVITY_TYPES = new Set(['commune', 'epci', 'departement', 'region']);

export type CategorySuggestion = { category: string; reason: string };

/**
 * The membership category a member most likely belongs to: a person → "personne physique"; a
 * collectivity → the bracket of its territory's population; any other organisation → "association
 * ou structure". Staff can always choose another one.
 */
export async function suggestMembershipCategory(member: { organisation?: string; contact?: string }): Promise<CategorySuggestion> {
  if (!member.organisation) return { category: 'personne-physique', reason: 'Adhésion à titre individuel' };
  const organisation = await Organisation.findById(member.organisation, { type: 1, territory: 1 }).lean();
  if (!organisation) throw notFound('Organisation');
  if (!COLLECTIVITY_TYPES.has(organisation.type)) return { category: 'association', reason: 'Organisation qui n’est pas une collectivité' };
  const territory = organisation.territory ? getTerritory(organisation.territory) : undefined;
  const population = territory?.population;
  if (population === undefined) {
    // A département or a région without a known population is above 100,000 inhabitants in practice.
    if (organisation.type === 'departement' || organisation.type === 'region') return { category: 'collectivite-plus-100000', reason: 'Département ou région' };
    return { category: 'collectivite-moins-20000', reason: 'Collectivité dont la population est inconnue : vérifiez la tranche' };
  }
  const inhabitants = `${territory!.name} : ${population.toLocaleString('fr-FR').replace(/\u202f/g, ' ')} habitants`;
  if (population < 20_000) return { category: 'collectivite-moins-20000', reason: inhabitants };
  if (population <= 100_000) return { category: 'collectivite-20000-100000', reason: inhabitants };
  return { category: 'collectivite-plus-100000', reason: inhabitants };
}
