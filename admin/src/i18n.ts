import polyglotI18nProvider from 'ra-i18n-polyglot';
import frenchMessages from 'ra-language-french';
import { mergeTranslations } from 'react-admin';
import { stockPhrases } from './stockPhrases';

/** Our own French labels; react-admin's come from ra-language-french. Nothing in English reaches the UI. */
export const maillageMessages = {
  maillage: {
    title: 'Maillage',
    roles: { admin: 'Administrateur·rice', staff: 'Équipe', board: 'Conseil d’administration (lecture seule)' },
    menu: { dashboard: 'Tableau de bord' },
  },
  resources: {
    contacts: {
      name: 'Contact |||| Contacts',
      fields: {
        civility: 'Civilité',
        firstName: 'Prénom',
        lastName: 'Nom',
        email: 'Adresse e-mail',
        emails: 'Autres adresses',
        phones: 'Téléphones',
        function: 'Fonction',
        functionLabel: 'Fonction telle qu’importée',
        unresolvedLabels: 'Valeurs importées à classer',
        functions: 'Fonctions',
        organisations: 'Organisations',
        organisationTypes: 'Types d’organisation',
        dispositifs: 'Dispositifs',
        themes: 'Thèmes',
        territories: 'Territoires',
        notes: 'Notes',
        source: 'Origine',
        lists: 'Listes',
        membership: 'Adhésion',
        segment: 'Segment',
        createdAt: 'Créé le',
        updatedAt: 'Modifié le',
        q: 'Recherche',
      },
    },
    organisations: {
      name: 'Organisation |||| Organisations',
      fields: { name: 'Nom', type: 'Type', territory: 'Territoire', territories: 'Territoires', website: 'Site web', siren: 'SIREN', notes: 'Notes', q: 'Recherche' },
    },
    themes: {
      name: 'Thème |||| Thèmes',
      fields: { name: 'Nom', code: 'Code', parent: 'Thème parent', order: 'Ordre' },
    },
    territories: {
      name: 'Territoire |||| Territoires',
      fields: { label: 'Territoire', kind: 'Type', code: 'Code', postalCodes: 'Codes postaux', population: 'Population', q: 'Recherche' },
    },
    users: {
      name: 'Compte |||| Comptes',
      fields: {
        email: 'Adresse e-mail',
        name: 'Nom',
        role: 'Rôle',
        active: 'Actif',
        password: 'Mot de passe',
        lastLoginAt: 'Dernière connexion',
        createdAt: 'Créé le',
        q: 'Recherche',
      },
    },
    imports: {
      name: 'Import |||| Imports',
      fields: {
        createdAt: 'Date',
        fileName: 'Fichier',
        status: 'État',
        'counts.created': 'Créations',
        'counts.updated': 'Mises à jour',
        'counts.errors': 'Erreurs',
      },
    },
    news: {
      name: 'Actualité |||| Actualités',
      fields: {
        title: 'Titre',
        url: 'Lien',
        imageUrl: 'Image (adresse web)',
        summary: 'Résumé',
        publishedAt: 'Date de publication',
        publishedAt_gte: 'Publiée depuis le',
        publishedAt_lte: 'Publiée jusqu’au',
        category: 'Catégorie',
        themes: 'Thèmes',
        territories: 'Territoires',
        q: 'Recherche',
      },
    },
    newsletters: {
      name: 'Lettre |||| Lettres',
      fields: { month: 'Mois', title: 'Titre', status: 'État', items: 'Actualités', sentAt: 'Envoyée le', figures: 'Envoyés / destinataires' },
    },
    campaigns: {
      name: 'Envoi ciblé |||| Envois ciblés',
      fields: { subject: 'Objet', status: 'État', q: 'Recherche', segment: 'Segment', list: 'Liste', basis: 'Base légale', body: 'Message' },
    },
    'news-categories': { name: 'Catégorie d’actualité |||| Catégories d’actualités', fields: { label: 'Libellé' } },
    events: {
      name: 'Rencontre |||| Rencontres',
      fields: {
        title: 'Titre',
        kind: 'Type',
        start: 'Début',
        end: 'Fin',
        startsAt: 'Début',
        place: 'Lieu',
        visioUrl: 'Lien de visioconférence',
        description: 'Description',
        programmeUrl: 'Programme (adresse du document)',
        capacity: 'Capacité',
        registrationOpens: 'Ouverture des inscriptions',
        registrationCloses: 'Clôture des inscriptions',
        access: 'Accès',
        coOrganisers: 'Co-organisateurs',
        themes: 'Thèmes',
        territory: 'Territoire',
        questions: 'Questions du formulaire',
        'questions.label': 'Question',
        'questions.kind': 'Type de réponse',
        'questions.choices': 'Choix',
        'questions.required': 'Obligatoire',
        evaluationQuestions: "Questions d'évaluation",
        'evaluationQuestions.label': 'Question',
        'evaluationQuestions.kind': 'Type de réponse',
        q: 'Recherche',
      },
    },
    registrations: {
      name: 'Inscription |||| Inscriptions',
      fields: {
        lastName: 'Nom',
        firstName: 'Prénom',
        email: 'Adresse e-mail',
        organisationName: 'Structure',
        status: 'État',
        attendance: 'Présence',
        registeredAt: 'Inscrit·e le',
      },
    },
    segments: {
      name: 'Segment |||| Segments',
      fields: { name: 'Nom', description: 'Description', count: 'Contacts', q: 'Recherche' },
    },
    lists: {
      name: 'Liste de diffusion |||| Listes de diffusion',
      fields: {
        name: 'Nom',
        code: 'Code',
        description: 'Description',
        public: 'Publique',
        doubleOptIn: 'Double confirmation',
        legalBasis: 'Base légale',
        consentWording: 'Texte du consentement',
        order: 'Ordre',
        active: 'Active',
        subscribers: 'Abonné·es',
      },
    },
    subscriptions: {
      name: 'Abonnement |||| Abonnements',
      fields: { contact: 'Contact', list: 'Liste', status: 'État', source: 'Origine', consent: 'Preuve du consentement', createdAt: 'Créé le' },
    },
    memberships: {
      name: 'Adhésion |||| Adhésions',
      fields: {
        organisation: 'Organisation',
        contact: 'Personne physique',
        year: 'Année',
        category: 'Catégorie',
        fee: 'Cotisation (€)',
        paymentStatus: 'Paiement',
        paidAt: 'Payée le',
        representative: 'Représentant·e',
        boardRoles: 'Rôles au CA',
        notes: 'Notes',
      },
    },
    solicitations: {
      name: 'Sollicitation |||| Sollicitations',
      fields: {
        receivedAt: 'Reçue le',
        channel: 'Canal',
        requester: 'Demandeur·euse',
        requesterName: 'Demandeur·euse',
        requesterEmail: 'Adresse du demandeur',
        requesterFirstName: 'Prénom (sans adresse e-mail)',
        requesterLastName: 'Nom (sans adresse e-mail)',
        requesterPhone: 'Téléphone',
        requesterType: 'Type de demandeur',
        organisationName: 'Structure',
        type: 'Type',
        subject: 'Objet',
        message: 'Message',
        themes: 'Thèmes',
        territory: 'Territoire',
        status: 'État',
        statusLabel: 'État',
        assignee: 'Suivie par',
        timeSpentMinutes: 'Temps passé (min)',
        answer: 'Réponse',
        isMember: 'Adhérent·e',
        reference: 'Référence',
        unread: 'Non lue',
        q: 'Recherche',
      },
    },
    'solicitation-templates': {
      name: 'Modèle de réponse |||| Modèles de réponse',
      fields: { name: 'Nom', body: 'Texte de la réponse', updatedAt: 'Modifié le' },
    },
    outbox: {
      name: 'Boîte d’envoi (développement) |||| Boîte d’envoi (développement)',
      fields: { createdAt: 'Date', to: 'Destinataire', from: 'Expéditeur', subject: 'Objet', stream: 'Type', q: 'Recherche' },
    },
    vocabularies: {
      name: 'Liste de valeurs |||| Listes de valeurs',
      fields: { kind: 'Liste', code: 'Code', label: 'Libellé', order: 'Ordre', active: 'Active' },
    },
  },
};

const messages = mergeTranslations(frenchMessages, stockPhrases, maillageMessages);

function flatten(tree: object, prefix = '', into = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(tree)) {
    if (value && typeof value === 'object') flatten(value, `${prefix}${key}.`, into);
    else into.add(`${prefix}${key}`);
  }
  return into;
}
const known = flatten(messages);

const polyglot = polyglotI18nProvider(() => messages, 'fr', [{ locale: 'fr', name: 'Français' }], { allowMissing: false });

/**
 * react-admin falls back to English defaults (or humanised field names) for keys we lack; a
 * warning names each one, in production builds too, so the tests can fail on it.
 */
export const i18nProvider = {
  ...polyglot,
  translate(key: string, options?: Record<string, unknown>) {
    // a resource-specific key with a default (`_`) falls back to French; a field label falls back to English
    const fallsBackToEnglish = options?._ === undefined || /^resources\.[\w-]+\.fields\./.test(key);
    if (/^(ra|resources|maillage)\./.test(key) && !known.has(key) && fallsBackToEnglish && !/^resources\.[\w-]+\.fields\.(id|q)$/.test(key)) {
      console.warn(`Missing translation for key: "${key}"`);
    }
    return polyglot.translate(key, options);
  },
};
