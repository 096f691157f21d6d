import { normalizeText } from '../lib/normalize.js';

/** What a column of an imported file can feed. `ignore` drops the column on purpose. */
export const IMPORT_FIELDS = [
  'email',
  'emails',
  'civility',
  'firstName',
  'lastName',
  'phones',
  'function',
  'organisation',
  'organisationType',
  'themes',
  'territories',
  'dispositifs',
  'lists',
  'notes',
  'consentAt',
  'consentConfirmedAt',
  'consentIp',
  'consentConfirmedIp',
  'ignore',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** French labels, for reasons and the admin's mapping screen. */
export const IMPORT_FIELD_LABELS: Record<ImportField, string> = {
  email: 'Adresse e-mail',
  emails: 'Autres adresses e-mail',
  civility: 'Civilité',
  firstName: 'Prénom',
  lastName: 'Nom',
  phones: 'Téléphone',
  function: 'Fonction',
  organisation: 'Organisation',
  organisationType: 'Type de structure',
  themes: 'Thématiques',
  territories: 'Territoires',
  dispositifs: 'Dispositifs',
  lists: 'Listes de diffusion',
  notes: 'Notes',
  consentAt: 'Date du consentement',
  consentConfirmedAt: 'Date de confirmation du consentement',
  consentIp: 'Adresse IP du consentement',
  consentConfirmedIp: 'Adresse IP de la confirmation',
  ignore: 'Colonne ignorée',
};

/** Fields a column may feed once only; the others may come from several columns (added together). */
export const SINGLE_COLUMN_FIELDS: readonly ImportField[] = ['email', 'civility', 'firstName', 'lastName', 'function', 'organisationType', 'notes', 'consentAt', 'consentConfirmedAt', 'consentIp', 'consentConfirmedIp'];

/** Names that would reach an object's prototype where a header or a preset name becomes a key: refused. */
export const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'];
export const isReservedName = (name: string) => RESERVED_NAMES.includes(name.trim().toLowerCase());

export type ColumnMapping = { column: number; header: string; field: ImportField };

// Header names as staff's files spell them (normalised: accents, case and punctuation folded).
const SYNONYMS: Record<Exclude<ImportField, 'ignore'>, string[]> = {
  email: ['email', 'e mail', 'mail', 'courriel', 'mel', 'adresse e mail', 'adresse email', 'adresse mail', 'adresse courriel', 'adresse electronique', 'email address', 'e mail address', 'email principal'],
  emails: ['autre email', 'autre e mail', 'autres emails', 'email secondaire', 'email 2', 'other email', 'secondary email'],
  civility: ['civilite', 'civ', 'salutation', 'title', 'titre'],
  firstName: ['prenom', 'first name', 'firstname', 'given name', 'fname'],
  lastName: ['nom', 'nom de famille', 'last name', 'lastname', 'surname', 'family name', 'lname'],
  phones: ['telephone', 'tel', 'telephone portable', 'portable', 'mobile', 'phone', 'phone number', 'sms', 'numero de telephone'],
  function: ['fonction', 'function', 'poste', 'job title', 'metier', 'profession'],
  organisation: ['structure', 'organisation', 'organization', 'organisme', 'company', 'societe', 'entreprise', 'employeur', 'etablissement', 'collectivite', 'nom de la structure'],
  organisationType: ['type de structure', 'type structure', 'type d organisme', 'type d organisation', 'type de l organisme', 'categorie de structure', 'organisation type'],
  themes: ['theme', 'themes', 'thematique', 'thematiques', 'tags', 'tag', 'centres d interet', 'interets', 'interests'],
  territories: ['territoire', 'territoires', 'code postal', 'cp', 'postal code', 'zip', 'zip code', 'departement', 'region', 'commune', 'code insee'],
  dispositifs: ['dispositif', 'dispositifs', 'programme'],
  lists: ['liste', 'listes', 'listes de diffusion', 'lists', 'abonnements', 'newsletters', 'groupes', 'groups'],
  notes: ['notes', 'note', 'commentaire', 'commentaires', 'remarques', 'comments', 'observations'],
  consentAt: ['optin time', 'date de consentement', 'date consentement', 'consent date', 'date d inscription', 'opt in date'],
  consentConfirmedAt: ['confirm time', 'date de confirmation', 'confirmation date', 'double opt in date'],
  consentIp: ['optin ip', 'adresse ip', 'consent ip', 'ip d inscription'],
  consentConfirmedIp: ['confirm ip', 'ip de confirmation', 'confirmation ip'],
};

const BY_SYNONYM = new Map(Object.entries(SYNONYMS).flatMap(([field, names]) => names.map((name) => [name, field as ImportField])));

/** Ready-made mappings for the exports of the tools the association used. */
export const BUILT_IN_PRESETS: Record<'mailchimp' | 'brevo', { name: string; columns: Record<string, ImportField> }> = {
  mailchimp: {
    name: 'Export Mailchimp (audience)',
    columns: {
      'email address': 'email',
      'first name': 'firstName',
      'last name': 'lastName',
      'phone number': 'phones',
      'optin time': 'consentAt',
      'confirm time': 'consentConfirmedAt',
      'optin ip': 'consentIp',
      'confirm ip': 'consentConfirmedIp',
      notes: 'notes',
      tags: 'themes',
    },
  },
  brevo: {
    name: 'Export Brevo (contacts)',
    columns: {
      email: 'email',
      prenom: 'firstName',
      firstname: 'firstName',
      nom: 'lastName',
      lastname: 'lastName',
      sms: 'phones',
      telephone: 'phones',
      'landline number': 'phones',
      'double opt in date': 'consentConfirmedAt',
      'opt in date': 'consentAt',
    },
  },
};

/** Recognises a Mailchimp or Brevo export by the columns only they write. */
export function recognisePreset(headers: readonly string[]): 'mailchimp' | 'brevo' | undefined {
  const names = new Set(headers.map(normalizeText));
  if (names.has('email address') && (names.has('leid') || names.has('euid') || names.has('optin time'))) return 'mailchimp';
  if (names.has('email') && (names.has('sms') || names.has('double opt in') || names.has('contact id')) && (names.has('prenom') || names.has('firstname'))) return 'brevo';
  return undefined;
}

/**
 * The suggested mapping: a named preset's columns, else the built-in preset the headers look
 * like, else header synonyms; a field that takes one column goes to its first candidate only.
 */
export function suggestMapping(headers: readonly string[], preset?: Record<string, ImportField>): ColumnMapping[] {
  const known = preset ?? BUILT_IN_PRESETS[recognisePreset(headers) ?? ('' as 'mailchimp')]?.columns;
  const taken = new Set<ImportField>();
  return headers.map((header, column) => {
    const name = normalizeText(header);
    let field: ImportField = (known ? (Object.hasOwn(known, name) ? known[name] : undefined) : BY_SYNONYM.get(name)) ?? 'ignore';
    if (SINGLE_COLUMN_FIELDS.includes(field) && taken.has(field)) field = 'ignore';
    taken.add(field);
    return { column, header, field };
  });
}

/**
 * Applies a mapping given by position (`["email", ...]`: the whole mapping) or by header name
 * (`{"Courriel": "email"}`: only the columns named change, the others keep `current`'s field).
 */
export function mappingFrom(headers: readonly string[], given: Record<string, ImportField> | ImportField[], current: readonly ColumnMapping[] = []): ColumnMapping[] {
  if (Array.isArray(given)) return headers.map((header, column) => ({ column, header, field: given[column] ?? 'ignore' }));
  const byName = new Map(Object.entries(given).map(([header, field]) => [normalizeText(header), field]));
  const moved = new Set([...byName.values()].filter((field) => SINGLE_COLUMN_FIELDS.includes(field)));
  return headers.map((header, column) => {
    const kept = current[column]?.field ?? 'ignore';
    return { column, header, field: byName.get(normalizeText(header)) ?? (moved.has(kept) ? 'ignore' : kept) };
  });
}

/** A mapping's problems, in French: no e-mail column, or a single-column field fed twice. */
export function mappingProblem(mapping: readonly ColumnMapping[]): string | undefined {
  if (!mapping.some((m) => m.field === 'email')) return "Aucune colonne n'est associée à l'adresse e-mail.";
  for (const field of SINGLE_COLUMN_FIELDS) {
    const columns = mapping.filter((m) => m.field === field);
    if (columns.length > 1) {
      return `Le champ « ${IMPORT_FIELD_LABELS[field]} » est associé à plusieurs colonnes (${columns.map((c) => `« ${c.header} »`).join(', ')}).`;
    }
  }
  return undefined;
}
