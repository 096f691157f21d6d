import { z } from 'zod';
import { territoryId } from '../territories/territory.schemas.js';
import { parisLocal } from '../lib/paris-time.js';
import { objectId } from '../lib/rest.js';
import { API_REGISTRATION_STATUSES, EVALUATION_KINDS, EVENT_KINDS, QUESTION_KINDS } from './event.model.js';

const text = (max: number) => z.string().trim().max(max, `${max} caractères au plus`);
const code = z.string().regex(/^[a-z0-9-]+$/, 'code invalide').max(60);
const local = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'date et heure attendues (AAAA-MM-JJTHH:MM, heure de Paris)');
const url = z.union([z.literal(''), z.url('adresse web invalide').max(2000)]);
const optionalLocal = z.union([z.literal(''), local]).nullable().optional();

const question = z.strictObject({
  key: code.optional(),
  label: text(300).min(1, 'intitulé obligatoire'),
  kind: z.enum(QUESTION_KINDS, 'type de question inconnu (text, choice ou yesno)').default('text'),
  choices: z.array(text(200).min(1)).max(30).default([]),
  required: z.boolean().default(false),
});
const evaluationQuestion = z.strictObject({
  key: code.optional(),
  label: text(300).min(1, 'intitulé obligatoire'),
  kind: z.enum(EVALUATION_KINDS, "type de question d'évaluation inconnu (rating ou yesno)").default('rating'),
});

const instant = z.iso.datetime({ offset: true, error: 'date ISO 8601 attendue (par exemple 2026-01-20T13:00:00Z)' });
/** The instants API.md names, each with the Paris wall-clock field it sets. */
const INSTANTS = [
  ['startsAt', 'start'],
  ['endsAt', 'end'],
  ['registrationOpensAt', 'registrationOpens'],
  ['registrationClosesAt', 'registrationCloses'],
] as const;

/**
 * Scripts may give the instants (`startsAt`, ... as in shared/API.md) instead of the Paris wall
 * clock (`start`, ...): a valid instant sets its wall-clock field unless that one is given too
 * (it wins: a record read back and sent whole keeps its typed times). An invalid instant stays
 * for the schema to name.
 */
function wallClockFromInstants(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [at, local] of INSTANTS) {
    const value = out[at];
    if (value !== null && !instant.safeParse(value).success) continue;
    if (out[local] === undefined) out[local] = value === null ? null : parisLocal(new Date(value as string));
    delete out[at];
  }
  return out;
}

const eventFields = {
  title: text(200).min(1, 'titre obligatoire'),
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lettres minuscules, chiffres et tirets').max(80).optional(),
  kind: z.enum(EVENT_KINDS, 'type de rencontre inconnu'),
  start: local,
  end: local,
  place: text(300).optional(),
  visioUrl: url.optional(),
  description: text(20_000).optional(),
  programmeUrl: url.optional(),
  capacity: z.number().int('nombre entier attendu').min(1, 'au moins 1').max(100_000).nullable().optional(),
  registrationOpens: optionalLocal,
  registrationCloses: optionalLocal,
  coOrganisers: z.array(objectId).max(20).optional(),
  themes: z.array(objectId).max(50).optional(),
  territory: territoryId.nullable().optional(),
  access: z.enum(['public', 'invitation'], 'accès inconnu (public ou invitation)').optional(),
  questions: z.array(question).max(20).optional(),
  evaluationQuestions: z.array(evaluationQuestion).max(20).optional(),
  ...Object.fromEntries(INSTANTS.map(([at]) => [at, instant.optional()])),
};
const readOnly = Object.fromEntries(
  ['id', '_id', 'invitationCode', 'evaluationSentAt', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'counts', 'kindLabel', 'publicUrl', 'invitationUrl'].map(
    (f) => [f, z.unknown().optional()],
  ),
);
export const eventCreateBody = z.preprocess(wallClockFromInstants, z.strictObject(eventFields));
export const eventUpdateBody = z.preprocess(
  wallClockFromInstants,
  z.strictObject({ ...eventFields, title: eventFields.title.optional(), kind: eventFields.kind.optional(), start: local.optional(), end: local.optional(), ...readOnly }),
);
export type EventCreateInput = z.infer<typeof eventCreateBody>;
export type EventUpdateInput = z.infer<typeof eventUpdateBody>;

export const eventFilter = z.strictObject({
  q: z.string().max(200).optional(),
  kind: z.enum(EVENT_KINDS).optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  id: z.array(objectId).max(1000).optional(),
});
export type EventFilter = z.infer<typeof eventFilter>;

export const registrationFilter = z.strictObject({
  event: objectId.optional(),
  /** `registered` includes those ticked present or absent. */
  status: z.enum(API_REGISTRATION_STATUSES, 'état inconnu (registered, waiting, cancelled, present ou absent)').optional(),
  q: z.string().max(200).optional(),
  id: z.array(objectId).max(1000).optional(),
});
export type RegistrationFilter = z.infer<typeof registrationFilter>;

/** `status` in the API's words: `present`/`absent` tick the attendance, `registered` clears it, `cancelled` cancels. */
export const registrationUpdateBody = z
  .object({
    status: z.enum(['registered', 'cancelled', 'present', 'absent'], 'état inconnu (registered, cancelled, present ou absent)').optional(),
    attendance: z.enum(['present', 'absent'], 'présence inconnue (present ou absent)').nullable().optional(),
  })
  .transform(({ status, attendance }) => {
    if (status === 'present' || status === 'absent') return { status: undefined, attendance: status };
    if (status === 'registered') return { status, attendance: attendance ?? null };
    return { status, attendance };
  });

/** A form field sent once is a string, sent several times an array. */
const many = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(20));
const optionalCode = z.union([z.literal(''), code]).optional();

/** The public registration form (urlencoded); answers to the event's own questions come as `q_<key>`. */
export const registrationForm = z.object({
  email: z.string().trim().max(320).pipe(z.email('adresse e-mail invalide')),
  firstName: text(100).min(1, 'obligatoire'),
  lastName: text(100).min(1, 'obligatoire'),
  organisationName: text(200).optional(),
  organisationType: optionalCode,
  function: optionalCode,
  territory: text(120).optional(),
  dispositifs: many(code),
  accessibilityNeeds: text(2000).optional(),
  newsletter: z.literal('oui').optional(),
  code: z.string().max(100).optional(),
  website: z.string().max(500).optional(),
});
export type RegistrationForm = z.infer<typeof registrationForm>;

export const evaluationForm = z.object({ comment: text(5000).optional() });
