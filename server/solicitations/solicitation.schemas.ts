import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { MESSAGE_MAX, SOLICITATION_STATUSES } from './solicitation.model.js';
import { personName } from '../delivery/public-mail.js';

const code = z.string('doit être un code').regex(/^[a-z0-9-]+$/, 'code invalide').max(60, 'code trop long');
const id = z.string('doit être un identifiant').pipe(objectId);
const text = (max: number) => z.string('doit être un texte').trim().max(max, `${max.toLocaleString('fr-FR')} caractères au plus`);
const day = /^\d{4}-\d{2}-\d{2}$/;
const date = z
  .string('doit être une date')
  .refine((value) => (day.test(value) || !Number.isNaN(Date.parse(value))) && /^\d{4}-/.test(value), 'doit être une date ISO')
  .transform((value) => new Date(value));
const email = z.string('doit être une adresse e-mail').trim().max(320, 'adresse trop longue').pipe(z.email('adresse e-mail invalide'));

const fields = {
  receivedAt: date.optional(),
  channel: code,
  requester: id.optional(),
  /** Or: the requester's address, matched to a contact or creating one. */
  requesterEmail: email.optional(),
  requesterFirstName: text(100).optional(),
  requesterLastName: text(100).optional(),
  requesterPhone: text(40).optional(),
  requesterType: code.nullable().optional(),
  organisationName: text(200).optional(),
  type: code.nullable().optional(),
  subject: text(300).optional(),
  message: text(MESSAGE_MAX).optional(),
  themes: z.array(id, 'doit être une liste de thèmes').max(50, 'trop de thèmes').optional(),
  territory: z.string('doit être un territoire').max(40).nullable().optional(),
  status: z.enum(SOLICITATION_STATUSES, 'état inconnu (new, in-progress, answered, closed)').optional(),
  assignee: id.nullable().optional(),
  timeSpentMinutes: z.number('doit être un nombre de minutes').int('doit être un nombre entier de minutes').min(0, 'ne peut pas être négatif').max(100_000, 'trop long').optional(),
  answer: text(10_000).optional(),
  answeredAt: date.nullable().optional(),
  closedAt: date.nullable().optional(),
};
export const solicitationCreateBody = z.strictObject(fields);
/** react-admin sends the whole record back on update: read-only fields are accepted and ignored. */
const readOnly = Object.fromEntries(
  ['id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'isMember', 'source', 'requesterName', 'statusLabel', 'territoryLabel', 'reference', 'unread', 'messages', 'suggested', 'newsItem', 'remindedAt'].map((f) => [f, z.unknown().optional()]),
);
export const solicitationUpdateBody = z.strictObject({ ...fields, channel: code.optional(), ...readOnly });

export const solicitationFilter = z.strictObject({
  status: z.union([z.enum(SOLICITATION_STATUSES, 'état inconnu'), z.array(z.enum(SOLICITATION_STATUSES, 'état inconnu')).max(4)]).optional(),
  type: code.optional(),
  requesterType: code.optional(),
  channel: code.optional(),
  isMember: z.boolean().optional(),
  assignee: objectId.optional(),
  requester: objectId.optional(),
  year: z.number().int().min(2000).max(2100).optional(),
  q: z.string().max(200).optional(),
  id: z.array(objectId).max(1000).optional(),
});

/** The public form (`POST /sollicitation`, urlencoded); labels are those the form shows. */
export const PUBLIC_FIELD_LABELS: Record<string, string> = {
  email: 'Adresse e-mail',
  firstName: 'Prénom',
  lastName: 'Nom',
  organisationName: 'Structure',
  requesterType: 'Vous êtes',
  type: 'Objet de la demande',
  territory: 'Territoire',
  message: 'Message',
};
const formText = (label: string, max: number) =>
  z.string(`Le champ « ${label} » est invalide.`).trim().max(max, `Le champ « ${label} » ne doit pas dépasser ${max.toLocaleString('fr-FR')} caractères.`);
export const publicSolicitationBody = z.object({
  email: z
    .string('Le champ « Adresse e-mail » est obligatoire.')
    .trim()
    .min(1, 'Le champ « Adresse e-mail » est obligatoire.')
    .max(320, 'Le champ « Adresse e-mail » est trop long.')
    .pipe(z.email('Le champ « Adresse e-mail » doit être une adresse valide.')),
  firstName: personName('Prénom').optional(),
  lastName: personName('Nom').optional(),
  organisationName: formText('Structure', 200).optional(),
  requesterType: formText('Vous êtes', 60).optional(),
  type: formText('Objet de la demande', 60).min(1, 'Le champ « Objet de la demande » est obligatoire.'),
  territory: formText('Territoire', 200).optional(),
  message: formText('Message', MESSAGE_MAX).min(10, 'Le champ « Message » doit faire au moins 10 caractères.'),
  /** Honeypot: hidden from people, filled by robots. */
  site: z.string().optional(),
});

export type SolicitationCreateInput = z.infer<typeof solicitationCreateBody>;
export type SolicitationUpdateInput = z.infer<typeof solicitationUpdateBody>;
export type SolicitationFilter = z.infer<typeof solicitationFilter>;
export type PublicSolicitationInput = z.infer<typeof publicSolicitationBody>;
