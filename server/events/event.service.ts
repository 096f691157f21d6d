import { Types } from 'mongoose';
import { withId, isDuplicateKey } from '../lib/db.js';
import { badRequest, conflict, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import { parisInstant, parisYearRange } from '../lib/paris-time.js';
import type { ListQuery } from '../lib/rest.js';
import { randomToken } from '../lib/tokens.js';
import type { Config } from '../lib/config.js';
import { Organisation } from '../organisations/organisation.model.js';
import { getTerritory } from '../territories/territory.service.js';
import { Theme } from '../themes/theme.model.js';
import type { Actor } from '../users/user.service.js';
import { eventPageUrl } from './event.links.js';
import { Event, EVENT_KIND_LABELS, Registration, type EventRecord } from './event.model.js';
import type { EventCreateInput, EventFilter, EventUpdateInput } from './event.schemas.js';

export const EVENT_SORTABLE = ['startsAt', 'title', 'kind', 'createdAt', 'id'] as const;

/** "Rencontre nationale 2026 : santé et QPV" → "rencontre-nationale-2026-sante-et-qpv". */
export function slugify(text: string): string {
  return normalizeText(text).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 70).replace(/-+$/, '') || 'rencontre';
}

/** Question keys: given, or made from the label; unique within the list. */
function withKeys<T extends { key?: string; label: string }>(questions: T[]): Array<T & { key: string }> {
  const seen = new Set<string>();
  return questions.map((q) => {
    const base = q.key || slugify(q.label).slice(0, 40);
    let key = base;
    for (let n = 2; seen.has(key); n++) key = `${base}-${n}`;
    seen.add(key);
    return { ...q, key };
  });
}

async function checkEvent(fields: Partial<EventCreateInput>, current?: { start: string; end: string }) {
  const start = fields.start ?? current?.start;
  const end = fields.end ?? current?.end;
  if (start && end && parisInstant(end) <= parisInstant(start)) throw badRequest('La fin doit être après le début.', 'end');
  if (fields.registrationOpens && fields.registrationCloses && fields.registrationCloses <= fields.registrationOpens) {
    throw badRequest("La clôture des inscriptions doit être après leur ouverture.", 'registrationCloses');
  }
  if (fields.territory && !getTerritory(fields.territory)) throw badRequest(`Territoire inconnu « ${fields.territory} ».`, 'territory');
  if (fields.themes?.length && (await Theme.countDocuments({ _id: { $in: fields.themes } })) !== new Set(fields.themes).size) throw badRequest('Thème inconnu dans la liste.', 'themes');
  if (fields.coOrganisers?.length && (await Organisation.countDocuments({ _id: { $in: fields.coOrganisers } })) !== new Set(fields.coOrganisers).size) {
    throw badRequest('Organisation co-organisatrice introuvable.', 'coOrganisers');
  }
  for (const [i, q] of (fields.questions ?? []).entries()) {
    if (q.kind === 'choice' && q.choices.length < 2) throw badRequest(`La question « ${q.label} » doit proposer au moins deux choix.`, `questions.${i}.choices`);
  }
}

function eventWrite(fields: Partial<EventCreateInput>): Record<string, unknown> {
  const write: Record<string, unknown> = { ...fields };
  if (fields.start) write.startsAt = parisInstant(fields.start);
  if (fields.end) write.endsAt = parisInstant(fields.end);
  if (fields.questions) write.questions = withKeys(fields.questions);
  if (fields.evaluationQuestions) write.evaluationQuestions = withKeys(fields.evaluationQuestions);
  for (const key of ['capacity', 'territory', 'registrationOpens', 'registrationCloses'] as const) if (fields[key] === null || fields[key] === '') write[key] = undefined;
  return write;
}

export async function createEvent(input: EventCreateInput, actor?: Actor) {
  await checkEvent(input);
  const base = input.slug ?? slugify(`${input.title} ${input.start.slice(0, 4)}`);
  for (let n = 1; n < 50; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    try {
      const event = await Event.create({
        ...eventWrite(input),
        slug,
        invitationCode: randomToken(9),
        createdBy: actor?.id,
        updatedBy: actor?.id,
      });
      return getEvent(String(event._id));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (input.slug) throw conflict(`L'adresse « ${slug} » est déjà prise par une autre rencontre.`, 'slug');
    }
  }
  throw conflict("Impossible de trouver une adresse libre pour cette rencontre : indiquez-en une.", 'slug');
}

export async function updateEvent(id: string, input: EventUpdateInput, actor?: Actor) {
  const event = await Event.findById(id);
  if (!event) throw notFound('Rencontre');
  const fields = Object.fromEntries(Object.entries(input).filter(([key, value]) => value !== undefined && key in eventWriteable)) as Partial<EventCreateInput>;
  await checkEvent(fields, event);
  const write = eventWrite(fields);
  for (const [key, value] of Object.entries(write)) event.set(key, value);
  event.set('updatedBy', actor?.id);
  try {
    await event.save();
  } catch (error) {
    if (isDuplicateKey(error)) throw conflict(`L'adresse « ${fields.slug} » est déjà prise par une autre rencontre.`, 'slug');
    throw error;
  }
  return getEvent(id);
}
const eventWriteable = Object.fromEntries(
  ['title', 'slug', 'kind', 'start', 'end', 'place', 'visioUrl', 'description', 'programmeUrl', 'capacity', 'registrationOpens', 'registrationCloses', 'coOrganisers', 'themes', 'territory', 'access', 'questions', 'evaluationQuestions'].map(
    (k) => [k, 1],
  ),
);

export async function deleteEvent(id: string) {
  const event = await Event.findById(id).lean();
  if (!event) throw notFound('Rencontre');
  if (await Registration.exists({ event: event._id })) {
    throw conflict('Cette rencontre a des inscrit·es : annulez-la plutôt que de la supprimer, pour garder ses chiffres.');
  }
  await Event.deleteOne({ _id: event._id });
  return withId(event);
}

export async function getEventRecord(id: string): Promise<EventRecord> {
  const event = Types.ObjectId.isValid(id) ? await Event.findById(id).lean() : null;
  if (!event) throw notFound('Rencontre');
  return event as EventRecord;
}

export async function getEvent(id: string, config?: Config) {
  return (await describeEvents([await getEventRecord(id)], config))[0];
}

export async function listEvents(query: ListQuery<EventFilter>, config?: Config) {
  const where: Record<string, unknown> = {};
  const f = query.filter;
  if (f.kind) where.kind = f.kind;
  if (f.id) where._id = { $in: f.id };
  if (f.q) where.title = new RegExp(escapeRegExp(f.q), 'i');
  if (f.year) {
    const { start, end } = parisYearRange(f.year);
    where.startsAt = { $gte: start, $lt: end };
  }
  const [items, total] = await Promise.all([
    Event.find(where).sort({ [query.sort.field]: query.sort.order, _id: -1 }).skip(query.skip).limit(query.limit).lean(),
    Event.countDocuments(where),
  ]);
  return { items: await describeEvents(items as EventRecord[], config), total };
}

/** Counts per status, read in one pass over the events' registrations. */
async function describeEvents(events: EventRecord[], config?: Config) {
  const rows = await Registration.find({ event: { $in: events.map((e) => e._id) } }, { event: 1, status: 1, attendance: 1 }).lean();
  return events.map((event) => {
    const mine = rows.filter((r) => r.event.equals(event._id));
    const count = (status: string) => mine.filter((r) => r.status === status).length;
    return {
      ...withId(event),
      kindLabel: EVENT_KIND_LABELS[event.kind as keyof typeof EVENT_KIND_LABELS],
      registrationOpensAt: event.registrationOpens ? parisInstant(event.registrationOpens) : undefined,
      registrationClosesAt: event.registrationCloses ? parisInstant(event.registrationCloses) : undefined,
      publicUrl: config ? eventPageUrl(config, event.slug) : undefined,
      invitationUrl: config && event.access === 'invitation' ? eventPageUrl(config, event.slug, event.invitationCode) : undefined,
      counts: { registered: count('registered'), waiting: count('waiting'), cancelled: count('cancelled'), present: mine.filter((r) => r.attendance === 'present').length },
    };
  });
}

/** Whether the public form takes registrations now, and the French reason when it does not. */
export function registrationState(event: EventRecord, now = new Date()): { open: boolean; reason?: string } {
  if (event.registrationOpens && parisInstant(event.registrationOpens) > now) return { open: false, reason: 'Les inscriptions ne sont pas encore ouvertes.' };
  const closes = event.registrationCloses ? parisInstant(event.registrationCloses) : event.startsAt;
  if (closes <= now) return { open: false, reason: 'Les inscriptions sont closes.' };
  return { open: true };
}
