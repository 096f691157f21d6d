import { Organisation } from '../organisations/organisation.model.js';
import { getTerritory } from '../territories/territory.service.js';
import { Theme } from '../themes/theme.model.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { contactIdsMatching, readContactsInOrder } from './contact.store.js';
import { csvLine, UTF8_BOM } from '../lib/csv-export.js';



const COLUMNS = [
  'Civilité',
  'Prénom',
  'Nom',
  'E-mail',
  'Autres e-mails',
  'Téléphones',
  'Fonction',
  'Organisations',
  "Types d'organisation",
  'Dispositifs',
  'Thèmes',
  'Territoires',
  'Notes',
  'Source',
  'Créé le',
  'Modifié le',
  'Identifiant',
];

type Labels = { themes: Map<string, string>; organisations: Map<string, string>; vocabulary: Map<string, string> };

async function loadLabels(): Promise<Labels> {
  const [themes, organisations, vocabulary] = await Promise.all([
    Theme.find({}, { name: 1 }).lean(),
    Organisation.find({}, { name: 1 }).lean(),
    Vocabulary.find({ kind: { $in: ['functions', 'organisationTypes', 'dispositifs'] } }, { kind: 1, code: 1, label: 1 }).lean(),
  ]);
  return {
    themes: new Map(themes.map((t) => [String(t._id), t.name])),
    organisations: new Map(organisations.map((o) => [String(o._id), o.name])),
    vocabulary: new Map(vocabulary.map((v) => [`${v.kind}:${v.code}`, v.label])),
  };
}

type Row = Record<string, unknown> & { _id: unknown };

/** A contact as people read it: labels instead of codes and ids. */
function readable(c: Row, labels: Labels) {
  const list = (values: unknown, map: (v: string) => string) => ((values as unknown[]) ?? []).map((v) => map(String(v)));
  const vocab = (kind: string) => (code: string) => labels.vocabulary.get(`${kind}:${code}`) ?? code;
  return {
    id: String(c._id),
    civility: c.civility ?? '',
    firstName: c.firstName ?? '',
    lastName: c.lastName ?? '',
    email: c.email,
    emails: list(c.emails, String),
    phones: list(c.phones, String),
    function: c.function ? vocab('functions')(String(c.function)) : '',
    organisations: list(c.organisations, (id) => labels.organisations.get(id) ?? id),
    organisationTypes: list(c.organisationTypes, vocab('organisationTypes')),
    dispositifs: list(c.dispositifs, vocab('dispositifs')),
    themes: list(c.themes, (id) => labels.themes.get(id) ?? id),
    territories: list(c.territories, (id) => getTerritory(id)?.label ?? id),
    notes: c.notes ?? '',
    source: c.source ?? '',
    createdAt: (c.createdAt as Date | undefined)?.toISOString() ?? '',
    updatedAt: (c.updatedAt as Date | undefined)?.toISOString() ?? '',
  };
}

/** The contacts matching a Mongo filter (the store's evaluator), sorted by name, as readable records (streamed). */
export async function* exportContacts(where: Record<string, unknown>) {
  const labels = await loadLabels();
  for await (const contact of readContactsInOrder(await contactIdsMatching(where))) yield readable(contact as unknown as Row, labels);
}

export async function* exportContactsCsv(where: Record<string, unknown>): AsyncGenerator<string> {
  yield UTF8_BOM + csvLine(COLUMNS);
  const join = (values: string[]) => values.join(', ');
  for await (const c of exportContacts(where)) {
    yield csvLine([
      c.civility,
      c.firstName,
      c.lastName,
      c.email,
      join(c.emails),
      join(c.phones),
      c.function,
      join(c.organisations),
      join(c.organisationTypes),
      join(c.dispositifs),
      join(c.themes),
      join(c.territories),
      c.notes,
      c.source,
      c.createdAt,
      c.updatedAt,
      c.id,
    ]);
  }
}

/** A JSON array, streamed. */
export async function* exportContactsJson(where: Record<string, unknown>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const c of exportContacts(where)) {
    yield (first ? '\n' : ',\n') + JSON.stringify(c);
    first = false;
  }
  yield '\n]\n';
}
