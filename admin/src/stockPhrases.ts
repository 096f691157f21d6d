/**
 * react-admin's stock phrases made to read naturally in French: "Créer un segment" rather than
 * "Créer Segment", "Aucun import pour l'instant", "Page introuvable", "Effacer".
 */
const NOUNS: Record<string, [one: string, none: string]> = {
  contacts: ['un contact', 'Aucun contact'],
  organisations: ['une organisation', 'Aucune organisation'],
  segments: ['un segment', 'Aucun segment'],
  lists: ['une liste', 'Aucune liste'],
  subscriptions: ['un abonnement', 'Aucun abonnement'],
  imports: ['un import', 'Aucun import'],
  news: ['une actualité', 'Aucune actualité'],
  newsletters: ['une lettre', 'Aucune lettre'],
  memberships: ['une adhésion', 'Aucune adhésion'],
  solicitations: ['une sollicitation', 'Aucune sollicitation'],
  themes: ['un thème', 'Aucun thème'],
  territories: ['un territoire', 'Aucun territoire'],
  vocabularies: ['une valeur', 'Aucune valeur'],
  users: ['un compte', 'Aucun compte'],
  outbox: ['un message', 'Aucun message'],
};

const resources = Object.fromEntries(
  Object.entries(NOUNS).map(([resource, [one, none]]) => [
    resource,
    { page: { create: `Créer ${one}` }, empty: `${none} pour l'instant`, invite: `Utilisez « Créer » pour ajouter ${one}.` },
  ]),
);

export const stockPhrases = {
  ra: {
    page: { not_found: 'Page introuvable', create: 'Créer : %{name}', empty: "Rien pour l'instant", invite: 'Utilisez « Créer » pour en ajouter.' },
    action: { clear_input_value: 'Effacer', clear_array_input: 'Tout effacer' },
    notification: {
      created: 'Enregistrement créé',
      updated: 'Modifications enregistrées |||| %{smart_count} enregistrements modifiés',
      deleted: 'Supprimé |||| %{smart_count} enregistrements supprimés',
    },
  },
  resources,
};
