/** The kinds of server/vocabularies/vocabulary.model.ts, with their French names. */
export const VOCABULARY_KIND_CHOICES = [
  { id: 'organisationTypes', name: 'Types d’organisation' },
  { id: 'functions', name: 'Fonctions' },
  { id: 'dispositifs', name: 'Dispositifs' },
  { id: 'newsCategories', name: 'Catégories d’actualités' },
  { id: 'solicitationTypes', name: 'Types de sollicitation' },
  { id: 'requesterTypes', name: 'Types de demandeur' },
  { id: 'solicitationChannels', name: 'Canaux de sollicitation' },
  { id: 'membershipCategories', name: 'Catégories d’adhésion' },
  { id: 'boardRoles', name: 'Rôles au conseil d’administration' },
];
