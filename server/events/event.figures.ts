import { listContacts } from '../contacts/contact.service.js';
import { parisInstant, parisYearRange } from '../lib/paris-time.js';
import { LOCAL_AUTHORITY_TYPES } from '../organisations/organisation.model.js';
import { fractionWords } from '../lib/french.js';
import { getTerritory, territoryScope } from '../territories/territory.service.js';
import { Vocabulary, type VocabularyKind } from '../vocabularies/vocabulary.model.js';
import { Event, EVENT_KIND_LABELS, EventEvaluation, Registration, type EventRecord, type RegistrationRecord } from './event.model.js';
import { getEventRecord } from './event.service.js';

/**
 * An event's figures, on its screen and in the activity report: who registered and came,
 * their structures, functions, dispositifs and régions, the share on a QPV-tagged territory,
 * the contacts it brought, and the evaluation as "x % de 4 ou 5 sur 5". Each person is
 * described by the contact's qualified fields, or by what they declared when those are empty.
 * Shares are over the participants once attendance was taken, over the registrants before.
 */
export type FigureShare = { code: string; label: string; count: number; share: number };

const round1 = (value: number) => Math.round(value * 10) / 10;
const percent = (part: number, whole: number) => (whole ? round1((100 * part) / whole) : 0);
const UNSET = 'non-renseigne';
const QPV = 'qualite-qpv';

type Person = { organisationType?: string; function?: string; dispositifs: string[]; territories: string[] };

/** The contacts' qualified fields, read through the contacts service (its index), 1,000 at a time. */
async function contactsById(ids: string[]): Promise<Map<string, Record<string, any>>> {
  const found = new Map<string, Record<string, any>>();
  for (let i = 0; i < ids.length; i += 1000) {
    const { items } = await listContacts({ filter: { id: ids.slice(i, i + 1000) }, sort: { field: 'sortName', order: 1 }, skip: 0, limit: 1000 });
    for (const doc of items) found.set(String(doc.id), doc);
  }
  return found;
}

function personOf(registration: RegistrationRecord, contact: Record<string, any> | undefined): Person {
  const qualified = (contact?.organisationTypes as string[] | undefined)?.[0];
  return {
    organisationType: qualified ?? registration.organisationType ?? undefined,
    function: (contact?.function as string | undefined) || registration.function || undefined,
    dispositifs: contact?.dispositifs?.length ? contact.dispositifs : registration.dispositifs,
    territories: contact?.territories?.length ? contact.territories : registration.territory ? [registration.territory] : [],
  };
}

function shares(values: Array<string | undefined>, total: number, labels: Map<string, string>): FigureShare[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value || UNSET, (counts.get(value || UNSET) ?? 0) + 1);
  return [...counts]
    .map(([code, count]) => ({ code, label: labels.get(code) ?? (code === UNSET ? 'Non renseigné' : code), count, share: percent(count, total) }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'fr'));
}

async function vocabulary(kind: VocabularyKind): Promise<Map<string, string>> {
  return new Map((await Vocabulary.find({ kind }, { code: 1, label: 1 }).lean()).map((v) => [v.code, v.label]));
}

/** Per evaluation question: "x % de 4 ou 5 sur 5" for a rating, "x % de oui" for a yes/no. */
async function evaluationFigures(event: EventRecord) {
  const answers = await EventEvaluation.find({ event: event._id }).lean();
  const questions = event.evaluationQuestions.map((q) => {
    if (q.kind === 'yesno') {
      const values = answers.flatMap((a) => (a.yesNo ?? []).filter((r) => r.key === q.key).map((r) => Boolean(r.value)));
      const yes = values.filter(Boolean).length;
      return { key: q.key, label: q.label, kind: 'yesno' as const, answers: values.length, yesCount: yes, yesShare: percent(yes, values.length) };
    }
    const ratings = answers.flatMap((a) => a.ratings.filter((r) => r.key === q.key).map((r) => r.value ?? 0));
    const high = ratings.filter((value) => value >= 4).length;
    return { key: q.key, label: q.label, kind: 'rating' as const, answers: ratings.length, highCount: high, highShare: percent(high, ratings.length) };
  });
  return { answers: answers.length, questions, comments: answers.map((a) => a.comment).filter((c): c is string => Boolean(c && c.trim())) };
}

/**
 * The registration questions that have a fixed set of answers (choice, yes/no): how many
 * of the registrants (not cancelled) who answered gave each answer.
 */
function questionFigures(event: EventRecord, active: RegistrationRecord[]) {
  return event.questions
    .filter((q) => q.kind === 'choice' || q.kind === 'yesno')
    .map((q) => {
      const values = active.flatMap((r) => r.answers.filter((a) => a.key === q.key).map((a) => a.value ?? ''));
      const options = q.kind === 'yesno' ? [{ value: 'oui', label: 'Oui' }, { value: 'non', label: 'Non' }] : q.choices.map((c) => ({ value: c, label: c }));
      const counted = options.map((o) => {
        const count = values.filter((v) => v === o.value).length;
        return { ...o, count, share: percent(count, values.length) };
      });
      return { key: q.key, label: q.label, kind: q.kind as 'choice' | 'yesno', answers: values.length, options: counted };
    });
}

export async function eventFigures(eventId: string) {
  return figuresOf(await getEventRecord(eventId));
}

async function figuresOf(event: EventRecord) {
  const figures = await countFigures(event);
  return { ...figures, sentences: eventSentences(figures) };
}
export type EventFigures = Awaited<ReturnType<typeof figuresOf>>;
type CountedFigures = Awaited<ReturnType<typeof countFigures>>;

async function countFigures(event: EventRecord) {
  const registrations = (await Registration.find({ event: event._id }).lean()) as RegistrationRecord[];
  const active = registrations.filter((r) => r.status !== 'cancelled');
  const attendanceTaken = active.some((r) => r.attendance);
  const attendees = active.filter((r) => r.attendance === 'present');
  const basis = attendanceTaken ? attendees : active;
  const contacts = await contactsById(basis.map((r) => String(r.contact)));
  const people = basis.map((r) => personOf(r, contacts.get(String(r.contact))));
  const [organisationTypes, functions, dispositifs] = await Promise.all([vocabulary('organisationTypes'), vocabulary('functions'), vocabulary('dispositifs')]);
  const regionOf = (person: Person) => territoryScope(person.territories).find((id) => id.startsWith('region-'));
  const regionNames = new Map(people.map(regionOf).filter((id): id is string => Boolean(id)).map((id) => [id, getTerritory(id)?.name ?? id]));
  const localAuthorities = people.filter((p) => LOCAL_AUTHORITY_TYPES.includes(p.organisationType ?? '')).length;
  const qpv = people.filter((p) => p.territories.includes(QPV)).length;
  const figures = {
    event: { id: String(event._id), title: event.title, kind: event.kind, kindLabel: EVENT_KIND_LABELS[event.kind as keyof typeof EVENT_KIND_LABELS], start: event.start, end: event.end, place: event.place },
    registrants: active.length,
    registered: active.filter((r) => r.status === 'registered').length,
    waiting: active.filter((r) => r.status === 'waiting').length,
    cancelled: registrations.length - active.length,
    attendanceTaken,
    attendees: attendees.length,
    absent: active.filter((r) => r.attendance === 'absent').length,
    basis: attendanceTaken ? ('participants' as const) : ('inscrits' as const),
    basisCount: basis.length,
    localAuthorities,
    localAuthorityShare: percent(localAuthorities, basis.length),
    byOrganisationType: shares(people.map((p) => p.organisationType), basis.length, organisationTypes),
    byFunction: shares(people.map((p) => p.function), basis.length, functions),
    byDispositif: shares(people.flatMap((p) => p.dispositifs), basis.length, dispositifs).filter((s) => s.code !== UNSET),
    byRegion: shares(people.map(regionOf), basis.length, regionNames),
    qpv,
    qpvShare: percent(qpv, basis.length),
    newContacts: active.filter((r) => r.newContact).length,
    questions: questionFigures(event, active),
    evaluation: await evaluationFigures(event),
  };
  return figures;
}

/** Every event starting in the Paris calendar year, in date order: the activity report's "Rencontres". */
export async function eventsOfYear(year: number): Promise<EventFigures[]> {
  const { start, end } = parisYearRange(year);
  const events = (await Event.find({ startsAt: { $gte: start, $lt: end } }).sort({ startsAt: 1 }).lean()) as EventRecord[];
  const figures: EventFigures[] = [];
  for (const event of events) figures.push(await figuresOf(event));
  return figures;
}

// ---------------------------------------------------------------- sentences

const number = (value: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(value).replace(/[\u202f\u00a0]/g, ' ');
const pct = (value: number) => `${Math.round(value)} %`;
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const dayFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' });
const ARTICLES: Record<string, string> = {
  'rencontre-nationale': 'La rencontre nationale',
  'rencontre-regionale': 'La rencontre régionale',
  webinaire: 'Le webinaire',
  'journee-echanges': "La journée d'échanges",
  formation: 'La formation',
  'reunion-statutaire': 'La réunion statutaire',
};
const listWords = (names: string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} et ${names[names.length - 1]}`);

/** Sentences as the activity reports write them ("… a réuni 238 inscrit·es. 40 % viennent de collectivités locales."). */
export function eventSentences(f: CountedFigures): string[] {
  const day = dayFormat.format(parisInstant(f.event.start));
  const where = f.event.place ? `${f.event.place.split(',')[0].trim()}, ${day}` : `${day}`;
  const people = f.basis === 'participants' ? 'participant·es' : 'inscrit·es';
  const sentences: string[] = [];
  const opening = `${ARTICLES[f.event.kind] ?? 'La rencontre'} « ${f.event.title} » (${where})`;
  if (f.attendanceTaken) sentences.push(`${opening} a rassemblé ${number(f.attendees)} participant·es, pour ${number(f.registrants)} inscrit·es.`);
  else sentences.push(`${opening} a réuni ${number(f.registrants)} inscrit·es.`);
  if (!f.basisCount) return sentences;
  if (f.localAuthorities) {
    const words = fractionWords(f.localAuthorityShare);
    sentences.push(`${words ? `${capitalize(words)} (${pct(f.localAuthorityShare)})` : pct(f.localAuthorityShare)} des ${people} viennent de collectivités locales.`);
  }
  if (f.qpv) sentences.push(`${pct(f.qpvShare)} travaillent sur un territoire comptant au moins un quartier prioritaire de la politique de la ville (QPV).`);
  const regions = f.byRegion.filter((r) => r.code !== UNSET && r.share >= 5).slice(0, 5);
  if (regions.length === 1) sentences.push(`${regions[0].label} est la région la plus représentée.`);
  if (regions.length > 1) sentences.push(`Les régions les plus représentées sont ${regions[0].label}, puis ${listWords(regions.slice(1).map((r) => r.label))}.`);
  if (f.newContacts) sentences.push(`${f.newContacts > 1 ? `${number(f.newContacts)} nouveaux contacts sont entrés` : 'Un nouveau contact est entré'} dans la base à cette occasion.`);
  const evaluation = evaluationSentence(f.evaluation);
  if (evaluation) sentences.push(evaluation);
  return sentences;
}

/** "… donne 87,3 % de 4 ou 5 sur 5 pour « L'organisation », 95,8 % pour « Les interventions » et 100 % de oui à « … »." */
function evaluationSentence(evaluation: CountedFigures['evaluation']): string | undefined {
  const answered = evaluation.questions.filter((q) => q.answers);
  if (!answered.length) return undefined;
  let firstRating = true;
  const parts = answered.map((q) => {
    if (q.kind === 'yesno') return `${number(q.yesShare)} % de oui à « ${q.label} »`;
    const part = `${number(q.highShare)} %${firstRating ? ' de 4 ou 5 sur 5' : ''} pour « ${q.label} »`;
    firstRating = false;
    return part;
  });
  return `Le questionnaire d'évaluation (${number(evaluation.answers)} réponses) donne ${listWords(parts)}.`;
}
